"""The authorization clocks as a scheduled job: overdue marked once; a decision not made by the ceiling is a denial
(42 CFR 438.404(c)(5)) with its Notice of Action and every consequence of a denial, by the system, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction
from calaim.authorizations.services import authorization_extend
from calaim.core.clock import local_date, plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.notices.models import Notice
from calaim.referrals.models import LoopEvent, LoopTransition
from calaim.workflows.authorization_clock import SweepIncomplete, authorization_clocks_sweep
from tests.conftest import referral_body
from tests.factories import AuthorizationFactory, CsRequestFactory

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def _footprint() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        Notice.objects.count(),
        NoticeOfAction.objects.count(),
        LoopEvent.objects.count(),
        Enrollment.objects.filter(status="assigned").count(),
    )


@pytest.fixture
def presumptive(api, network, member):
    """A provider's eligibility verification: presumptive enrollment now, the plan's own request pending."""
    body = referral_body(member, source_type="ecm_provider", form="eligibility_verification")
    assert api("cm_a").post("/referrals", body, headers={"Idempotency-Key": "clock-test"}).status_code == 201
    return AuthorizationRequest.objects.get(member=member, kind="initial")


def test_overdue_is_marked_once_by_the_system_and_the_request_stays_open(presumptive):
    at = presumptive.due_at + MINUTE
    assert authorization_clocks_sweep(now=at) == {"overdue_marked": 1, "deemed_denied": 0, "failed": 0}
    presumptive.refresh_from_db()
    assert presumptive.status == "pending" and presumptive.overdue_at == at
    event = AuditEvent.objects.get(action="authorization.overdue")
    assert event.actor is None and event.actor_label == "system" and event.object_id == str(presumptive.pk)
    before = _footprint()
    assert authorization_clocks_sweep(now=at + MINUTE)["overdue_marked"] == 0
    assert _footprint() == before


def test_no_decision_by_the_ceiling_is_a_denial_with_its_notice_and_consequences(presumptive):
    at = presumptive.ceiling_at + MINUTE
    counts = authorization_clocks_sweep(now=at)
    assert counts == {"overdue_marked": 1, "deemed_denied": 1, "failed": 0}

    presumptive.refresh_from_db()
    assert presumptive.status == "denied" and presumptive.decided_by is None
    assert presumptive.decided_at == presumptive.ceiling_at  # the day the time ran out
    assert "438.404(c)(5)" in presumptive.criteria_used
    noa = NoticeOfAction.objects.get(authorization=presumptive)
    assert noa.determination == "denied" and noa.reason == presumptive.decision_reason
    assert noa.appeal_deadline == plan_today() + dt.timedelta(days=60)
    letter = Notice.objects.get(kind="notice_of_action")
    assert letter.recipient == "member" and letter.due_date == local_date(presumptive.ceiling_at)
    assert letter.content["notice_of_action_id"] == str(noa.pk) and letter.content["reason"] == noa.reason
    assert letter.content["appeal_deadline"] == noa.appeal_deadline.isoformat() and letter.content["appeal_rights"]
    # What a UM denial carries: the presumptive enrollment ends, the referral closes, the referrer and member told.
    enrollment = Enrollment.objects.get(member=presumptive.member)
    assert enrollment.status in ("declined", "disenrolled") and enrollment.discontinuation_reason == "other"
    referral = presumptive.referral
    referral.refresh_from_db()
    assert referral.status == "denied" and referral.loop_status.startswith("Referral Loop Closed")
    assert Notice.objects.filter(kind="referrer_outcome", content__status="denied").count() == 1
    assert Notice.objects.filter(kind="ecm_disenrollment_letter").count() == 1
    system = AuditEvent.objects.filter(actor__isnull=True, actor_label="system")
    assert {"authorization.deemed_denial", "notice_of_action.issue", "enrollment.end", "referral.denied"} <= set(
        system.values_list("action", flat=True)
    )

    before = _footprint()
    assert authorization_clocks_sweep(now=at + MINUTE) == {"overdue_marked": 0, "deemed_denied": 0, "failed": 0}
    assert _footprint() == before


def test_an_extension_before_the_due_time_moves_the_due_time_and_the_ceiling(network, presumptive):
    first_due, first_ceiling = presumptive.due_at, presumptive.ceiling_at
    extended = authorization_extend(actor=network.users["um"], authorization=presumptive, reason="Awaiting records")
    assert extended.ceiling_at > first_ceiling and extended.due_at == extended.ceiling_at
    assert authorization_clocks_sweep(now=first_due + MINUTE)["overdue_marked"] == 0

    assert authorization_clocks_sweep(now=first_ceiling + MINUTE)["deemed_denied"] == 0
    assert AuthorizationRequest.objects.get(pk=presumptive.pk).status == "pending"
    assert authorization_clocks_sweep(now=extended.ceiling_at + MINUTE)["deemed_denied"] == 1
    assert AuthorizationRequest.objects.get(pk=presumptive.pk).status == "denied"


def test_pended_requests_expire_too_and_decided_ones_never(network):
    now = timezone.now()
    pended = AuthorizationFactory(status="pended", due_at=now - 2 * MINUTE, ceiling_at=now - MINUTE)
    approved = AuthorizationFactory(approved=True, due_at=now - 2 * MINUTE, ceiling_at=now - MINUTE)
    assert authorization_clocks_sweep(now=now)["deemed_denied"] == 1
    pended.refresh_from_db()
    approved.refresh_from_db()
    assert pended.status == "denied" and approved.status == "approved" and approved.overdue_at is None


def test_a_community_supports_request_is_closed_as_denied(network):
    now = timezone.now()
    authorization = AuthorizationFactory(referral=None, program="cs", due_at=now - 2 * MINUTE, ceiling_at=now - MINUTE)
    request = CsRequestFactory(member=authorization.member, status="pending_authorization", authorization=authorization)
    authorization_clocks_sweep(now=now)
    request.refresh_from_db()
    assert request.status == "denied" and "No decision was made" in request.closure_reason
    assert NoticeOfAction.objects.filter(authorization=authorization).exists()
    assert Notice.objects.filter(kind="referrer_outcome", content__cs_request_id=str(request.pk)).exists()


def test_one_request_failing_leaves_the_others_done_and_itself_untouched(network):
    now = timezone.now()
    ecm = AuthorizationFactory(due_at=now - 2 * MINUTE, ceiling_at=now - MINUTE)
    cs = AuthorizationFactory(referral=None, program="cs", due_at=now - 2 * MINUTE, ceiling_at=now - 3 * MINUTE)
    CsRequestFactory(member=cs.member, status="pending_authorization", authorization=cs)
    # Community Supports can no longer close a request as denied: its denial must leave nothing behind.
    LoopTransition.objects.filter(program="cs", status="denied").delete()
    LoopTransition.objects.filter(program="any", status="denied").update(program="ecm")

    with pytest.raises(SweepIncomplete):
        authorization_clocks_sweep(now=now)
    ecm.refresh_from_db()
    cs.refresh_from_db()
    assert ecm.status == "denied" and cs.status == "pending"
    assert not NoticeOfAction.objects.filter(authorization=cs).exists()
    assert not AuditEvent.objects.filter(action="authorization.deemed_denial", object_id=str(cs.pk)).exists()
