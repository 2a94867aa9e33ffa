"""The periodic jobs `manage.py calaim_worker` enqueues, each once per period across all workers, and how often
(settings.CALAIM_WORKER): the authorization clocks, the mailroom's sweep and the notification emails' sweep, the
heartbeat /healthz reads, and a daily prune of what the queue keeps."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from calaim.jobs.schedule import PeriodicJob
from calaim.jobs.tasks import jobs_prune, worker_heartbeat
from calaim.notices.email import notification_emails_sweep_task
from calaim.notices.mailroom import notices_sweep_task
from calaim.workflows.authorization_clock import authorization_clocks_sweep


@task()
def authorization_clocks_task() -> dict[str, int]:
    return authorization_clocks_sweep()


def periodic_jobs() -> list[PeriodicJob]:
    conf = settings.CALAIM_WORKER

    def every(name: str) -> dt.timedelta:
        return dt.timedelta(seconds=conf[name])

    return [
        PeriodicJob("heartbeat", every("HEARTBEAT_SECONDS"), worker_heartbeat),
        PeriodicJob("authorization_clocks", every("CLOCK_SWEEP_SECONDS"), authorization_clocks_task),
        PeriodicJob("notices_sweep", every("NOTICE_SWEEP_SECONDS"), notices_sweep_task),
        PeriodicJob("notification_emails_sweep", every("NOTICE_SWEEP_SECONDS"), notification_emails_sweep_task),
        PeriodicJob("jobs_prune", dt.timedelta(days=1), jobs_prune),
    ]
