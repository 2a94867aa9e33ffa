"""`manage.py calaim_worker`: run the task queue and enqueue the periodic jobs; start one or more per machine.

Takes django_tasks_db's `db_worker` options (--queue-name, --interval, --batch, --max-tasks, --worker-id...) and
adds retries, the recovery of tasks lost with their worker and the periodic jobs (calaim/jobs/worker.py), with
--no-schedule for a worker that only runs tasks. SIGTERM or Ctrl-C stops it after the task in hand.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from calaim.appeals.schedule import appeals_periodic_jobs
from calaim.exchange.schedule import exchange_periodic_jobs
from calaim.jobs.worker import CalaimWorker, WorkerConfig, default_worker_id
from calaim.workflows.scheduled import periodic_jobs


class Command(DbWorkerCommand):
    help = "Run calaim's background worker: the task queue with retries, and the periodic jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Only run tasks; leave the periodic jobs to other workers.",
        )
        # Reloading on code changes stops tasks uncleanly; calaim's worker never does, even with DEBUG on.
        parser.set_defaults(reload=False, worker_id=None)

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = CalaimWorker(
            schedule=[*periodic_jobs(), *exchange_periodic_jobs(), *appeals_periodic_jobs()]
            if options["schedule"]
            else (),
            config=WorkerConfig.from_settings(),
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or default_worker_id(),
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
