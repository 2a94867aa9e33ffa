"""Workflows check on the locked rows and run every step in one transaction: a caller's stale copy of a record
does not refuse a valid action, and a step that refuses undoes the steps before it."""

from __future__ import annotations

import pytest

from calaim.core.clock import local_date
from calaim.core.errors import Conflict
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.network.models import Contract
from calaim.notices.models import Notice
from calaim.referrals.models import LoopEvent, Referral, ReferralStatus
from calaim.workflows.ecm_enrollment import ecm_enroll, ecm_provider_assign
from tests.factories import AuthorizationFactory, EnrollmentFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _authorized_referral():
    referral = ReferralFactory(status=ReferralStatus.AUTHORIZED)
    AuthorizationFactory(referral=referral, member=referral.member, approved=True)
    return referral


def test_a_stale_copy_of_the_referral_does_not_refuse_the_assignment(network):
    referral = _authorized_referral()
    stale = Referral.objects.get(pk=referral.pk)
    stale.status = ReferralStatus.RECEIVED  # what the caller last saw; the row says authorized
    enrollment = ecm_provider_assign(actor=network.users["intake"], referral=stale)
    assert enrollment.referral.status == ReferralStatus.ASSIGNED


def test_a_stale_copy_of_the_enrollment_is_checked_as_it_is_now(network):
    enrollment = EnrollmentFactory(provider=network.provider_a)
    stale = Enrollment.objects.get(pk=enrollment.pk)
    ecm_enroll(actor=network.users["cm_a"], enrollment=enrollment, enrolled_on=local_date(enrollment.assigned_at))
    with pytest.raises(Conflict, match="already enrolled"):
        ecm_enroll(actor=network.users["cm_a"], enrollment=stale, enrolled_on=local_date(enrollment.assigned_at))


def test_a_refused_step_undoes_the_steps_before_it(network):
    referral = _authorized_referral()
    Contract.objects.filter(program="ecm").update(capacity=0)  # nobody has room: the provider choice refuses
    before = (AuditEvent.objects.count(), LoopEvent.objects.count(), Notice.objects.count())
    with pytest.raises(Conflict, match="free places"):
        ecm_provider_assign(actor=network.users["intake"], referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AUTHORIZED
    assert not Enrollment.objects.filter(referral=referral).exists()
    assert (AuditEvent.objects.count(), LoopEvent.objects.count(), Notice.objects.count()) == before
