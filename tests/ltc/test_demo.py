"""The LTC demo records stays, PASRR with gaps, rides and PCS through the services (audited), and runs twice."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.careplans.services import task_open
from calaim.core.models import AuditEvent
from calaim.demo.ltc import demo_ltc_create
from calaim.ltc.models import FacilityStay, PhysicianCertification, Ride
from calaim.ltc.selectors import nemt_rides_without_pcs, stays_without_level1
from tests.factories import EnrollmentFactory, MemberFactory
from tests.ltc.conftest import day

pytestmark = pytest.mark.django_db


def test_demo_ltc(network):
    for _ in range(10):
        MemberFactory(birth_date=dt.date(1940, 3, 1))
    for _ in range(4):
        enrollment = EnrollmentFactory(enrolled=True)
        task_open(actor=None, enrollment=enrollment, kind="transportation", due_date=day(3))
    counts = demo_ltc_create(seed=7)
    assert counts["facility stays"] == FacilityStay.objects.count() == 8
    assert counts["nursing-facility stays without a PASRR Level I"] >= 1 and counts["PASRR late"] >= 1
    assert Ride.objects.count() == 4 and PhysicianCertification.objects.count() == counts["PCS on file"] >= 1
    assert list(stays_without_level1(network.users["intake"])) and list(nemt_rides_without_pcs(network.users["intake"]))
    assert AuditEvent.objects.filter(action="ltc_stay.record").count() == 8
    again = demo_ltc_create(seed=7)
    assert again["facility stays"] == 2  # the 10 members minus those already placed
