from django.apps import AppConfig


class EcmConfig(AppConfig):
    name = "calaim.ecm"
    label = "ecm"
