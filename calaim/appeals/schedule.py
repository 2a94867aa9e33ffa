"""The appeals' periodic job, for the worker's schedule (`manage.py calaim_worker`): the reminder of appeals and
grievances due soon, as often as the authorization clocks run (settings.CALAIM_WORKER["CLOCK_SWEEP_SECONDS"])."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from calaim.appeals.reminders import appeal_clocks_check
from calaim.jobs.schedule import PeriodicJob


@task()
def appeal_clocks_task() -> dict[str, int]:
    return appeal_clocks_check()


def appeals_periodic_jobs() -> list[PeriodicJob]:
    """The appeals' periodic jobs."""
    every = dt.timedelta(seconds=settings.CALAIM_WORKER["CLOCK_SWEEP_SECONDS"])
    return [PeriodicJob("appeal_clocks", every, appeal_clocks_task)]
