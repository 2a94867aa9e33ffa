from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "calaim.appeals"
    label = "appeals"
