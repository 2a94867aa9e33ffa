"""Resolving an appeal: upheld sets the State Fair Hearing deadline; overturned authorizes the service through the
UM's own steps (the authorization approved, the referral or Community Supports request moving on, the referrer
told, and the member sent exactly the letters a UM approval sends); each step queues its member letter with the
content the letter templates read."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.appeals.models import Appeal, AppealStatus
from calaim.appeals.services import AppealInput, appeal_extend, appeal_file, appeal_resolve, appeal_withdraw
from calaim.authorizations.models import AuthorizationRequest
from calaim.community_supports.models import CsRequest
from calaim.core.clock import local_date, plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.notices.models import Notice
from calaim.referrals.models import Referral, ReferralStatus
from tests.appeals.conftest import deny, pending_ecm
from tests.community_supports.test_cs_flow import form, service
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def file(staff, notice, **data):
    return appeal_file(actor=staff["member_services"], notice=notice, data=AppealInput(channel="phone", **data))


def queued_by(action):
    """The notices (kind, recipient) that `action()` queued, and what it returned."""
    before = set(Notice.objects.values_list("pk", flat=True))
    result = action()
    return result, sorted(Notice.objects.exclude(pk__in=before).values_list("kind", "recipient"))


def test_filing_queues_the_acknowledgment_with_its_content(staff, denied):
    appeal, queued = queued_by(lambda: file(staff, denied, expedited=True))
    assert queued == [("appeal_acknowledgment", "member")]
    letter = Notice.objects.get(kind="appeal_acknowledgment")
    assert letter.member_id == denied.member_id and letter.language == denied.member.language
    assert letter.content == {
        "appeal_id": str(appeal.pk),
        "reference": appeal.reference,
        "received_on": plan_today().isoformat(),
        "expedited": True,
        "late": False,
        "resolution_due": local_date(appeal.resolution_due_at).isoformat(),
        "determination": "denied",
        "service": "Enhanced Care Management (ECM)",
    }
    # Never later than the resolution itself: an expedited appeal's letter is owed within its 72 hours.
    assert letter.due_date <= local_date(appeal.resolution_due_at)
    assert AuditEvent.objects.filter(action="appeal.file", object_id=str(appeal.pk)).exists()


def test_a_standard_acknowledgment_is_owed_within_5_days(staff, denied):
    file(staff, denied)
    assert Notice.objects.get(kind="appeal_acknowledgment").due_date == plan_today() + dt.timedelta(days=5)


def test_the_extension_letter_says_why_and_the_new_date(staff, denied):
    appeal = file(staff, denied)
    extended, queued = queued_by(
        lambda: appeal_extend(actor=staff["appeals"], appeal=appeal, extension_days=10, reason="PCP records pending")
    )
    assert queued == [("appeal_extension_letter", "member")]
    letter = Notice.objects.get(kind="appeal_extension_letter")
    assert letter.content == {
        "appeal_id": str(appeal.pk),
        "reference": appeal.reference,
        "extension_days": 10,
        "reason": "PCP records pending",
        "resolution_due": local_date(extended.resolution_due_at).isoformat(),
    }
    assert letter.due_date == plan_today() + dt.timedelta(days=2)


def test_upheld_sets_the_hearing_deadline_and_leaves_the_denial(staff, denied):
    appeal = file(staff, denied)
    resolved, queued = queued_by(
        lambda: appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="upheld", reason="Criteria not met")
    )
    assert queued == [("appeal_resolution", "member")]
    assert resolved.status == AppealStatus.RESOLVED and resolved.resolved_by == staff["appeals"]
    assert resolved.hearing_deadline == plan_today() + dt.timedelta(days=120)
    assert AuthorizationRequest.objects.get(pk=denied.authorization_id).status == "denied"
    assert Referral.objects.get(pk=denied.authorization.referral_id).status == ReferralStatus.DENIED
    assert Notice.objects.get(kind="appeal_resolution").content == {
        "appeal_id": str(appeal.pk),
        "reference": appeal.reference,
        "outcome": "upheld",
        "reason": "Criteria not met",
        "resolved_on": plan_today().isoformat(),
        "hearing_deadline": (plan_today() + dt.timedelta(days=120)).isoformat(),
        "service": "Enhanced Care Management (ECM)",
    }
    with pytest.raises(Conflict):
        appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="overturned", reason="Changed my mind")


def test_overturned_ecm_denial_authorizes_like_an_approval(api, staff, denied):
    # The same steps for another member's request approved by the UM: the notices an approval queues.
    other = pending_ecm(api, MemberFactory(experiencing_homelessness=True))
    _, approval_notices = queued_by(
        lambda: api("um").post(f"/authorizations/{other.pk}/decision", {"outcome": "approve"})
    )
    appeal = file(staff, denied)
    _, queued = queued_by(
        lambda: appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="overturned", reason="Shelter letter")
    )
    assert sorted([*approval_notices, ("appeal_resolution", "member")]) == queued
    authorization = AuthorizationRequest.objects.get(pk=denied.authorization_id)
    assert authorization.status == "approved" and authorization.decided_by == staff["appeals"]
    assert authorization.period_start == plan_today() and authorization.period_end is not None
    assert "Overturned on appeal" in authorization.decision_reason
    referral = Referral.objects.get(pk=authorization.referral_id)
    assert referral.status == ReferralStatus.AUTHORIZED
    assert [e.status for e in referral.loop_events.order_by("at", "pk")][-2:] == ["denied", "authorized"]
    # The referral moves on as any authorized one: intake assigns its ECM provider.
    assigned = api("intake").post(
        f"/referrals/{referral.pk}/assignment", {"provider_id": str(staff["cm_a"].organization_id)}
    )
    assert assigned.status_code == 201, assigned.content
    letter = Notice.objects.get(kind="appeal_resolution")
    assert letter.content["outcome"] == "overturned" and letter.content["hearing_deadline"] == ""
    assert Appeal.objects.get(pk=appeal.pk).hearing_deadline is None


def test_overturned_community_supports_denial_authorizes_the_request(api, staff, cs_provider, member):
    created = api("referrer").post("/community-supports/requests", form(member, service("recuperative_care")))
    request = created.json()[0]
    notice = deny(api, AuthorizationRequest.objects.get(pk=request["authorization_id"]))
    assert CsRequest.objects.get(pk=request["id"]).status == "denied"
    appeal = file(staff, notice)
    assert Notice.objects.get(kind="appeal_acknowledgment").content["service"] == "Recuperative Care (Medical Respite)"
    _, queued = queued_by(
        lambda: appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="overturned", reason="Discharged today")
    )
    cs_request = CsRequest.objects.get(pk=request["id"])
    assert cs_request.status == "authorized" and cs_request.provider_id == cs_provider.pk
    authorization = AuthorizationRequest.objects.get(pk=request["authorization_id"])
    assert (authorization.period_start, authorization.period_end) == (
        cs_request.requested_start,
        cs_request.requested_end,
    )
    assert ("appeal_resolution", "member") in queued and ("referrer_outcome", "referrer") in queued
    assert set(queued) - {("appeal_resolution", "member")} == set(_cs_approval_notices(api, staff))


def _cs_approval_notices(api, staff):
    """What a UM approval of the same kind of request queues, for another member."""
    member = MemberFactory(experiencing_homelessness=True)
    request = api("referrer").post("/community-supports/requests", form(member, service("recuperative_care"))).json()[0]
    _, queued = queued_by(
        lambda: api("um").post(f"/authorizations/{request['authorization_id']}/decision", {"outcome": "approve"})
    )
    return queued


def test_a_refusal_changes_nothing(staff, denied):
    appeal = file(staff, denied)
    with pytest.raises(ValidationFailed) as refused:
        appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="maybe", reason="x")
    assert refused.value.field == "outcome"
    with pytest.raises(ValidationFailed) as refused:
        appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="overturned", reason=" ")
    assert refused.value.field == "reason"
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ACKNOWLEDGED
    assert AuthorizationRequest.objects.get(pk=denied.authorization_id).status == "denied"


def test_a_withdrawn_appeal_may_be_filed_again(staff, denied):
    appeal = file(staff, denied)
    withdrawn = appeal_withdraw(actor=staff["member_services"], appeal=appeal, reason="Member called to withdraw")
    assert withdrawn.status == AppealStatus.WITHDRAWN
    with pytest.raises(Conflict):
        appeal_resolve(actor=staff["appeals"], appeal=appeal, outcome="upheld", reason="x")
    again = file(staff, denied)
    assert again.pk != appeal.pk and Appeal.objects.filter(notice_of_action=denied).count() == 2
