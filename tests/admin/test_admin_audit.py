"""Every change of configuration in the admin is on the record: an add, a change (also of many-to-many links and
through an inline), a delete (also through the bulk action, and what it cascades to), a password set by an admin,
an authenticator removed; each writes an audit event in the same transaction with the admin as actor, the before
and the after, and never a secret."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.core.models import AuditEvent
from calaim.network.models import Contract, Organization
from calaim.plans.models import County, Plan, ReferralSourceType
from tests.admin.conftest import everything, form_data
from tests.factories import PASSWORD, ecm_contract

pytestmark = pytest.mark.django_db


def _events(model: Any, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type=model._meta.label_lower).order_by("id"))


def test_an_add_is_recorded_with_the_admin_as_actor(root, superuser):
    response = root.post("/admin/plans/plan/add/", {"code": "NEWP", "name": "New Plan", "member_services_phone": ""})
    assert response.status_code == 302
    plan = Plan.objects.get(code="NEWP")
    (event,) = _events(Plan, "admin.add")
    assert event.actor == superuser and event.actor_label == "root" and event.object_id == str(plan.pk)
    assert event.before is None and event.after["code"] == "NEWP" and event.after["name"] == "New Plan"
    assert "Added" in event.reason


def test_a_change_of_many_to_many_links_is_recorded(root, superuser, network):
    county = County.objects.get(name="San Joaquin")
    before_plans = sorted(str(pk) for pk in county.plans.values_list("pk", flat=True))
    added = Plan.objects.create(code="XTRA", name="Extra")
    body = form_data(County, county, superuser, plans=[*before_plans, str(added.pk)])
    assert root.post(f"/admin/plans/county/{county.pk}/change/", body).status_code == 302
    (event,) = _events(County, "admin.change")
    assert event.before["plans"] == before_plans
    assert event.after["plans"] == sorted([*before_plans, str(added.pk)])


def _inline(prefix: str, index: int, data: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}-{index}-{name}": value for name, value in data.items()}


def test_inline_rows_added_changed_and_deleted_are_each_recorded(root, superuser, network):
    org = network.provider_a
    kept = Contract.objects.get(organization=org)
    dropped = ecm_contract(org, "HPSM", ["San Mateo"], capacity=5)
    contracts = [kept, dropped]
    body = form_data(Organization, org, superuser)
    body.update({"contracts-TOTAL_FORMS": "3", "contracts-INITIAL_FORMS": "2", "contracts-MIN_NUM_FORMS": "0",
                 "contracts-MAX_NUM_FORMS": "1000"})  # fmt: skip
    for i, contract in enumerate(contracts):
        changes = {"capacity": 75} if contract == kept else {}
        body.update(_inline("contracts", i, {**form_data(Contract, contract, superuser, **changes), "id": contract.pk}))
    body["contracts-1-DELETE"] = "on"
    new = form_data(Contract, Contract(organization=org, plan=kept.plan, capacity=9, start_date=dt.date(2026, 1, 1),
                                       languages=["en"], pof_codes=["A1"]), superuser)  # fmt: skip
    new["counties"] = [str(County.objects.get(name="San Joaquin").pk)]
    body.update(_inline("contracts", 2, new))
    response = root.post(f"/admin/network/organization/{org.pk}/change/", body)
    assert response.status_code == 302

    (changed,) = _events(Contract, "admin.change")
    assert changed.object_id == str(kept.pk) and changed.before["capacity"] == 50 and changed.after["capacity"] == 75
    (deleted,) = _events(Contract, "admin.delete")
    assert deleted.object_id == str(dropped.pk) and deleted.before["capacity"] == 5 and deleted.after is None
    assert not Contract.objects.filter(pk=dropped.pk).exists()
    (added,) = _events(Contract, "admin.add")
    assert added.after["capacity"] == 9 and Contract.objects.filter(pk=added.object_id).exists()
    assert all(e.actor == superuser for e in (changed, deleted, added))
    (parent,) = _events(Organization, "admin.change")
    assert "contract" in parent.reason.lower()


def test_a_delete_is_recorded_before_and_with_what_it_cascades_to(root, superuser, network):
    contract = ecm_contract(network.provider_b, "HPSM", ["San Mateo"], capacity=7)
    url = f"/admin/network/contract/{contract.pk}/delete/"
    assert root.get(url).status_code == 200
    assert root.post(url, {"post": "yes"}).status_code == 302
    (event,) = _events(Contract, "admin.delete")
    assert event.object_id == str(contract.pk) and event.actor == superuser
    assert event.before["capacity"] == 7 and event.before["counties"] == [str(County.objects.get(name="San Mateo").pk)]


def test_the_bulk_delete_action_records_each_row(root, superuser, reference):
    doomed = [ReferralSourceType.objects.create(code=f"tmp{i}", label=f"Temporary {i}", version="t",
                                                effective_from=dt.date(2026, 1, 1)) for i in range(2)]  # fmt: skip
    body = {"action": "delete_selected", "_selected_action": [str(o.pk) for o in doomed], "post": "yes"}
    assert root.post("/admin/plans/referralsourcetype/", body).status_code == 302
    assert not ReferralSourceType.objects.filter(code__startswith="tmp").exists()
    events = _events(ReferralSourceType, "admin.delete")
    assert sorted(e.object_id for e in events) == sorted(str(o.pk) for o in doomed)
    assert all(e.actor == superuser and e.before["label"].startswith("Temporary") for e in events)


def test_a_password_set_by_an_admin_is_recorded_without_the_hash(root, superuser, network):
    user = network.users["intake"]
    old_hash = user.password
    body = {"password1": "a-new-long-password-42", "password2": "a-new-long-password-42", "usable_password": "true"}
    assert root.post(f"/admin/accounts/user/{user.pk}/password/", body).status_code == 302
    user.refresh_from_db()
    assert user.password != old_hash and user.check_password("a-new-long-password-42")
    (event,) = _events(type(user), "admin.change")
    assert event.actor == superuser and "password" in event.reason.lower()
    assert "password" not in event.after and "password" not in (event.before or {})
    assert old_hash not in str(event.after) and user.password not in str(event.after)


def test_a_user_change_records_the_flags_but_never_the_password_hash(root, superuser, network):
    user = network.users["um"]
    body = form_data(type(user), user, superuser, is_active=False)
    body.pop("password", None)
    response = root.post(f"/admin/accounts/user/{user.pk}/change/", body)
    assert response.status_code == 302
    (event,) = _events(type(user), "admin.change")
    assert event.before["is_active"] is True and event.after["is_active"] is False
    assert "password" not in event.before and "password" not in event.after
    assert user.password not in str(event.before)


def test_an_authenticator_is_removed_on_the_record_and_its_secret_never_shown(root, superuser, network):
    device = TOTPDevice.objects.create(user=network.users["cm_a"], name="lost phone", confirmed=True)
    page = root.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200 and device.key.encode() not in page.content
    assert root.post(f"/admin/otp_totp/totpdevice/{device.pk}/change/", {"name": "x"}).status_code == 403
    assert root.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    (event,) = _events(TOTPDevice, "admin.delete")
    assert event.before["name"] == "lost phone" and "key" not in event.before
    assert device.key not in str(event.before)


def test_a_refused_delete_writes_nothing(root, network):
    """A plan still referenced by members and contracts is protected: the admin refuses, and nothing is recorded."""
    plan = Plan.objects.get(code="HPSJ")
    before = everything()
    response = root.post(f"/admin/plans/plan/{plan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200 and b"protected" in response.content.lower()
    assert everything() == before


def test_login_with_password_is_not_what_the_admin_does(client, superuser):
    """The admin has no password form of its own: posting one to it signs nobody in."""
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/admin/").status_code == 302
