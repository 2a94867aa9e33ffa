from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "calaim.core"
    label = "core"
    verbose_name = "Core: audit trail"
