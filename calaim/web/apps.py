from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "calaim.web"
    label = "web"
    verbose_name = "Staff web app"
