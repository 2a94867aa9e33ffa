"""`manage.py notices_print --plan CODE --date YYYY-MM-DD --out DIR [--as USER]`: the day's mail batch for the mail
vendor.

Every produced member letter of the plan not yet mailed, produced on or before the date, is written into a new folder
`DIR/<PLAN>-<date>-<batch>/` as one PDF per letter plus `manifest.csv` (calaim.notices.batch_files names the
columns) and marked sent, through the same service as the mailroom page and the API (`mail_batch_create`). A second
run the same day takes only letters the first did not. A letter whose member has no mailing address is left out and
listed. Who makes it: `--as` names the plan's member services user or a superuser; without it the batch is recorded
under "<OS user> (manage.py notices_print)". Exit status: 0 done (also when nothing was ready), 1 refused, 2 usage.
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.accounts.models import User
from calaim.core.errors import DomainError
from calaim.notices.batch import MailBatchResult, mail_batch_create
from calaim.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Write the plan's produced member letters for the mail vendor (one PDF per letter plus manifest.csv) into a "
        "new folder under DIR and mark them sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="The plan's code, e.g. HPSJ.")
        parser.add_argument("--date", required=True, help="The mail date, YYYY-MM-DD (not after today).")
        parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="The folder the batch goes under.")
        parser.add_argument("--as", dest="username", help="The user making it (the plan's member services, superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        mail_date = _date(options["date"])
        plan = Plan.objects.filter(code=options["plan"].strip().upper()).first()
        if plan is None:
            known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No plan with code {options['plan']!r}; calaim knows {known}.", returncode=2)
        actor = _actor(options["username"])
        out: Path = options["out"]
        try:
            result = mail_batch_create(
                actor=actor,
                plan=plan,
                mail_date=mail_date,
                out_dir=out,
                actor_label=f"{getpass.getuser()} (manage.py notices_print)",
            )
        except DomainError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        except OSError as exc:
            raise CommandError(f"{out}: the batch cannot be written: {exc.strerror or exc}", returncode=1) from exc
        self._say(plan, mail_date, result)

    def _say(self, plan: Plan, mail_date: dt.date, result: MailBatchResult) -> None:
        batch = result.batch
        if batch is None:
            self.stdout.write(f"{plan.code} {mail_date.isoformat()}: no letter is ready to mail; nothing written.")
        else:
            plural = "s" if batch.letter_count != 1 else ""
            self.stdout.write(
                f"{plan.code} {mail_date.isoformat()}: {batch.letter_count:,} letter{plural} "
                f"written to {result.folder} (manifest.csv SHA-256 {batch.manifest_sha256}); batch {batch.pk}."
            )
        if result.exceptions:
            self.stdout.write(
                f"Not mailed: {len(result.exceptions):,} letter{'s' if len(result.exceptions) != 1 else ''} "
                "whose member has no mailing address (member services: see the mailroom page):"
            )
            for exception in result.exceptions:
                self.stdout.write(f"  notice {exception.notice_id}: {exception.reason}")


def _date(text: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError(text)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--date: give the mail date as YYYY-MM-DD (got {text!r}).", returncode=2) from None


def _actor(username: str | None) -> User | None:
    if not username:
        return None
    actor = User.objects.select_related("organization").filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"No active user named {username!r}.", returncode=2)
    return actor
