from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "calaim.public"
    label = "public"
