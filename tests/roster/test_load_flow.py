"""The load's flow as the web app and the API drive it (record, preview, confirm, apply, cancel), the roster facts it
raises for members with open work, and its progress while it runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from calaim.accounts.models import Role
from calaim.core.errors import Conflict, DomainError
from calaim.ecm.models import EnrollmentStatus
from calaim.members.models import Member
from calaim.plans.models import Plan
from calaim.roster.models import FactKind, LoadSource, LoadStatus, RosterFact
from calaim.roster.services import roster_load_apply, roster_load_cancel, roster_load_create, roster_load_preview
from tests.factories import EnrollmentFactory, MemberFactory, UserFactory
from tests.roster.test_load_helpers import AS_OF, Loader, cins, loader, roster_write, row

__all__ = ["loader"]
DAY_BEFORE = AS_OF - dt.timedelta(days=1)


def _upload(tmp_path: Path, rows: list[dict[str, Any]], name: str = "roster.csv") -> Path:
    folder = tmp_path / "data" / "roster" / "upload-1"
    folder.mkdir(parents=True, exist_ok=True)
    return roster_write(folder / name, rows)


@pytest.mark.django_db
def test_the_web_flow_previews_then_applies_for_the_analyst_who_confirmed(
    loader: Loader, network: Any, tmp_path: Path
) -> None:
    analyst = UserFactory(username="hpsj.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    path = _upload(tmp_path, [row(cin) for cin in cins(3)])
    hpsj = Plan.objects.get(code="HPSJ")
    with pytest.raises(DomainError):  # plan staff, but not the plan's data analyst
        roster_load_create(
            actor=network.users["intake"], plan=hpsj, path=path, file_name="r.csv", as_of=AS_OF, source=LoadSource.WEB
        )
    load = roster_load_create(
        actor=analyst, plan=hpsj, path=path, file_name="roster.csv", as_of=AS_OF, source=LoadSource.WEB
    )
    with pytest.raises(Conflict):  # from the web, only a previewed load is applied
        roster_load_apply(load_id=load.pk, actor=analyst)

    load = roster_load_preview(load_id=load.pk)
    assert load.status == LoadStatus.PREVIEWED and load.counts["created"] == 3 and not Member.objects.exists()
    assert [s["cin"] for s in load.samples["created"]] == cins(3)

    load.confirmed_by = analyst  # what the confirm step records before it enqueues the apply task
    load.save(update_fields=["confirmed_by"])
    with pytest.raises(DomainError):  # another user may not apply what the analyst confirmed
        roster_load_apply(load_id=load.pk, actor=network.users["intake"])
    load = roster_load_apply(load_id=load.pk, actor=analyst)
    assert load.status == LoadStatus.APPLIED and Member.objects.count() == 3
    assert load.confirmed_by == analyst and load.counts["elapsed_seconds"] >= 0
    with pytest.raises(Conflict):  # applied once
        roster_load_apply(load_id=load.pk, actor=analyst)


@pytest.mark.django_db
def test_a_rejected_web_load_keeps_its_rejects_under_the_data_folder(
    loader: Loader, network: Any, tmp_path: Path
) -> None:
    analyst = UserFactory(username="hpsj.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    path = _upload(tmp_path, [row("91000000A"), row("91000001A", birth_date="1980-02-30")])
    load = roster_load_create(
        actor=analyst,
        plan=Plan.objects.get(code="HPSJ"),
        path=path,
        file_name="roster.csv",
        as_of=AS_OF,
        source=LoadSource.API,
    )
    load = roster_load_preview(load_id=load.pk)
    assert load.status == LoadStatus.REJECTED and load.error_count == 1
    assert load.errors[0]["row"] == 2 and load.errors[0]["column"] == "birth_date"
    assert load.rejects_path == str(tmp_path / "data" / "roster" / str(load.pk) / "rejects.csv")
    assert Path(load.rejects_path).is_file() and load.counts["rejected"] == 1


@pytest.mark.django_db
def test_cancel_removes_an_uploaded_file_but_never_the_commands_own(
    loader: Loader, network: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    analyst = UserFactory(username="hpsj.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    path = _upload(tmp_path, [row("91000000A")])
    hpsj = Plan.objects.get(code="HPSJ")
    load = roster_load_create(actor=analyst, plan=hpsj, path=path, file_name="r.csv", as_of=AS_OF, source="web")
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = roster_load_cancel(load_id=load.pk, actor=analyst)
    assert cancelled.status == LoadStatus.CANCELLED and not path.exists()

    own = loader.file([row("91000000A")])
    command_load = loader.offer(own, actor=analyst)
    with django_capture_on_commit_callbacks(execute=True):
        roster_load_cancel(load_id=command_load.pk, actor=analyst)
    assert own.exists()


@pytest.mark.django_db
def test_facts_are_raised_for_members_with_open_work(loader: Loader, network: Any) -> None:
    hpsj = Plan.objects.get(code="HPSJ")
    rows = [row(cin) for cin in cins(40)]
    loader.apply(rows)
    members = {m.cin: m for m in Member.objects.all()}
    for cin in cins(4):
        EnrollmentFactory(referral__member=members[cin], status=EnrollmentStatus.ENROLLED)
    hpsm = Plan.objects.get(code="HPSM")
    moving = MemberFactory(cin="92000000A", plan=hpsm, county=hpsm.counties.get())
    EnrollmentFactory(referral__member=moving, status=EnrollmentStatus.ENROLLED)
    changed = [
        row(cins(4)[1], other_programs="HOSPICE"),
        row(cins(4)[2], delegated_to="KAISER"),
        row(cins(4)[3], enrollment_end="2026-05-31"),
        *rows[4:],
        row("92000000A", enrollment_start="2026-06-15"),
    ]
    load = loader.apply(changed)  # cins(4)[0] is absent: termed

    assert load.status == LoadStatus.APPLIED and load.counts["facts"] == 5
    facts = {(f.member.cin, f.kind, f.detail, f.effective_date) for f in RosterFact.objects.select_related("member")}
    assert facts == {
        (cins(4)[0], FactKind.TERMED, "", DAY_BEFORE),
        (cins(4)[1], FactKind.PROGRAM, "HOSPICE", AS_OF),
        (cins(4)[2], FactKind.DELEGATED, "KAISER", AS_OF),
        (cins(4)[3], FactKind.TERMED, "", dt.date(2026, 5, 31)),
        ("92000000A", FactKind.MOVED, "HPSJ", dt.date(2026, 6, 14)),
    }
    assert set(RosterFact.objects.values_list("plan_id", flat=True)) == {hpsj.pk}


@pytest.mark.django_db
def test_newly_dsnp_raises_a_fact_only_where_the_plan_excludes_dsnp_members(tmp_path: Path, network: Any) -> None:
    for plan_code, county in (("HPSM", "San Mateo"), ("HPSJ", "San Joaquin")):
        plans_loader = Loader(tmp_path / plan_code, plan_code=plan_code)
        plans_loader.directory.mkdir()
        cin = "93000000A" if plan_code == "HPSM" else "94000000A"
        plans_loader.apply([row(cin, plan_code=plan_code, county=county)])
        EnrollmentFactory(referral__member=Member.objects.get(cin=cin), status=EnrollmentStatus.ENROLLED)
        load = plans_loader.apply([row(cin, plan_code=plan_code, county=county, dsnp="Y")])
        assert load.counts["dsnp"] == 1
    assert list(RosterFact.objects.values_list("member__cin", "kind")) == [("93000000A", FactKind.DSNP)]


@pytest.mark.django_db(transaction=True)
def test_progress_is_on_the_loads_row_while_the_load_runs(loader: Loader, settings: Any) -> None:
    """Another connection (the page a person watches) sees the phase as it happens; on SQLite only outside the load's
    write transaction, which holds the database's one write lock."""
    seen: list[tuple[str, str]] = []
    load = loader.offer(loader.file([row(cin) for cin in cins(5)]))
    watcher = connections.create_connection(DEFAULT_DB_ALIAS)

    def watch(phase: str, done: int, total: int) -> None:
        with watcher.cursor() as cursor:
            cursor.execute("SELECT phase FROM roster_rosterload WHERE id = %s", [load.pk.hex if _sqlite() else load.pk])
            seen.append((phase, cursor.fetchone()[0]))

    try:
        load = roster_load_apply(load_id=load.pk, actor=None, progress=watch)
    finally:
        watcher.close()
    assert load.status == LoadStatus.APPLIED and load.phase == "Applied"
    phases = [phase for phase, _ in seen]
    assert "Staging the rows" in phases and "Writing the audit trail" in phases
    written = {phase for phase, shown in seen if phase == shown}
    assert any(p.startswith(("reading", "checking", "Reading", "Checking")) for p in written)
    assert ("Writing the audit trail" in written) == (not _sqlite())


def _sqlite() -> bool:
    return connection.vendor == "sqlite"
