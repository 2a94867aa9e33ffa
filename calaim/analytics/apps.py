from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "calaim.analytics"
    label = "analytics"
    verbose_name = "Identification runs: the plan's data, the identify job and its candidates"
