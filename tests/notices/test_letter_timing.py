"""When each member letter is due (letters.yaml timing, domain doc §5.2): a Notice of Action the same day; a
Knox-Keene plan's decision letters within 2 business days; a plan-initiated ECM ending at least 10 days before the
date of action, or by that date when the member's own act or circumstance ended it; otherwise the plan's business
days. The old call (no kind) keeps the plan's business days."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.core.clock import add_business_days, plan_today
from calaim.notices.letters.timing import letter_due
from calaim.notices.models import Notice, NoticeKind
from calaim.notices.reference import letters_config
from calaim.notices.services import member_letter_due
from calaim.plans.models import ProgramSettings
from calaim.referrals.closed_loop import loop_status_set
from calaim.referrals.models import ReferralStatus
from tests.factories import MemberFactory, ReferralFactory

MONDAY = dt.date(2026, 6, 1)
K = NoticeKind


def due(kind: str, *, knox: bool = False, action_on: dt.date | None = None, cause: str = "") -> dt.date:
    return letter_due(
        kind=kind, day=MONDAY, plan_business_days=5, knox_keene_licensed=knox, action_on=action_on, cause=cause
    )


def test_the_timing_defaults_are_the_domain_docs():
    timing = letters_config().timing
    assert (timing.default, timing.kinds) == ("plan_business_days", {"notice_of_action": "same_day"})
    assert (timing.knox_keene_business_days, timing.advance_days) == (2, 10)
    assert {"deceased", "opted_out"} <= timing.advance_exceptions and "unable_to_reach" not in timing.advance_exceptions


def test_a_notice_of_action_is_due_the_day_of_the_decision():
    assert due(K.NOTICE_OF_ACTION) == MONDAY == due(K.NOTICE_OF_ACTION, knox=True)


@pytest.mark.parametrize("kind", [K.ECM_ASSIGNMENT_LETTER, K.ECM_ENROLLMENT_LETTER, K.APPEAL_ACKNOWLEDGMENT])
def test_other_letters_take_the_plans_business_days(kind):
    assert due(kind) == due(kind, knox=True) == add_business_days(MONDAY, 5) == dt.date(2026, 6, 8)


@pytest.mark.parametrize("kind", [K.CS_AUTHORIZATION_LETTER, K.AUTHORIZATION_EXTENSION_LETTER])
def test_a_knox_keene_plans_decision_letters_are_due_in_two_business_days(kind):
    assert due(kind, knox=True) == dt.date(2026, 6, 3)
    assert due(kind, knox=False) == dt.date(2026, 6, 8)


def test_a_plan_initiated_ending_is_due_ten_days_before_the_date_of_action():
    ending = K.ECM_DISENROLLMENT_LETTER
    assert due(ending, action_on=MONDAY + dt.timedelta(days=30), cause="unable_to_reach") == dt.date(2026, 6, 8)
    assert due(ending, action_on=MONDAY + dt.timedelta(days=12), cause="goals_met") == dt.date(2026, 6, 3)
    # Ended today by the plan: the notice was owed ten days ago, so it is overdue at once.
    assert due(ending, action_on=MONDAY, cause="safety") == dt.date(2026, 5, 22)
    assert due(ending) == dt.date(2026, 6, 8)  # no date of action given: the plan's business days


@pytest.mark.parametrize("cause", ["opted_out", "deceased", "moved_out_of_area", "incarcerated_or_institutionalized"])
def test_an_ending_the_member_caused_is_due_no_later_than_the_date_of_action(cause):
    assert due(K.ECM_DISENROLLMENT_LETTER, action_on=MONDAY + dt.timedelta(days=2), cause=cause) == dt.date(2026, 6, 3)
    assert due(K.ECM_DISENROLLMENT_LETTER, action_on=MONDAY + dt.timedelta(days=20), cause=cause) == dt.date(2026, 6, 8)


@pytest.mark.django_db
def test_member_letter_due_reads_the_plan_and_the_content(reference):
    member = MemberFactory()  # HPSJ: 5 business days, Knox-Keene licensed
    assert member_letter_due(member, MONDAY) == dt.date(2026, 6, 8)  # the old call
    assert member_letter_due(member, MONDAY, K.CS_AUTHORIZATION_LETTER) == dt.date(2026, 6, 3)
    ended = {"effective_on": "2026-06-01", "reason_code": "unable_to_reach"}
    assert member_letter_due(member, MONDAY, K.ECM_DISENROLLMENT_LETTER, content=ended) == dt.date(2026, 5, 22)
    opted = {"effective_on": "2026-06-01", "reason_code": "opted_out"}
    assert member_letter_due(member, MONDAY, K.ECM_DISENROLLMENT_LETTER, content=opted) == MONDAY
    settings = ProgramSettings.objects.get(plan=member.plan)
    settings.knox_keene_licensed, settings.member_letter_business_days = False, 3
    settings.save()  # (a reference row's save clears the cached settings, as the loader's does)
    assert member_letter_due(member, MONDAY, K.CS_AUTHORIZATION_LETTER) == dt.date(2026, 6, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(("cause", "owed"), [("unable_to_reach", -10), ("opted_out", 0)])
def test_the_closed_loop_owes_the_ending_letter_by_the_timing(network, cause, owed):
    referral = ReferralFactory(status=ReferralStatus.ENROLLED)
    today = plan_today()
    letter = {"provider": "Alpha Care Partners", "reason_code": cause, "effective_on": today.isoformat()}
    status = ReferralStatus.DECLINED if cause == "opted_out" else ReferralStatus.CLOSED
    loop_status_set(referral, status, actor=network.users["intake"], reason="Ended.", cause=cause, letter=letter)
    notice = Notice.objects.get(referral=referral, kind=K.ECM_DISENROLLMENT_LETTER)
    assert notice.due_date == today + dt.timedelta(days=owed)  # a plan's ending today was owed ten days ago
