from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "calaim.roster"
    label = "roster"
    verbose_name = "Roster loads: the plan's eligibility extract and what each load changed"
