"""PCS rules and the NEMT check on transportation tasks: an NEMT ride is refused completion without a current PCS
for its mode, allowed with one, and NMT or an ER/hospital-to-SNF transfer needs none."""

from __future__ import annotations

import pytest

from calaim.careplans.models import TaskStatus
from calaim.careplans.services import task_complete, task_start
from calaim.core.errors import NotFound, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.ltc import nemt
from calaim.ltc.models import PhysicianCertification
from calaim.ltc.selectors import nemt_rides_without_pcs
from tests.ltc.conftest import day, pcs

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"valid_from": day(0), "valid_through": day(0).replace(year=day(0).year + 1)}, "valid_through"),  # > 12 months
        ({"valid_from": day(5), "valid_through": day(4)}, "valid_through"),
        ({"signer_npi": "1234567890"}, "signer_npi"),
        ({"signer_npi": "12345"}, "signer_npi"),
        ({"signer_type": "chiropractor"}, "signer_type"),
        ({"mode": "nmt"}, "mode"),
        ({"form_version": "HPSJ PCS (before 2023-03)"}, "form_version"),  # HPSJ takes only its 2023 form now
        ({"signer_name": ""}, "signer_name"),
    ],
)
def test_a_bad_pcs_is_refused_naming_the_field(network, member, facts, field):
    with pytest.raises(ValidationFailed) as refused:
        pcs(network, member, **facts)
    assert refused.value.field == field
    assert not PhysicianCertification.objects.exists() and not AuditEvent.objects.filter(action="pcs.record").exists()


def test_twelve_months_is_the_ceiling(network, member):
    start = day(0)
    last = start.replace(year=start.year + 1) - __import__("datetime").timedelta(days=1)
    certification = pcs(network, member, valid_from=start, valid_through=last, signer_type="np")
    assert certification.valid_through == last
    assert AuditEvent.objects.get(action="pcs.record").after["signer_type"] == "np"


def test_a_nurse_practitioner_could_not_sign_before_2018(network, member):
    import datetime as dt

    with pytest.raises(ValidationFailed, match="Physician") as refused:
        pcs(network, member, signer_type="np", valid_from=dt.date(2017, 9, 1), valid_through=dt.date(2017, 12, 1))
    assert refused.value.field == "signer_type"


def test_nemt_task_refused_without_pcs_then_allowed_with_one(network, member, ride_task):
    cm = network.users["cm_a"]
    nemt.ride_record(actor=cm, task=ride_task, mode="wheelchair_van")
    assert list(nemt_rides_without_pcs(network.users["intake"])) == [ride_task.ride]
    task_start(actor=cm, task=ride_task)  # arranging may start
    with pytest.raises(ValidationFailed, match="Physician Certification Statement") as refused:
        task_complete(actor=cm, task=ride_task)
    assert refused.value.field == "pcs"
    ride_task.refresh_from_db()
    assert ride_task.status == TaskStatus.IN_PROGRESS
    pcs(network, member, mode="ambulance")  # another mode does not count
    with pytest.raises(ValidationFailed):
        task_complete(actor=cm, task=ride_task)
    certification = pcs(network, member, mode="wheelchair_van")
    assert list(nemt_rides_without_pcs(network.users["intake"])) == []
    nemt.pcs_revoke(actor=network.users["intake"], pcs=certification, reason="Signed for another member")
    with pytest.raises(ValidationFailed):
        task_complete(actor=cm, task=ride_task)
    pcs(network, member, mode="wheelchair_van", signer_type="pa")
    assert task_complete(actor=cm, task=ride_task).status == TaskStatus.COMPLETED


def test_an_expired_pcs_does_not_count(network, member, ride_task):
    nemt.ride_record(actor=network.users["cm_a"], task=ride_task, mode="litter_van")
    pcs(network, member, mode="litter_van", valid_from=day(-40), valid_through=day(-1))
    with pytest.raises(ValidationFailed):
        task_complete(actor=network.users["cm_a"], task=ride_task)


@pytest.mark.parametrize(("mode", "transfer"), [("nmt", False), ("ambulance", True), (None, False)])
def test_nmt_a_transfer_to_a_snf_and_an_unclassed_ride_need_no_pcs(network, ride_task, mode, transfer):
    if mode:
        nemt.ride_record(actor=network.users["cm_a"], task=ride_task, mode=mode, transfer_to_snf=transfer)
    assert task_complete(actor=network.users["cm_a"], task=ride_task).status == TaskStatus.COMPLETED


def test_ride_rules(network, ride_task):
    with pytest.raises(ValidationFailed) as refused:
        nemt.ride_record(actor=network.users["cm_a"], task=ride_task, mode="nmt", transfer_to_snf=True)
    assert refused.value.field == "transfer_to_snf"
    with pytest.raises(NotFound):
        nemt.ride_record(actor=network.users["cm_b"], task=ride_task, mode="nmt")
    with pytest.raises(NotFound):
        nemt.ride_record(actor=network.users["intake"], task=ride_task, mode="nmt")
    ride = nemt.ride_record(actor=network.users["cm_a"], task=ride_task, mode="nmt")
    ride = nemt.ride_record(actor=network.users["cm_a2"], task=ride_task, mode="ambulance")
    event = AuditEvent.objects.filter(action="ride.record").order_by("-id").first()
    assert ride.mode == "ambulance" and event.before == {"mode": "nmt", "transfer_to_snf": False}
