"""`manage.py notices_print`: the summary it prints, the folder it writes, and its exit statuses with a clear message
for each refusal (0 done, 1 refused, 2 usage)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.notices.models import MailBatch, NoticeStatus
from tests.factories import MemberFactory
from tests.notices.mailroom_support import addressed_member, letter_notice, mailroom_users

pytestmark = pytest.mark.django_db
TODAY = plan_today().isoformat()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("notices_print", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> CommandError:
    with pytest.raises(CommandError) as error:
        run(*args)
    return error.value


def test_the_command_writes_the_batch_and_says_what_it_did(network, tmp_path):
    notices = [letter_notice(addressed_member()), letter_notice(addressed_member())]
    left_out = letter_notice(MemberFactory())

    said = run("--plan", "hpsj", "--date", TODAY, "--out", str(tmp_path))

    batch = MailBatch.objects.get()
    folder = Path(batch.out_dir)
    assert folder.parent == tmp_path and folder.name.startswith(f"HPSJ-{TODAY}-")
    assert f"HPSJ {TODAY}: 2 letters written to {folder}" in said and batch.manifest_sha256 in said
    assert "Not mailed: 1 letter whose member has no mailing address" in said and str(left_out.pk) in said
    with (folder / "manifest.csv").open(newline="") as text:
        assert {row["notice_id"] for row in csv.DictReader(text)} == {str(n.pk) for n in notices}
    for notice in notices:
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.SENT
    event = AuditEvent.objects.get(action="mail_batch.create")
    assert event.actor is None and event.actor_label.endswith("(manage.py notices_print)")


def test_a_run_with_nothing_ready_writes_nothing_and_succeeds(network, tmp_path):
    said = run("--plan", "HPSJ", "--date", TODAY, "--out", str(tmp_path / "out"))
    assert "no letter is ready to mail; nothing written" in said
    assert not MailBatch.objects.exists()


def test_as_the_plans_member_services(network, tmp_path):
    letter_notice(addressed_member())
    run("--plan", "HPSJ", "--date", TODAY, "--out", str(tmp_path), "--as", "ms")
    assert MailBatch.objects.get().created_by == network.users["member_services"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--plan", "NOPE", "--date", TODAY), 2, "No plan with code 'NOPE'; calaim knows"),
        (("--plan", "HPSJ", "--date", "12/01/2026"), 2, "--date: give the mail date as YYYY-MM-DD (got '12/01/2026')"),
        (("--plan", "HPSJ", "--date", "2026-02-30"), 2, "--date: give the mail date as YYYY-MM-DD"),
        (("--plan", "HPSJ", "--date", TODAY, "--as", "nobody"), 2, "No active user named 'nobody'"),
        (("--plan", "HPSJ", "--date", TODAY, "--as", "compliance"), 1, "may not run the mailroom"),
        (("--plan", "HPSJ", "--date", TODAY, "--as", "hpsm_ms"), 1, "Not found"),
        (
            ("--plan", "HPSJ", "--date", (plan_today() + dt.timedelta(days=1)).isoformat()),
            1,
            "The mail date is in the future",
        ),
    ],
)
def test_refusals_exit_with_a_clear_message(network, tmp_path, args: Any, code: int, message: str):
    mailroom_users(network)
    notice = letter_notice(addressed_member())
    error = refused(*args, "--out", str(tmp_path))
    assert error.returncode == code and message in str(error)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PRODUCED and not MailBatch.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_out_folder_that_cannot_be_written_is_refused(network, tmp_path):
    notice = letter_notice(addressed_member())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    error = refused("--plan", "HPSJ", "--date", TODAY, "--out", str(blocker / "out"))
    assert error.returncode == 1 and "the batch cannot be written" in str(error)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PRODUCED and not MailBatch.objects.exists()


def test_a_missing_argument_is_a_usage_error(network, tmp_path):
    with pytest.raises(CommandError, match="--date"):
        run("--plan", "HPSJ", "--out", str(tmp_path))
