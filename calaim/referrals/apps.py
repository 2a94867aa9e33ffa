from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "calaim.referrals"
    label = "referrals"
