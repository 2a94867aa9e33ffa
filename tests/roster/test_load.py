"""Applying a complete roster (exchange-spec §1): members created and updated field by field with one audit event
each naming only what changed, unchanged members left without one, termination by absence and its guard, moves
between plans, programs, optional columns, NPIs, idempotent reloads. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.core.models import AuditEvent
from calaim.members.models import EnrollmentSpan, Member, MemberProgram
from calaim.plans.models import Plan
from calaim.roster.models import LoadStatus, RosterLoad
from calaim.roster.services import roster_load_apply
from tests.factories import MemberFactory, OrganizationFactory
from tests.roster.test_load_helpers import AS_OF, Loader, cins, loader, row

__all__ = ["loader"]
pytestmark = pytest.mark.django_db
DAY_BEFORE = AS_OF - dt.timedelta(days=1)


def _events(action: str | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(object_type="members.member").order_by("id")
    return list(events.filter(action=action) if action else events)


def _spans(cin: str) -> list[tuple[str, dt.date, dt.date | None]]:
    spans = EnrollmentSpan.objects.filter(member__cin=cin).select_related("plan").order_by("start_date", "id")
    return [(s.plan.code, s.start_date, s.end_date) for s in spans]


def test_a_first_load_creates_members_with_spans_programs_and_one_audit_event_each(loader: Loader) -> None:
    kaiser_row = row("91000001A", delegated_to="kaiser", other_programs="PACE;HOSPICE", homeless_flag="Y")
    load = loader.apply([row("91000000A", enrollment_end="2026-12-31"), kaiser_row])

    assert load.status == LoadStatus.APPLIED, load.message
    assert (load.counts["created"], load.counts["updated"], load.counts["unchanged"]) == (2, 0, 0)
    assert (load.counts["delegated"], load.counts["excluded"], load.counts["rows_read"]) == (1, 1, 2)
    member = Member.objects.get(cin="91000001A")
    assert member.plan.code == "HPSJ" and member.county.name == "San Joaquin"
    assert member.delegated_to is not None and member.delegated_to.code == "KAISER"
    assert member.experiencing_homelessness and member.phone == "+12095550101" and member.language == "es"
    assert sorted(MemberProgram.objects.filter(member=member).values_list("program_code", "start_date")) == [
        ("HOSPICE", AS_OF),
        ("PACE", AS_OF),
    ]
    assert _spans("91000000A") == [("HPSJ", dt.date(2024, 1, 1), dt.date(2026, 12, 31))]
    created = _events("member.roster_created")
    assert len(created) == 2 and all(e.before is None and e.actor_label.startswith("tester") for e in created)
    after = next(e.after for e in created if e.object_id == str(member.pk))
    assert after["cin"] == "91000001A" and after["delegated_to"] == str(member.delegated_to_id)
    assert after["experiencing_homelessness"] is True and after["dsnp"] is False
    assert after["county"] == member.county_id and after["plan"] == member.plan_id
    assert (after["enrollment_start"], after["enrollment_end"], after["other_programs"]) == (
        "2024-01-01",
        None,
        "HOSPICE;PACE",
    )
    assert created[0].reason == f"roster load {load.pk} as of 2026-07-01, roster1.csv"
    assert load.samples["created"][0]["changes"]["county"] == [None, "San Joaquin"]


def test_an_update_audits_only_the_changed_fields_and_leaves_unchanged_members_alone(loader: Loader) -> None:
    rows = [row(cin) for cin in cins(3)]
    loader.apply(rows)
    first_events = len(_events())
    rows[1] = row(cins(3)[1], last_name="Nguyen", phone="+12095550199", homeless_flag="Y")
    load = loader.apply(rows)

    assert (load.counts["created"], load.counts["updated"], load.counts["unchanged"]) == (0, 1, 2)
    [event] = _events()[first_events:]
    assert event.action == "member.roster_updated"
    assert event.before == {
        "last_name": "Lopez9100",
        "phone": "+12095550101",
        "experiencing_homelessness": False,
    }
    assert event.after == {"last_name": "Nguyen", "phone": "+12095550199", "experiencing_homelessness": True}
    assert load.samples["updated"] == [
        {
            "cin": "91000001A",
            "name": "Ana Nguyen",
            "changes": {
                "last_name": ["Lopez9100", "Nguyen"],
                "phone": ["+12095550101", "+12095550199"],
                "experiencing_homelessness": [False, True],
            },
        }
    ]
    assert Member.objects.get(cin="91000001A").last_name == "Nguyen"


def test_the_same_content_in_another_file_changes_nothing_and_the_same_bytes_are_a_duplicate(loader: Loader) -> None:
    rows = [row(cin, other_programs="CCM") for cin in cins(3)]
    first = loader.apply(rows)
    events = len(_events())
    again = loader.apply(rows[::-1])  # other bytes (another order), the same members
    assert again.status == LoadStatus.APPLIED
    assert (again.counts["unchanged"], again.counts["updated"], again.counts["termed"]) == (3, 0, 0)
    assert len(_events()) == events

    duplicate = loader.offer(loader.files[0])
    duplicate = _apply(duplicate)
    assert duplicate.status == LoadStatus.DUPLICATE and duplicate.duplicate_of == first
    assert "these bytes were loaded on" in duplicate.message
    assert "by tester (manage.py roster_load)" in duplicate.message
    assert len(_events()) == events and MemberProgram.objects.count() == 3


def _apply(load: RosterLoad) -> RosterLoad:
    return roster_load_apply(load_id=load.pk, actor=None)


def test_a_member_absent_from_the_roster_is_termed_the_day_before_as_of(loader: Loader) -> None:
    everyone = [row(cin) for cin in cins(40)]
    loader.apply(everyone)
    load = loader.apply(everyone[1:])  # 1 of 40 = 2.5%, under the 5% guard

    assert load.status == LoadStatus.APPLIED
    assert (load.counts["termed"], load.counts["termed_by_absence"], load.counts["enrolled_before"]) == (1, 1, 40)
    assert load.counts["term_percent"] == 2.5
    assert _spans(everyone[0]["member_id"]) == [("HPSJ", dt.date(2024, 1, 1), DAY_BEFORE)]
    [event] = _events("member.roster_termed")
    assert (event.before, event.after) == ({"enrollment_end": None}, {"enrollment_end": "2026-06-30"})
    assert load.samples["termed"][0]["changes"] == {"enrollment_end": [None, "2026-06-30"]}
    # Termed already: a later roster without the member changes nothing more.
    assert loader.apply(everyone[:0:-1]).counts["termed"] == 0


def test_the_mass_termination_guard_refuses_and_writes_nothing_unless_allowed(loader: Loader) -> None:
    everyone = [row(cin) for cin in cins(20)]
    loader.apply(everyone)
    before = (Member.objects.count(), EnrollmentSpan.objects.filter(end_date__isnull=True).count(), len(_events()))
    refused = loader.apply(everyone[:18])  # 2 of 20 = 10%

    assert refused.status == LoadStatus.REFUSED
    assert "2 of the 20 members of HPSJ enrolled on 2026-07-01 (10.0%)" in refused.message
    assert "limit of 5%" in refused.message
    assert refused.counts["termed_by_absence"] == 2 and len(refused.samples["termed"]) == 2
    assert (Member.objects.count(), EnrollmentSpan.objects.filter(end_date__isnull=True).count(), len(_events())) == (
        before
    )
    allowed = loader.apply(everyone[:18], allow_mass_term=True)
    assert allowed.status == LoadStatus.APPLIED and allowed.counts["termed"] == 2
    assert EnrollmentSpan.objects.filter(end_date=DAY_BEFORE).count() == 2


def test_the_guard_percent_is_the_plans_dated_setting(loader: Loader) -> None:
    everyone = [row(cin) for cin in cins(20)]
    loader.apply(everyone)
    for settings in Plan.objects.get(code="HPSJ").program_settings.all():  # as the admin saves them
        settings.roster_mass_term_percent = 10
        settings.save()
    load = loader.apply(everyone[:18])
    assert load.status == LoadStatus.APPLIED, load.message


def test_a_cin_of_another_plan_moves_with_its_history(loader: Loader) -> None:
    hpsm = Plan.objects.get(code="HPSM")
    moving = MemberFactory(cin="91000000A", plan=hpsm, county=hpsm.counties.get())
    load = loader.apply([row("91000000A", enrollment_start="2026-06-01")])

    assert load.counts["moved"] == 1 and load.counts["created"] == 0
    moving.refresh_from_db()
    assert moving.plan.code == "HPSJ" and moving.county.name == "San Joaquin"
    assert _spans("91000000A") == [
        ("HPSM", dt.date(2020, 1, 1), dt.date(2026, 5, 31)),
        ("HPSJ", dt.date(2026, 6, 1), None),
    ]
    [event] = _events("member.roster_moved")
    assert event.before["plan"] == hpsm.pk and event.after["plan"] == moving.plan_id
    assert (event.before["enrollment_start"], event.after["enrollment_start"]) == (None, "2026-06-01")
    assert load.samples["moved"][0]["changes"]["plan"] == ["HPSM", "HPSJ"]


def test_programs_open_on_as_of_and_close_the_day_before(loader: Loader) -> None:
    loader.apply([row("91000000A", other_programs="CCM;MSSP")])
    load = loader.apply([row("91000000A", other_programs="HOSPICE;MSSP")])

    programs = MemberProgram.objects.filter(member__cin="91000000A").order_by("program_code")
    # CCM opened on this same as_of by the first file, so the corrected file withdraws it rather than ending it.
    assert [(p.program_code, p.start_date, p.end_date) for p in programs] == [
        ("HOSPICE", AS_OF, None),
        ("MSSP", AS_OF, None),
    ]
    [event] = _events("member.roster_updated")
    assert (event.before, event.after) == ({"other_programs": "CCM;MSSP"}, {"other_programs": "HOSPICE;MSSP"})
    assert load.counts["excluded"] == 1 and load.samples["excluded"][0]["changes"] == {
        "other_programs": ["CCM;MSSP", "HOSPICE;MSSP"]
    }


def test_a_program_listed_since_an_earlier_as_of_closes_the_day_before_this_one(loader: Loader) -> None:
    loader.apply([row("91000000A", other_programs="CCM")], as_of=dt.date(2026, 6, 1))
    loader.apply([row("91000000A", other_programs="")])
    [program] = MemberProgram.objects.filter(member__cin="91000000A")
    assert (program.start_date, program.end_date) == (dt.date(2026, 6, 1), DAY_BEFORE)


def test_an_absent_optional_column_leaves_the_field_and_an_empty_one_clears_it(loader: Loader) -> None:
    loader.apply([row("91000000A", phone="+12095550101", city="Stockton", other_programs="CCM")])
    load = loader.apply(
        [row("91000000A", phone="+12095550155", city="", other_programs="")], without=("phone", "other_programs")
    )
    member = Member.objects.get(cin="91000000A")
    assert member.phone == "+12095550101" and member.city == ""
    assert MemberProgram.objects.get(member=member).end_date is None
    [event] = _events("member.roster_updated")
    assert (event.before, event.after) == ({"city": "Stockton"}, {"city": ""})
    assert load.counts["updated"] == 1


def test_the_pcp_and_behavioral_health_organization_come_from_their_npi(loader: Loader) -> None:
    clinic = OrganizationFactory(name="Valley PCP", kind="pcp_clinic", npi="1234567893")
    bh = OrganizationFactory(name="Delta BH", kind="behavioral_health", npi="1987654328")
    load = loader.apply(
        [
            row("91000000A", pcp_npi="1234567893", pcp_name="Dr. Ruiz", bh_provider_npi="1987654328"),
            row("91000001A", pcp_npi="1111111112", pcp_name="Dr. Unknown"),
        ]
    )
    assert load.status == LoadStatus.APPLIED, load.errors
    known, unknown = Member.objects.get(cin="91000000A"), Member.objects.get(cin="91000001A")
    assert (known.pcp_organization, known.pcp_name, known.behavioral_health_organization) == (clinic, "Dr. Ruiz", bh)
    assert (unknown.pcp_organization, unknown.pcp_name) == (None, "Dr. Unknown")


def test_a_span_starting_on_the_rows_start_takes_its_end_and_a_new_start_opens_a_new_span(loader: Loader) -> None:
    loader.apply([row("91000000A"), row("91000001A")])
    ended, restarted = row("91000000A", enrollment_end="2026-05-31"), row("91000001A", enrollment_start="2026-03-01")
    load = loader.apply([ended, restarted])

    assert _spans("91000000A") == [("HPSJ", dt.date(2024, 1, 1), dt.date(2026, 5, 31))]
    assert _spans("91000001A") == [
        ("HPSJ", dt.date(2024, 1, 1), dt.date(2026, 2, 28)),
        ("HPSJ", dt.date(2026, 3, 1), None),
    ]
    assert (load.counts["termed"], load.counts["updated"]) == (1, 1)
    termed = _events("member.roster_termed")[0]
    assert (termed.before, termed.after) == ({"enrollment_end": None}, {"enrollment_end": "2026-05-31"})


def test_a_dry_run_previews_the_changes_and_writes_no_member(loader: Loader) -> None:
    loader.apply([row(cin) for cin in cins(3)])
    state = _state()
    changed = [row(cins(3)[0], last_name="Smith"), *(row(c) for c in cins(2, start=10))]
    load = loader.preview(changed, dry_run=True, allow_mass_term=True)

    assert load.status == LoadStatus.DRY_RUN
    assert (load.counts["created"], load.counts["updated"], load.counts["termed"]) == (2, 1, 2)
    assert load.samples["updated"][0]["changes"] == {"last_name": ["Lopez9100", "Smith"]}
    assert _state() == state


def test_a_failure_midway_writes_nothing_and_the_load_says_why(loader: Loader, monkeypatch: Any) -> None:
    loader.apply([row(cin) for cin in cins(2)])
    state = _state()

    def broken(**kwargs: Any) -> int:
        raise RuntimeError("the facts table is gone")

    monkeypatch.setattr("calaim.roster.merge_load.facts_raise", broken)
    load = loader.apply([row(cins(2)[0], last_name="Smith"), row(cins(2)[1]), row("91000099A")])
    assert load.status == LoadStatus.FAILED
    assert "RuntimeError: the facts table is gone" in load.message and "Nothing was written" in load.message
    assert _state() == state


def _state() -> tuple[Any, ...]:
    return (
        sorted(Member.objects.values_list("cin", "last_name", "plan_id")),
        sorted(EnrollmentSpan.objects.values_list("member__cin", "start_date", "end_date")),
        sorted(MemberProgram.objects.values_list("member__cin", "program_code", "end_date")),
        AuditEvent.objects.filter(object_type="members.member").count(),
    )


def test_a_row_continues_an_earlier_span_with_its_start_and_an_earlier_start_corrects_the_latest(
    loader: Loader,
) -> None:
    loader.apply([row("91000000A", enrollment_end="2024-12-31"), row("91000001A", enrollment_start="2025-03-01")])
    loader.apply([row("91000000A", enrollment_start="2025-03-01"), row("91000001A", enrollment_start="2025-03-01")])
    assert _spans("91000000A") == [
        ("HPSJ", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("HPSJ", dt.date(2025, 3, 1), None),
    ]
    events = len(_events())

    # The earlier span is the one starting on the row's start: its end is the row's, the latest is left alone.
    load = loader.apply(
        [row("91000000A", enrollment_end="2025-01-31"), row("91000001A", enrollment_start="2024-06-01")]
    )
    assert _spans("91000000A") == [
        ("HPSJ", dt.date(2024, 1, 1), dt.date(2025, 1, 31)),
        ("HPSJ", dt.date(2025, 3, 1), None),
    ]
    # The latest span started later than the row says: its start is corrected.
    assert _spans("91000001A") == [("HPSJ", dt.date(2024, 6, 1), None)]
    assert load.counts["updated"] == 2
    earlier, corrected = _events()[events:]
    assert (earlier.before, earlier.after) == ({"enrollment_end": "2024-12-31"}, {"enrollment_end": "2025-01-31"})
    assert (corrected.before, corrected.after) == (
        {"enrollment_start": "2025-03-01"},
        {"enrollment_start": "2024-06-01"},
    )
    # The same file again (other bytes): the earlier span already ends there, nothing changes.
    again = loader.apply(
        [row("91000001A", enrollment_start="2024-06-01"), row("91000000A", enrollment_end="2025-01-31")]
    )
    assert again.counts["unchanged"] == 2 and len(_events()) == events + 2
