"""`manage.py demo`: migrate, load reference and synthetic data with referrals in every state, then serve, with the
background worker (`manage.py calaim_worker`) running beside the server until it stops."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.core.clock import plan_today
from calaim.demo.cs_lifecycle import demo_cs_create
from calaim.demo.documents import demo_documents_create
from calaim.demo.exchange import demo_exchange_create
from calaim.demo.history import demo_history_create
from calaim.demo.letters import demo_letters_create
from calaim.demo.lifecycle import demo_lifecycle_create
from calaim.demo.ltc import demo_ltc_create
from calaim.demo.population import demo_joiners_draw
from calaim.demo.roster import demo_roster_month_create
from calaim.demo.summary import summary_line
from calaim.referrals.models import Referral

# The fewest members with which every part of the demo has members to work on: referrals in every state for both plans,
# Community Supports, file-only providers, and a month's roster whose leavers stay under the plan's 5% mass-termination
# guard (found by running the demo at decreasing sizes; the roster guard is the first to refuse).
MIN_DEMO_MEMBERS = 200


class Command(BaseCommand):
    help = (
        "Run the demo: an SQLite database with synthetic data and demo logins, served on 127.0.0.1:8000 with the "
        "background worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--members", type=int, default=2000, help=f"How many synthetic members (at least {MIN_DEMO_MEMBERS})."
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the data, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["members"] < MIN_DEMO_MEMBERS:
            raise CommandError(
                f"--members {options['members']} is too few for the demo: use at least {MIN_DEMO_MEMBERS}, so both "
                "plans have members for referrals in every state, Community Supports, provider files and a month's "
                "roster. Nothing was changed."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_seed", seed=options["seed"], members=options["members"])
        if not Referral.objects.exists():
            reached = demo_lifecycle_create(seed=options["seed"])
            self.stdout.write(summary_line("ECM referrals made today, by where they stand", reached))
            history = demo_history_create(seed=options["seed"])
            self.stdout.write(summary_line("ECM referrals of the past year", history))
            cs_reached = demo_cs_create(seed=options["seed"])
            self.stdout.write(summary_line("Community Supports requests", cs_reached))
            today = plan_today()
            joiners = demo_joiners_draw(seed=options["seed"], count=max(1, options["members"] // 200), as_of=today)
            month = demo_roster_month_create(seed=options["seed"], as_of=today, new_members=joiners)
            self.stdout.write(summary_line(f"This month's roster, as of {today:%m/%d/%Y}", month))
            files = demo_exchange_create(seed=options["seed"], as_of=today)
            self.stdout.write(summary_line("Provider files", files))
            letters = demo_letters_create(seed=options["seed"], as_of=today)
            self.stdout.write(summary_line("Letters and appeals", letters))
            self.stdout.write(summary_line("Long-term care", demo_ltc_create(seed=options["seed"], as_of=today)))
            self.stdout.write(summary_line("Documents on records", demo_documents_create(seed=options["seed"])))
        self.stdout.write(
            self.style.SUCCESS(
                f"\nAPI docs: http://{options['addrport']}/api/docs   Admin: http://{options['addrport']}/admin/"
            )
        )
        if not options["no_serve"]:
            with worker_running(self.stdout):
                call_command("runserver", options["addrport"], use_reloader=False)


def _exit(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


@contextmanager
def worker_running(out: Any) -> Iterator[subprocess.Popen[bytes]]:
    """The worker in its own process, logging to var/worker.log, stopped (SIGTERM, then SIGKILL) on the way out:
    Ctrl-C, or SIGTERM or SIGHUP sent to the demo alone."""
    log_path = settings.VAR_DIR / "worker.log"
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "calaim_worker", "--no-startup-delay"]
    with log_path.open("ab") as log:
        worker = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)  # noqa: S603
    out.write(f"Background worker: pid {worker.pid}, log {log_path}")
    previous = {signum: signal.signal(signum, _exit) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield worker
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
