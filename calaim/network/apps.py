from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "calaim.network"
    label = "network"
