"""Closed-loop monitoring: the figures per referring entity and per provider, the filters, the CSV, the open loops
past the configured age, and that a plan sees only its own loops."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.exchange.models import LoopMonitoringSettings
from calaim.exchange.monitoring import LoopFilters, loop_monitoring, open_loop_age_days
from calaim.exchange.monitoring_export import monitoring_csv_rows, open_loops_csv_rows, open_loops_for
from calaim.notices.models import Notice, NoticeKind, NoticeRecipient, NoticeStatus
from calaim.plans.models import County, Plan
from calaim.referrals.models import LoopEvent
from tests.factories import CsRequestFactory, MemberFactory, OrganizationFactory, ReferralFactory
from tests.reports.conftest import at, enrollment

pytestmark = pytest.mark.django_db
CLOSED = "Referral Loop Closed"


def step(subject: Any, loop_status: str, when: dt.datetime, reason: str = "") -> None:
    """A later step of the loop, and the subject's current DHCS status after it."""
    program = "cs" if hasattr(subject, "service_code") else "ecm"
    LoopEvent.objects.create(
        **{"cs_request" if program == "cs" else "referral": subject},
        program=program,
        status="x",
        status_label="x",
        loop_status=loop_status,
        loop_closure_reason=reason,
        at=when,
    )
    subject.loop_status, subject.loop_closure_reason = loop_status, reason
    subject.save(update_fields=["loop_status", "loop_closure_reason"])


def notice(member: Any, recipient: str, *, referral: Any = None, sent: bool = True, **content: str) -> None:
    Notice.objects.create(
        member=member,
        kind=NoticeKind.REFERRER_OUTCOME if recipient == NoticeRecipient.REFERRER else NoticeKind.ECM_ASSIGNMENT_LETTER,
        recipient=recipient,
        due_date=dt.date(2026, 1, 20),
        status=NoticeStatus.SENT if sent else NoticeStatus.PLANNED,
        sent_at=timezone.now() if sent else None,
        referral=referral,
        content=content,
    )


@pytest.fixture
def loops(network: Any) -> dict[str, Any]:
    clinic, cbo = network.clinic, network.cbo
    made: dict[str, Any] = {}

    def referral(name: str, referrer: Any, received: dt.datetime, **member: Any) -> Any:
        made[name] = ReferralFactory(
            member=MemberFactory(last_name=name.title(), **member),
            referrer_organization=referrer,
            received_at=received,
            status_changed_at=received,
        )
        return made[name]

    r1 = referral("closed", clinic, at(2026, 1, 10))
    step(r1, "Accepted", at(2026, 1, 12))
    step(r1, CLOSED, at(2026, 1, 15), "Services Received")
    enrollment(r1.member, network.provider_a, enrolled_on=dt.date(2026, 1, 15), assigned=at(2026, 1, 12), referral=r1)
    notice(r1.member, NoticeRecipient.MEMBER, referral=r1)
    notice(r1.member, NoticeRecipient.REFERRER, referral=r1)
    notice(r1.member, NoticeRecipient.REFERRER, referral=r1, sent=False)  # planned, not sent: not counted

    r2 = referral("waiting", clinic, at(2026, 1, 12))
    step(r2, "Accepted", at(2026, 1, 16))
    enrollment(
        r2.member, network.provider_b, enrolled_on=None, assigned=at(2026, 1, 16), referral=r2, status="assigned"
    )

    r3 = referral("declined", cbo, at(2026, 2, 1))
    step(r3, CLOSED, at(2026, 2, 11), "Member Declined")

    recent = timezone.localtime(timezone.now()) - dt.timedelta(days=5)
    referral("recent", clinic, recent)  # open, but younger than the configured age

    referral(
        "mateo", cbo, at(2026, 1, 11), plan=Plan.objects.get(code="HPSM"), county=County.objects.get(name="San Mateo")
    )

    cs_provider = made["cs_provider"] = OrganizationFactory(name="Valley Recovery Homes", kind="cs_provider")
    c1 = made["cs"] = CsRequestFactory(
        referrer_name="RN Okafor", provider=cs_provider, received_at=at(2026, 1, 15), status_changed_at=at(2026, 1, 15)
    )
    step(c1, CLOSED, at(2026, 1, 18), "Services Received")
    notice(c1.member, NoticeRecipient.REFERRER, cs_request_id=str(c1.pk), service="recuperative_care")
    return made


def monitoring(**filters: Any) -> Any:
    period = {"start": dt.date(2026, 1, 1), "end": plan_today()}
    return loop_monitoring(Plan.objects.get(code="HPSJ"), LoopFilters(**{**period, **filters}))


def rows_by(result: Any) -> dict[tuple[str, str], Any]:
    return {(row.program, row.entity): row for row in result.rows}


def test_per_referring_entity(loops, network):
    result = monitoring()
    assert result.open_age_days == 30
    assert result.statuses == ["Accepted", "Declined", "Pending", "Outreach Initiated", CLOSED]
    rows = rows_by(result)
    assert set(rows) == {("ecm", "Valley PCP Clinic"), ("ecm", "Delta Food Bank"), ("cs", "RN Okafor")}
    clinic = rows[("ecm", "Valley PCP Clinic")]
    assert (clinic.referrals, clinic.open, clinic.open_over_age, clinic.closed) == (3, 2, 1, 1)
    assert clinic.closure_reasons == {"Services Received": 1}
    assert clinic.days_to_status["Accepted"] == 3.0 and clinic.reached_status["Accepted"] == 2  # 2 and 4 days
    assert clinic.days_to_status[CLOSED] == 5.0 and clinic.reached_status[CLOSED] == 1
    assert clinic.days_to_status["Pending"] == 0.0 and clinic.reached_status["Pending"] == 3
    assert clinic.days_to_status["Declined"] is None and clinic.reached_status["Declined"] == 0
    assert (clinic.member_notices, clinic.referrer_notices) == (1, 1)
    cbo = rows[("ecm", "Delta Food Bank")]
    assert (cbo.referrals, cbo.closed, cbo.closure_reasons) == (1, 1, {"Member Declined": 1})
    assert cbo.days_to_status[CLOSED] == 10.0
    cs = rows[("cs", "RN Okafor")]  # a referrer with no organization is known by name
    assert (cs.referrals, cs.closed, cs.referrer_notices, cs.days_to_status[CLOSED]) == (1, 1, 1, 3.0)
    totals = result.totals
    assert (totals.referrals, totals.closed, totals.open_over_age, totals.referrer_notices) == (5, 3, 1, 2)
    assert totals.closure_reasons == {"Services Received": 2, "Member Declined": 1}
    assert totals.days_to_status[CLOSED] == 6.0  # (5 + 10 + 3) / 3


def test_per_provider(loops, network):
    rows = rows_by(monitoring(group="provider"))
    assert set(rows) == {
        ("ecm", "Alpha Care Partners"),
        ("ecm", "Bravo Health Navigators"),
        ("ecm", "Not assigned to a provider"),
        ("cs", "Valley Recovery Homes"),
    }
    assert rows[("ecm", "Alpha Care Partners")].closure_reasons == {"Services Received": 1}
    assert rows[("ecm", "Bravo Health Navigators")].open_over_age == 1
    assert rows[("ecm", "Not assigned to a provider")].referrals == 2


def test_filters(loops, network):
    assert {row.program for row in monitoring(program="cs").rows} == {"cs"}
    only_cbo = monitoring(referrer=network.cbo.pk)
    assert [(r.entity, r.referrals) for r in only_cbo.rows] == [("Delta Food Bank", 1)]
    only_b = monitoring(group="provider", provider=network.provider_b.pk)
    assert [(r.entity, r.referrals) for r in only_b.rows] == [("Bravo Health Navigators", 1)]
    january = monitoring(end=dt.date(2026, 1, 31))
    assert january.totals.referrals == 3  # the closed, the waiting and the CS request
    assert monitoring(start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 31)).rows == []


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"start": dt.date(2026, 2, 1), "end": dt.date(2026, 1, 1)}, "end"),
        ({"program": "dental"}, "program"),
        ({"group": "county"}, "group"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(filters, field):
    with pytest.raises(ValidationFailed) as refused:
        LoopFilters(**{"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31), **filters})
    assert refused.value.field == field


def test_another_plan_sees_only_its_own_loops(loops, network):
    rows = loop_monitoring(Plan.objects.get(code="HPSM"), LoopFilters(dt.date(2026, 1, 1), plan_today())).rows
    assert [(r.entity, r.referrals) for r in rows] == [("Delta Food Bank", 1)]


def test_the_csv_has_the_same_rows_and_the_totals(loops):
    result = monitoring()
    lines = list(monitoring_csv_rows(result))
    header = lines[0]
    assert header[:6] == ["program", "referring_entity", "referrals", "open", "open_over_30_days", "closed"]
    assert "closed_services_received" in header and "avg_days_to_referral_loop_closed" in header
    assert header[-2:] == ["member_notices_sent", "referrer_notices_sent"]
    assert len(lines) == 1 + len(result.rows) + 1 and lines[-1][:3] == ["all", "All", 5]
    clinic = next(line for line in lines if line[1] == "Valley PCP Clinic")
    assert dict(zip(header, clinic, strict=True))["avg_days_to_accepted"] == 3.0


def test_a_formula_in_a_referrers_name_stays_text(network):
    CsRequestFactory(referrer_name="=HYPERLINK(1)", received_at=at(2026, 1, 15), status_changed_at=at(2026, 1, 15))
    lines = list(monitoring_csv_rows(monitoring()))
    assert any(line[1] == "'=HYPERLINK(1)" for line in lines)


def test_open_loops_past_the_configured_age(loops, network):
    filters = LoopFilters(dt.date(2026, 1, 1), plan_today())
    total, found = open_loops_for(network.users["compliance"], filters)
    assert total == 1 and [(loop.member_name, loop.provider, loop.referrer) for loop in found] == [
        ("Waiting, Ana", "Bravo Health Navigators", "Valley PCP Clinic")
    ]
    lines = list(open_loops_csv_rows(found))
    assert lines[0][:3] == ["program", "member_cin", "member_name"] and lines[1][0] == "ECM"


def test_the_age_is_configuration_a_plans_own_row_first(loops, network):
    hpsj = Plan.objects.get(code="HPSJ")
    LoopMonitoringSettings.objects.create(plan=hpsj, effective_from=dt.date(2025, 7, 1), open_loop_age_days=2)
    assert open_loop_age_days(hpsj, plan_today()) == 2
    assert open_loop_age_days(Plan.objects.get(code="HPSM"), plan_today()) == 30
    assert monitoring().totals.open_over_age == 2  # the recent one is now old enough too
