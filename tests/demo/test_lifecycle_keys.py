"""The demo refers a member again (a duplicate, a second source) under a new Idempotency-Key each time: seed 7 once
stopped on "This Idempotency-Key was used for a different referral"."""

from __future__ import annotations

from random import Random

import pytest

from calaim.demo.lifecycle import _submit
from calaim.referrals.models import Referral
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_a_member_referred_twice_by_the_same_person_gets_two_referrals(network):
    member = MemberFactory(experiencing_homelessness=True)
    first = _submit(member, network.users["intake"], Random(1))
    second = _submit(member, network.users["intake"], Random(2))
    assert first.pk != second.pk
    assert Referral.objects.filter(member=member).count() == 2
