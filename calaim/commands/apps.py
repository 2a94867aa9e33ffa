from django.apps import AppConfig


class CommandsConfig(AppConfig):
    """The command-line entry points (manage.py ...) that run workflows: beside the web app and the API."""

    name = "calaim.commands"
    label = "commands"
    verbose_name = "Commands"
