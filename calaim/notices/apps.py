from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "calaim.notices"
    label = "notices"
