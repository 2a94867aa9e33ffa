"""Report fixtures: each plan's compliance officer and data analyst, and a built quarter (2026 Q1) of ECM and
Community Supports work at HPSJ whose QIMR figures are known in advance, with look-alikes at HPSM that must not
appear in HPSJ's reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from calaim.accounts.models import Role, User
from calaim.authorizations.models import AuthorizationStatus
from calaim.careplans.models import OutreachAttempt
from calaim.community_supports.models import CsDelivery, CsRequestStatus
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.ecm.models import EligibilityDetermination, Enrollment, EnrollmentStatus
from calaim.network.models import Contract, Organization
from calaim.notices.models import Notice, NoticeKind, NoticeRecipient, NoticeStatus
from calaim.plans.models import County, Plan
from calaim.referrals.models import LoopEvent, ReferralStatus
from tests.factories import (
    AuthorizationFactory,
    CsRequestFactory,
    EnrollmentFactory,
    MemberFactory,
    OrganizationFactory,
    ReferralFactory,
    UserFactory,
)

NPI_A, NPI_B, NPI_M, NPI_CS = "1111111111", "2222222222", "3333333333", "4444444444"
CLOSED = "Referral Loop Closed"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in the plan's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=PLAN_TIME_ZONE)


@pytest.fixture
def network(network: Any) -> Any:
    """The shared network with NPIs, plus each plan's compliance officer and data analyst."""
    for org, npi in ((network.provider_a, NPI_A), (network.provider_b, NPI_B), (network.provider_m, NPI_M)):
        org.npi = npi
        org.save(update_fields=["npi"])
    users = {
        "compliance": (Role.PLAN_COMPLIANCE, network.hpsj),
        "analyst": (Role.PLAN_DATA_ANALYST, network.hpsj),
        "hpsm_compliance": (Role.PLAN_COMPLIANCE, network.hpsm),
        "hpsm_analyst": (Role.PLAN_DATA_ANALYST, network.hpsm),
    }
    for name, (role, org) in users.items():
        network.users[name] = UserFactory(username=name, role=role, organization=org)
    return network


def enrollment(
    member: Any,
    provider: Organization,
    *,
    enrolled_on: dt.date | None,
    assigned: dt.datetime,
    ended_on: dt.date | None = None,
    status: str = EnrollmentStatus.ENROLLED,
    reason: str = "",
    referral: Any = None,
) -> Enrollment:
    referral = referral or ReferralFactory(member=member, status=ReferralStatus.ENROLLED)
    return EnrollmentFactory(
        referral=referral,
        member=member,
        provider=provider,
        status=status,
        enrolled_on=enrolled_on,
        ended_on=ended_on,
        assigned_at=assigned,
        discontinuation_reason=reason,
    )


def determination(member: Any, pofs: list[str], on: dt.date = dt.date(2025, 10, 1)) -> None:
    EligibilityDetermination.objects.create(
        member=member,
        determined_on=on,
        determined_by=User.objects.get(username="intake"),
        outcome="eligible",
        qualified_pofs=pofs,
        rule_version="2026.1",
    )


def outreach(found: Enrollment, on: dt.date, method: str, *, reached: bool = True) -> None:
    OutreachAttempt.objects.create(
        member=found.member,
        enrollment=found,
        organization=found.provider,
        attempted_on=on,
        method=method,
        reached=reached,
        minutes_spent=15,
        performed_by=User.objects.get(username="cm_a"),
    )


@dataclass
class Quarter1:
    """The members of the built quarter, by what each one tests."""

    members: dict[str, Any] = field(default_factory=dict)
    cs_provider: Organization | None = None


@pytest.fixture
def quarter1(network: Any) -> Quarter1:
    built = Quarter1()
    a, b, m = network.provider_a, network.provider_b, network.provider_m
    stanislaus = County.objects.get(name="Stanislaus")

    # Enrolled before the quarter, open: POFs A1 and A3; contact days counted once per day and mode.
    one = built.members["open"] = MemberFactory(last_name="Open", cin="20000001A", birth_date=dt.date(1970, 2, 3))
    found = enrollment(one, a, enrolled_on=dt.date(2025, 11, 15), assigned=at(2025, 11, 1))
    determination(one, ["A1", "A3"])
    outreach(found, dt.date(2026, 1, 5), "in_person")
    outreach(found, dt.date(2026, 1, 5), "in_person")  # the same day again: one encounter
    outreach(found, dt.date(2026, 1, 5), "phone")  # the same day by telephone: one of each mode
    outreach(found, dt.date(2026, 2, 10), "video", reached=False)  # unsuccessful attempts count
    outreach(found, dt.date(2026, 2, 11), "mail")  # mail is neither mode
    outreach(found, dt.date(2025, 12, 20), "in_person")  # before the quarter

    # Enrolled in the quarter and disenrolled in it (unable to reach: DHCS code 3); L_IDD is no longer live.
    two = built.members["ended"] = MemberFactory(last_name="Ended", cin="20000002A")
    enrollment(
        two, b, enrolled_on=dt.date(2026, 1, 10), assigned=at(2026, 1, 2), ended_on=dt.date(2026, 2, 20),
        status=EnrollmentStatus.DISENROLLED, reason="unable_to_reach",
    )  # fmt: skip
    determination(two, ["A7", "L_IDD"])

    # Moved from provider A to B in the quarter (the new enrollment keeps the date): one period, B's NPI.
    three = built.members["moved"] = MemberFactory(last_name="Moved", cin="20000003A")
    first = enrollment(
        three, a, enrolled_on=dt.date(2026, 1, 5), assigned=at(2026, 1, 2), ended_on=dt.date(2026, 2, 1),
        status=EnrollmentStatus.TRANSFERRED,
    )  # fmt: skip
    second = enrollment(three, b, enrolled_on=dt.date(2026, 1, 5), assigned=at(2026, 2, 1), referral=first.referral)
    outreach(first, dt.date(2026, 1, 20), "in_person")
    outreach(second, dt.date(2026, 3, 2), "text")

    # Ended before the quarter: not in it.
    four = built.members["before"] = MemberFactory(last_name="Before", cin="20000004A")
    enrollment(
        four, a, enrolled_on=dt.date(2025, 6, 1), assigned=at(2025, 5, 20), ended_on=dt.date(2025, 12, 15),
        status=EnrollmentStatus.DISENROLLED, reason="goals_met",
    )  # fmt: skip

    # Assigned, never enrolled: no ECM benefit.
    six = built.members["assigned"] = MemberFactory(last_name="Assigned", cin="20000006A")
    enrollment(six, a, enrolled_on=None, assigned=at(2026, 2, 1), status=EnrollmentStatus.ASSIGNED)

    # A child in Stanislaus qualified under C5 and A7 (A7 made live there only after the quarter, below); ended on
    # the quarter's last day with no reason recorded: the catch-all code 15.
    seven = built.members["child"] = MemberFactory(
        last_name="Child", cin="20000007A", birth_date=dt.date(2012, 4, 1), county=stanislaus
    )
    enrollment(
        seven, a, enrolled_on=dt.date(2026, 1, 2), assigned=at(2026, 1, 1), ended_on=dt.date(2026, 3, 31),
        status=EnrollmentStatus.DISENROLLED,
    )  # fmt: skip
    determination(seven, ["C5", "A7"])
    network.hpsj.plan.go_lives.filter(county=stanislaus, pof_code="A7").update(effective_from=dt.date(2026, 6, 1))

    # Back within 9 days of ending: one period from the first start.
    eight = built.members["gap9"] = MemberFactory(last_name="Gapnine", cin="20000008A")
    enrollment(
        eight, a, enrolled_on=dt.date(2025, 10, 1), assigned=at(2025, 9, 25), ended_on=dt.date(2026, 1, 10),
        status=EnrollmentStatus.DISENROLLED, reason="opted_out",
    )  # fmt: skip
    enrollment(eight, a, enrolled_on=dt.date(2026, 1, 20), assigned=at(2026, 1, 19))

    # Back after 30 days: two periods, the first ended with its reason (opted out: code 2).
    nine = built.members["gap30"] = MemberFactory(last_name="Gapthirty", cin="20000009A")
    enrollment(
        nine, a, enrolled_on=dt.date(2025, 10, 1), assigned=at(2025, 9, 25), ended_on=dt.date(2026, 1, 10),
        status=EnrollmentStatus.DISENROLLED, reason="opted_out",
    )  # fmt: skip
    enrollment(nine, b, enrolled_on=dt.date(2026, 2, 10), assigned=at(2026, 2, 9))

    # Another plan's member, enrolled all quarter: never in HPSJ's report.
    other = built.members["hpsm"] = MemberFactory(
        last_name="Mateo",
        cin="20000010A",
        plan=Plan.objects.get(code="HPSM"),
        county=County.objects.get(name="San Mateo"),
    )
    enrollment(other, m, enrolled_on=dt.date(2025, 12, 1), assigned=at(2025, 11, 20))

    _ecm_referrals(built)
    _community_supports(built, network)
    return built


def _ecm_referrals(built: Quarter1) -> None:
    """Referrals received at the quarter's edges (Pacific time) for Tab 2."""
    for cin, when in (("20000011A", at(2025, 12, 31, 23, 30)), ("20000012A", at(2026, 3, 31, 23, 30))):
        member = built.members[cin] = MemberFactory(last_name=f"Edge{cin[-3:]}", cin=cin)
        ReferralFactory(member=member, received_at=when, status_changed_at=when)


def _community_supports(built: Quarter1, network: Any) -> None:
    """Tab 4 to 6: approvals, deliveries, a denial, an internal request and a CS provider's contract."""
    provider = built.cs_provider = OrganizationFactory(name="Valley Recovery Homes", kind="cs_provider", npi=NPI_CS)
    contract = Contract.objects.create(
        plan=network.hpsj.plan, organization=provider, program="cs", capacity=20, services=["recuperative_care",
        "transitional_rent"], start_date=dt.date(2024, 1, 1),
    )  # fmt: skip
    contract.counties.set(County.objects.filter(name="San Joaquin"))

    # Recuperative care approved for two weeks in February and delivered: approved and received.
    ten = built.members["cs_received"] = MemberFactory(last_name="Recovering", cin="20000020A")
    request = _cs(ten, "recuperative_care", at(2026, 1, 20), provider, (dt.date(2026, 2, 1), dt.date(2026, 2, 14)))
    CsDelivery.objects.create(
        request=request, member=ten, service_code="recuperative_care", provider=provider,
        start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 2, 10), units=Decimal(10), cost=Decimal(1000),
        recorded_by=User.objects.get(username="intake"),
    )  # fmt: skip

    # Transitional rent approved from mid-March (still open at the quarter's end), nothing delivered yet.
    eleven = built.members["cs_rent"] = MemberFactory(last_name="Renting", cin="20000021A")
    _cs(eleven, "transitional_rent", at(2026, 3, 1), provider, (dt.date(2026, 3, 15), dt.date(2026, 9, 14)))

    # A request denied in the quarter, and one from the plan's own identification (not external).
    twelve = built.members["cs_denied"] = MemberFactory(last_name="Denied", cin="20000022A")
    CsRequestFactory(
        member=twelve, service_code="housing_deposits", status=CsRequestStatus.DENIED,
        received_at=at(2026, 2, 2), status_changed_at=at(2026, 2, 5),
    )  # fmt: skip
    thirteen = built.members["cs_internal"] = MemberFactory(last_name="Internal", cin="20000023A")
    CsRequestFactory(member=thirteen, source_type="plan_identification", received_at=at(2026, 2, 3))


def _cs(
    member: Any, service: str, received: dt.datetime, provider: Organization, period: tuple[dt.date, dt.date]
) -> Any:
    authorization = AuthorizationFactory(
        referral=None, member=member, program="cs", status=AuthorizationStatus.APPROVED, decided_at=received,
        period_start=period[0], period_end=period[1],
    )  # fmt: skip
    return CsRequestFactory(
        member=member, service_code=service, status=CsRequestStatus.AUTHORIZED, authorization=authorization,
        provider=provider, received_at=received, status_changed_at=received,
    )  # fmt: skip


# ---- Closed loops for monitoring ------------------------------------------------------------------------------


def step(subject: Any, loop_status: str, when: dt.datetime, reason: str = "", source: str = "calaim") -> None:
    """A later step of the loop (recorded in calaim, or reported in a provider's RTF), and the subject's current DHCS
    status after it."""
    program = "cs" if hasattr(subject, "service_code") else "ecm"
    LoopEvent.objects.create(
        **{"cs_request" if program == "cs" else "referral": subject},
        program=program,
        status="x",
        status_label="x",
        loop_status=loop_status,
        loop_closure_reason=reason,
        at=when,
        source=source,
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
    step(r2, "Accepted", at(2026, 1, 16), source=LoopEvent.Source.RTF)  # as the provider reported it
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
