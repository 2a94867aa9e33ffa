from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "calaim.jobs"
    label = "jobs"
    verbose_name = "Background jobs: the worker's periods and heartbeats"
