from django.apps import AppConfig


class CommunitySupportsConfig(AppConfig):
    name = "calaim.community_supports"
    label = "community_supports"
    verbose_name = "Community Supports"
