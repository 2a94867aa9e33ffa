from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "calaim.accounts"
    label = "accounts"
