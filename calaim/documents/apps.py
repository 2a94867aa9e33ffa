from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "calaim.documents"
    label = "documents"
