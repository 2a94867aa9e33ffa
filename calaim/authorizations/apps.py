from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "calaim.authorizations"
    label = "authorizations"
