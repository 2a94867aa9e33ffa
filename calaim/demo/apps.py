from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "calaim.demo"
    label = "demo"
    verbose_name = "Demo data"
