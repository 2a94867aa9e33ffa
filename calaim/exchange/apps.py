from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "calaim.exchange"
    label = "exchange"
    verbose_name = "Provider files (MIF, RTF, OTF), their loads and exports, and the state reports"
