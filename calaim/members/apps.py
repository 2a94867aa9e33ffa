from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "calaim.members"
    label = "members"

    def ready(self) -> None:
        from calaim.members.signals import phi_read_log_connect  # models are loaded only once the apps are ready

        phi_read_log_connect()
