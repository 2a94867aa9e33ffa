from django.apps import AppConfig


class LtcConfig(AppConfig):
    name = "calaim.ltc"
    label = "ltc"
