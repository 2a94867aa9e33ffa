from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "calaim.careplans"
    label = "careplans"
