from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "calaim.plans"
    label = "plans"

    def ready(self) -> None:
        from calaim.plans.refcache import reference_cache_connect  # models are loaded only once the apps are ready

        reference_cache_connect()
