from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "calaim.plans"
    label = "plans"
