from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "calaim.members"
    label = "members"
