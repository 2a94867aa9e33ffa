"""`manage.py roster_load`: exit status, the summary, the rejects file, dry runs, who loads it (--as)."""

from __future__ import annotations

import csv
import getpass
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from calaim.accounts.models import Role
from calaim.core.models import AuditEvent
from calaim.members.models import EnrollmentSpan, Member
from calaim.roster.models import LoadStatus, RosterLoad
from tests.factories import UserFactory
from tests.roster.test_load_helpers import AS_OF, Loader, cins, loader, row

__all__ = ["loader"]
pytestmark = pytest.mark.django_db


def _run(path: Path, *extra: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("roster_load", str(path), "--plan", "HPSJ", "--as-of", AS_OF.isoformat(), *extra, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def _state() -> tuple[Any, ...]:
    return (
        sorted(Member.objects.values_list("cin", "last_name")),
        sorted(EnrollmentSpan.objects.values_list("member__cin", "end_date")),
        AuditEvent.objects.filter(object_type="members.member").count(),
    )


def test_a_load_exits_zero_with_a_summary_under_the_os_users_name(loader: Loader) -> None:
    out, error = _run(loader.file([row(cin) for cin in cins(3)]))

    assert error is None
    assert "Roster roster1.csv for HPSJ as of 2026-07-01: Applied" in out
    assert re.search(r"\n  created +3\n", out) and re.search(r"\n  unchanged +0\n", out)
    assert Member.objects.count() == 3
    label = f"{getpass.getuser()} (manage.py roster_load)"
    assert set(AuditEvent.objects.filter(object_type="members.member").values_list("actor_label", flat=True)) == {label}
    assert RosterLoad.objects.get().actor_label == label


def test_a_file_with_an_error_exits_one_writes_the_rejects_file_beside_it_and_changes_nothing(loader: Loader) -> None:
    loader.apply([row(cin) for cin in cins(2)])
    state = _state()
    path = loader.file([row(cins(2)[0], last_name="Smith"), row("9100000A"), row(cins(2)[1], county="Fresno")])
    out, error = _run(path)

    assert error is not None and error.returncode == 1
    assert "2 errors in 2 of 3 rows; nothing was written" in str(error)
    rejects = path.with_name("roster2.rejects.csv")
    with rejects.open(newline="", encoding="utf-8") as handle:
        found = list(csv.DictReader(handle))
    assert [(r["row"], r["column"], r["value"]) for r in found] == [
        ("2", "member_id", "9100000A"),
        ("3", "county", "Fresno"),
    ]
    assert "rejected rows" in out and f"rejects: {rejects.resolve()}" in out
    assert _state() == state
    assert RosterLoad.objects.order_by("created_at").last().status == LoadStatus.REJECTED


def test_accept_valid_rows_applies_the_rest_and_leaves_rejected_members_alone(loader: Loader, tmp_path: Path) -> None:
    everyone = [row(cin) for cin in cins(3)]
    loader.apply(everyone)
    bad = row(cins(3)[2], last_name="Smith", county="Fresno")  # the member is neither updated nor termed
    path = loader.file([row(cins(3)[0], last_name="Nguyen"), everyone[1], bad])
    rejects = tmp_path / "mine.csv"
    out, error = _run(path, "--accept-valid-rows", "--rejects", str(rejects))

    assert error is None, out
    assert "1 rejected row was left out" in out and rejects.is_file()
    assert sorted(Member.objects.values_list("last_name", flat=True)) == ["Lopez9100", "Lopez9100", "Nguyen"]
    assert not EnrollmentSpan.objects.filter(end_date__isnull=False).exists()


def test_a_dry_run_prints_what_would_change_and_writes_no_member(loader: Loader) -> None:
    loader.apply([row(cin) for cin in cins(2)])
    state = _state()
    out, error = _run(loader.file([row(cins(2)[0], last_name="Smith"), row(cins(2)[1]), row("91000077A")]), "--dry-run")

    assert error is None
    assert "Dry run: nothing written" in out
    assert "updated (showing 1 of 1):" in out and "91000000A Ana Smith: last_name Lopez9100 -> Smith" in out
    assert "created (showing 1 of 1):" in out and "91000077A" in out
    assert _state() == state


def test_the_guard_exits_one_and_allow_mass_term_applies(loader: Loader) -> None:
    loader.apply([row(cin) for cin in cins(10)])
    path = loader.file([row(cin) for cin in cins(8)])
    _out, error = _run(path)
    assert error is not None and error.returncode == 1 and "more than the plan's limit of 5%" in str(error)
    assert not EnrollmentSpan.objects.filter(end_date__isnull=False).exists()

    _, error = _run(path, "--allow-mass-term")
    assert error is None and EnrollmentSpan.objects.filter(end_date__isnull=False).count() == 2


def test_the_same_file_again_exits_zero_saying_when_it_was_loaded(loader: Loader) -> None:
    path = loader.file([row(cin) for cin in cins(2)])
    _run(path)
    out, error = _run(path)
    assert error is None and "Already loaded: nothing changed" in out and "these bytes were loaded on" in out


def test_as_names_the_plans_data_analyst_or_is_refused(loader: Loader, network: Any) -> None:
    analyst = UserFactory(username="hpsj.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    path = loader.file([row(cin) for cin in cins(2)])

    _, error = _run(path, "--as", "intake")  # plan staff, but not a data analyst
    assert error is not None and error.returncode == 1
    assert not RosterLoad.objects.exists() and not Member.objects.exists()
    _out, error = _run(path, "--as", "hpsm_intake")
    assert error is not None and not Member.objects.exists()

    _, error = _run(path, "--as", "hpsj.data")
    assert error is None
    assert set(AuditEvent.objects.filter(object_type="members.member").values_list("actor", flat=True)) == {analyst.pk}


def test_usage_errors_exit_two(loader: Loader) -> None:
    path = loader.file([row(cins(1)[0])])
    for args in (("--plan", "NOPE"), ("--as-of", "07/01/2026")):
        with pytest.raises(CommandError) as caught:
            call_command("roster_load", str(path), "--plan", "HPSJ", "--as-of", "2026-07-01", *args)
        assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        call_command("roster_load", str(path.with_name("missing.csv")), "--plan", "HPSJ", "--as-of", "2026-07-01")
    assert caught.value.returncode == 2 and "no such file" in str(caught.value)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar_and_other_output_plain_lines(loader: Loader) -> None:
    path = loader.file([row(cin) for cin in cins(2)])
    terminal = _Terminal()
    call_command("roster_load", str(path), "--plan", "HPSJ", "--as-of", AS_OF.isoformat(), stdout=terminal)
    shown = terminal.getvalue()
    assert "Applied" in shown and "s] Staging the rows" not in shown

    plain, error = _run(loader.file([row(cin) for cin in cins(2)[::-1]]))
    assert error is None and re.search(r"\[ +[0-9.]+ s\] Staging the rows: 0 of 2", plain)
