"""Benchmark of member letters: producing them as PDF, and the day's mail batch (issue 14).

Usage: nice -n 10 .venv/bin/python benchmarks/letters.py [--letters 40] [--repeat 3]

A scratch SQLite database in a temporary folder (migrated, reference data loaded) gets members of HPSM in San Mateo
reading English, Spanish, Chinese and Tagalog (the plan's threshold languages), each owed a Notice of Action. Then,
per repeat, in turns:

- baseline: WeasyPrint alone rendering a one-paragraph page, the floor any PDF letter pays;
- produce: the mailroom's `notice_send` for each notice (template chosen, language by the threshold rule, the letter
  rendered with the Your Rights insert, nondiscrimination notice and taglines, stored with its hash), per letter;
- batch: `mail_batch_create` of those letters (each PDF checked against its hash and written, manifest.csv, each
  marked sent), per letter.

Prints each figure's median over the repeats with its runs, and the produce figure's ratio to the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LANGUAGES = ("en", "es", "zh", "tl")


def setup(var: Path) -> None:
    os.environ.update(CALAIM_MODE="development", CALAIM_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="config.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)


def notices_owe(count: int, round_no: int) -> list[str]:
    """`count` Notices of Action owed to new HPSM members, the languages in turn; their ids."""
    from django.db import transaction

    from calaim.core.clock import plan_today
    from calaim.members.models import Member
    from calaim.notices.models import NoticeKind, NoticeRecipient
    from calaim.notices.services import notice_queue
    from calaim.plans.models import County, Plan

    plan, county = Plan.objects.get(code="HPSM"), County.objects.get(name="San Mateo")
    ids = []
    with transaction.atomic():
        for n in range(count):
            member = Member.objects.create(
                cin=f"9{round_no:02d}{n:05d}A",
                first_name="Bench",
                last_name=f"Member{n}",
                birth_date="1970-01-01",
                language=LANGUAGES[n % len(LANGUAGES)],
                address_line=f"{n} Main Street",
                city="San Mateo",
                zip_code="94401",
                county=county,
                plan=plan,
            )
            content = {
                "determination": "denied",
                "reason": "The records sent do not show a medical need for the service.",
                "criteria": "DHCS ECM Policy Guide, Population of Focus criteria.",
                "appeal_deadline": plan_today().isoformat(),
            }
            notice = notice_queue(
                actor=None,
                member=member,
                kind=NoticeKind.NOTICE_OF_ACTION,
                recipient=NoticeRecipient.MEMBER,
                due_date=plan_today(),
                content=content,
            )
            ids.append(str(notice.pk))
    return ids


def timed(step: object, *args: object) -> float:
    started = time.perf_counter()
    step(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def baseline(count: int) -> None:
    from weasyprint import HTML

    for n in range(count):
        HTML(string=f"<html lang='en'><body><p>Letter {n}</p></body></html>").write_pdf()


def produce(ids: list[str]) -> None:
    from calaim.notices.mailroom import notice_send

    for notice_id in ids:
        assert notice_send(notice_id=notice_id)


def batch(out: Path) -> None:
    from calaim.core.clock import plan_today
    from calaim.notices.batch import mail_batch_create
    from calaim.plans.models import Plan

    result = mail_batch_create(actor=None, plan=Plan.objects.get(code="HPSM"), mail_date=plan_today(), out_dir=out)
    assert result.batch is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="calaim-letters-") as folder:
        var = Path(folder)
        setup(var)
        produce(notices_owe(2, 99))  # warm: fonts found and templates compiled once per process
        runs: dict[str, list[float]] = {"baseline": [], "produce": [], "batch": []}
        for round_no in range(args.repeat):
            ids = notices_owe(args.letters, round_no)
            runs["baseline"].append(timed(baseline, args.letters) / args.letters)
            runs["produce"].append(timed(produce, ids) / args.letters)
            runs["batch"].append(
                timed(batch, var / "mail" / str(round_no)) / (args.letters + (2 if round_no == 0 else 0))
            )
        print(f"{args.letters} Notices of Action a repeat (en, es, zh, tl in turn), {args.repeat} repeats, in turns")
        for name, values in runs.items():
            print(
                f"{name:9} median {statistics.median(values) * 1000:7.1f} ms a letter   runs "
                + ", ".join(f"{v * 1000:.1f}" for v in values)
            )
        per_letter = statistics.median(runs["produce"])
        ratio = per_letter / statistics.median(runs["baseline"])
        print(f"produce / baseline: {ratio:.1f}x; letters an hour on one worker: {3600 / per_letter:,.0f}")


if __name__ == "__main__":
    main()
