"""ECM action pages: each form calls the service (state changes, audit event with the actor), a refusal shows on
its field and changes nothing, another organization or plan gets 404, and a role that may not act is refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import EligibilityDetermination, Enrollment
from calaim.network.models import Contract
from calaim.notices.models import Notice
from calaim.referrals.models import Referral
from calaim.referrals.policies import referral_sources_for
from tests.conftest import referral_body
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = plan_today()


def _field_error(response: Any, field: str, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == 400, body[:500]
    assert f'id="id_{field}-error"' in body and text in body, body
    assert re.search(rf'aria-describedby="[^"]*id_{field}-error"', body)


def _summary_error(response: Any, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == 400 and 'class="error-summary" role="alert"' in body and text in body, body


def _audited(action: str, obj: object, actor: Any) -> AuditEvent:
    event = AuditEvent.objects.get(action=action, object_id=str(obj))
    assert event.actor == actor
    return event


def _referral_form(member: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "member_cin": member.cin,
        "member_birth_date": member.birth_date.isoformat(),
        "source_type": "pcp",
        "form": "ecm_adult",
        "urgency": "routine",
        "referrer_name": "Dr. Rivera",
        "member_experiencing_homelessness": "true",
        "member_aware": "on",
        "attested_by": "Dr. Rivera",
        "attested_on": TODAY.isoformat(),
        "pof_A1": ["homeless", "complex_need"],
        "pof_A1_facts": "Sleeping in car; CHF with 3 missed visits",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def received(api: Any, member: Any) -> str:
    """A referral from the PCP's referrer, received and waiting for its eligibility determination."""
    return str(api("referrer").post("/referrals", referral_body(member)).json()["id"])


@pytest.fixture
def authorized(api: Any, received: str) -> str:
    api("intake").post(f"/referrals/{received}/eligibility-determination")
    auth = AuthorizationRequest.objects.get(referral_id=received)
    api("um").post(f"/authorizations/{auth.pk}/decision", {"outcome": "approve"})
    return received


@pytest.fixture
def assigned(api: Any, network: Any, authorized: str) -> str:
    """An enrollment with provider A and cm_a as Lead Care Manager, not yet enrolled."""
    body = {"provider_id": str(network.provider_a.pk)}
    eid = str(api("intake").post(f"/referrals/{authorized}/assignment", body).json()["id"])
    api("sup_a").post(f"/enrollments/{eid}/lead-care-manager", {"care_manager": "cm_a"})
    return eid


# Referral intake ------------------------------------------------------------------------------------------


def test_member_services_takes_a_phone_referral(web, network, member):
    page = web("member_services").get(f"/referrals/new/?member={member.pk}").content.decode()
    assert f'value="{member.cin}"' in page and '<option value="member_self_family_phone" selected>' in page
    assert "plan_identification" not in page  # the form offers only the sources can_refer_as allows
    body = _referral_form(member, source_type="member_self_family_phone", referrer_name="Rosa (daughter)")
    body["idempotency_key"] = re.search(r'name="idempotency_key" value="([^"]+)"', page)[1]
    response = web("member_services").post("/referrals/new/", body)
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.source_type == "member_self_family_phone" and referral.submitted_by.username == "ms"
    assert referral.pof_attestations == [
        {"pof": "A1", "criteria": ["homeless", "complex_need"], "facts": "Sleeping in car; CHF with 3 missed visits"}
    ]
    _audited("referral.create", referral.pk, network.users["member_services"])
    detail = web("member_services").get(response["Location"]).content.decode()
    assert "Referral received. Status: Received." in detail and "Closed-loop status" in detail
    # A second press of the button (same hidden key) gives back the first referral.
    again = web("member_services").post("/referrals/new/", body)
    assert again["Location"] == response["Location"] and Referral.objects.count() == 1
    assert "already submitted" in web("member_services").get(again["Location"]).content.decode()


def test_referrer_refers_and_follows_the_closed_loop(web, network, member):
    response = web("referrer").post("/referrals/new/", _referral_form(member, referrer_phone="(209) 555-0123"))
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.referrer_organization == network.clinic and referral.referrer_phone == "+12095550123"
    _audited("referral.create", referral.pk, network.users["referrer"])
    worklist = web("referrer").get("/").content.decode()
    assert f'href="/referrals/{referral.pk}/"' in worklist and 'href="/referrals/new/"' in worklist
    detail = web("referrer").get(f"/referrals/{referral.pk}/").content.decode()
    assert "Received" in detail and "Member record" not in detail  # referrers never see the member record
    assert "Determine eligibility" not in detail


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"member_birth_date": "1990-01-01"}, "member_cin", "No plan member matches"),
        ({"member_cin": "1234"}, "member_cin", "8 digits then one letter"),
        ({"pof_A1_facts": ""}, "pof_A1_facts", "Give the supporting facts"),
        (
            {"pof_C1": ["homeless"], "pof_C1_facts": "Couch surfing"},
            "pof_C1",
            "is not on the ECM referral form (adult)",
        ),
        ({"source_type": "cbo"}, "source_type", "Select a valid choice"),
        ({"referrer_npi": "12"}, "referrer_npi", "An NPI is 10 digits"),
        ({"member_phone": "555"}, "member_phone", "valid phone number"),
        ({"attested_by": ""}, "attested_by", "This field is required"),
    ],
)
def test_referral_refused_on_its_field_writes_nothing(web, member, overrides, field, text):
    _field_error(web("referrer").post("/referrals/new/", _referral_form(member, **overrides)), field, text)
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(action="referral.create").exists()


def test_referral_without_a_population_of_focus_is_refused(web, member):
    response = web("referrer").post("/referrals/new/", _referral_form(member, pof_A1=None, pof_A1_facts=""))
    _summary_error(response, "Attest at least one Population of Focus.")
    assert not Referral.objects.exists()


def test_second_referral_is_linked_and_says_so(web, api, member, received):
    response = web("referrer_cbo").post("/referrals/new/", _referral_form(member, source_type="cbo"))
    linked = Referral.objects.exclude(pk=received).get()
    assert linked.status == "linked" and str(linked.linked_to_id) == received
    page = web("referrer_cbo").get(response["Location"]).content.decode()
    assert "already has an open ECM referral" in page and "linked to it instead of starting over" in page
    assert "Linked to the member&#x27;s open referral" in page


def test_referral_form_scoping(web, network, member):
    other_plan = MemberFactory(plan=network.hpsm.plan, county=network.hpsm.plan.counties.first())
    assert web("referrer").get(f"/referrals/new/?member={member.pk}").status_code == 404  # no member records
    assert web("member_services").get(f"/referrals/new/?member={other_plan.pk}").status_code == 404
    response = web("member_services").post(
        "/referrals/new/",
        _referral_form(other_plan, source_type="member_self_family_phone"),
    )
    _field_error(response, "member_cin", "No plan member matches")
    assert not Referral.objects.exists()


def test_a_user_without_a_role_may_not_refer(web, network, member):
    network.users["nobody"] = UserFactory(username="nobody", role="", organization=network.cbo)
    assert "Your role may not submit referrals." in web("nobody").get("/referrals/new/").content.decode()
    response = web("nobody").post("/referrals/new/", _referral_form(member))
    assert response.status_code == 400 and not Referral.objects.exists()


def test_sources_offered_follow_can_refer_as(network):
    assert [s.code for s in referral_sources_for(network.users["referrer"], TODAY)] == ["pcp"]
    codes = {s.code for s in referral_sources_for(network.users["member_services"], TODAY)}
    assert "member_self_family_phone" in codes and "plan_identification" not in codes
    assert "plan_identification" in {s.code for s in referral_sources_for(network.users["intake"], TODAY)}


@pytest.mark.parametrize("caller", ["referrer_cbo", "hpsm_intake", "cm_b"])
def test_referral_page_is_404_outside_scope(web, member, received, caller):
    response = web(caller).get(f"/referrals/{received}/")
    assert response.status_code == 404 and member.cin.encode() not in response.content


# Eligibility ----------------------------------------------------------------------------------------------


def test_intake_determines_eligibility_with_the_explanation(web, network, received):
    page = web("intake").get(f"/referrals/{received}/").content.decode()
    assert f'action="/referrals/{received}/eligibility/"' in page and "Determine eligibility" in page
    response = web("intake").post(f"/referrals/{received}/eligibility/")
    assert response["Location"] == f"/referrals/{received}/"
    determination = EligibilityDetermination.objects.get(referral_id=received)
    assert determination.outcome == "eligible" and Referral.objects.get(pk=received).status == "pending_authorization"
    _audited("eligibility.determine", determination.pk, network.users["intake"])
    detail = web("intake").get(response["Location"]).content.decode()
    assert "Eligibility determined: Eligible (A1)." in detail
    assert "A1 Adults and Families Experiencing Homelessness: qualifies" in detail
    assert (
        "Met:" in detail
        and "member data: experiencing homelessness" in detail
        and "attested: Sleeping in car" in detail
    )
    assert "Passed: Enrolled in the plan" in detail and "Pending decision" in detail


def test_eligibility_from_the_worklist_with_htmx(web, received):
    response = web("intake").post(f"/referrals/{received}/eligibility/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "Eligible" in body and "See why" in body
    again = web("intake").post(f"/referrals/{received}/eligibility/", headers={"HX-Request": "true"})
    assert 'role="alert"' in again.content.decode() and "this one is pending_authorization" in again.content.decode()
    assert EligibilityDetermination.objects.count() == 1


def test_eligibility_refused_for_other_roles_and_plans(web, received):
    _summary_error(web("member_services").post(f"/referrals/{received}/eligibility/"), "may not determine")
    assert web("hpsm_intake").post(f"/referrals/{received}/eligibility/").status_code == 404
    assert web("referrer_cbo").post(f"/referrals/{received}/eligibility/").status_code == 404
    assert not EligibilityDetermination.objects.exists()
    assert Referral.objects.get(pk=received).status == "received"


# Provider assignment --------------------------------------------------------------------------------------


def test_intake_assigns_the_members_choice(web, network, authorized):
    path = f"/referrals/{authorized}/assignment/"
    assert f'href="{path}"' in web("intake").get(f"/referrals/{authorized}/").content.decode()
    page = web("intake").get(path).content.decode()
    assert "Alpha Care Partners" in page and "Bravo Health Navigators" in page and "places free" in page
    assert "Mateo ECM Collaborative" not in page  # not contracted in the member's plan and county
    response = web("intake").post(path, {"provider_id": str(network.provider_b.pk)})
    assert response["Location"] == f"/referrals/{authorized}/"
    enrollment = Enrollment.objects.get(referral_id=authorized)
    assert enrollment.provider == network.provider_b and enrollment.assignment_method == "member_choice"
    _audited("enrollment.assign", enrollment.pk, network.users["intake"])
    detail = web("intake").get(response["Location"]).content.decode()
    assert "Assigned to Bravo Health Navigators: chosen by the member" in detail


def test_automatic_assignment_shows_the_reasons(web, network, authorized):
    response = web("member_services").post(f"/referrals/{authorized}/assignment/", {"provider_id": "automatic"})
    enrollment = Enrollment.objects.get(referral_id=authorized)
    assert enrollment.assignment_method == "automatic"
    detail = web("member_services").get(response["Location"]).content.decode()
    assert "assigned automatically" in detail and "places free" in detail


def test_assignment_refusals(web, network, received, authorized):
    path = f"/referrals/{authorized}/assignment/"
    Contract.objects.filter(organization=network.provider_a).update(capacity=0)
    _field_error(web("intake").post(path, {"provider_id": str(network.provider_a.pk)}), "provider_id", "no free places")
    _field_error(web("intake").post(path, {"provider_id": str(network.provider_m.pk)}), "provider_id", "valid choice")
    _summary_error(web("um").post(path, {"provider_id": "automatic"}), "may not assign ECM providers")
    assert web("hpsm_intake").post(path, {"provider_id": "automatic"}).status_code == 404
    assert not Enrollment.objects.exists()


def test_assignment_before_authorization_is_refused(web, api, member):
    rid = api("referrer").post("/referrals", referral_body(member)).json()["id"]
    response = web("intake").post(f"/referrals/{rid}/assignment/", {"provider_id": "automatic"})
    _summary_error(response, "Only an authorized referral can be assigned")


# Enrollment and provider change ---------------------------------------------------------------------------


def test_care_manager_enrolls_the_member(web, network, assigned):
    member_page = web("cm_a").get(f"/members/{Enrollment.objects.get(pk=assigned).member_id}/").content.decode()
    assert f'href="/enrollments/{assigned}/enroll/"' in member_page and "Enroll member" in member_page
    response = web("cm_a").post(f"/enrollments/{assigned}/enroll/", {"enrolled_on": TODAY.isoformat()})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(pk=assigned)
    assert enrollment.status == "enrolled" and enrollment.enrolled_on == TODAY
    _audited("enrollment.enroll", assigned, network.users["cm_a"])
    assert enrollment.referral.status == "enrolled"


def test_enroll_refusals(web, assigned):
    path = f"/enrollments/{assigned}/enroll/"
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    _field_error(web("cm_a").post(path, {"enrolled_on": future}), "enrolled_on", "cannot be in the future")
    _field_error(web("cm_a").post(path, {"enrolled_on": ""}), "enrolled_on", "This field is required")
    assert web("cm_b").post(path, {"enrolled_on": TODAY.isoformat()}).status_code == 404
    assert web("cm_b").get(path).status_code == 404
    _summary_error(web("um").post(path, {"enrolled_on": TODAY.isoformat()}), "may not enroll members")
    assert Enrollment.objects.get(pk=assigned).status == "assigned"
    assert not AuditEvent.objects.filter(action="enrollment.enroll").exists()


def test_member_services_changes_the_provider(web, network, enrolled):
    old = enrolled["enrollment"]
    path = f"/enrollments/{old}/provider-change/"
    page = web("member_services").get(path).content.decode()
    assert "Bravo Health Navigators" in page and "Alpha Care Partners (" not in page  # not the current one
    body = {"provider_id": str(network.provider_b.pk), "reason": "Member moved closer to Bravo"}
    response = web("member_services").post(path, body)
    assert response["Location"] == f"/members/{enrolled['member'].pk}/"
    assert Enrollment.objects.get(pk=old).status == "transferred"
    new = Enrollment.objects.get(previous_id=old)
    assert new.provider == network.provider_b and new.status == "enrolled"
    event = _audited("enrollment.transfer_out", old, network.users["member_services"])
    assert event.reason == "Member moved closer to Bravo"


def test_care_manager_changes_the_provider_and_returns_to_the_worklist(web, network, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/provider-change/"
    response = web("cm_a").post(path, {"provider_id": "automatic", "reason": "Member asked"})
    assert response["Location"] == "/"  # the member has left cm_a's caseload
    assert Enrollment.objects.get(previous_id=enrolled["enrollment"]).provider == network.provider_b


def test_provider_change_refusals(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/provider-change/"
    _field_error(web("member_services").post(path, {"provider_id": "automatic"}), "reason", "Give the reason")
    assert web("cm_b").post(path, {"provider_id": "automatic", "reason": "x"}).status_code == 404
    _summary_error(web("um").post(path, {"provider_id": "automatic", "reason": "x"}), "may not change ECM providers")
    assert Enrollment.objects.get(pk=enrolled["enrollment"]).status == "enrolled"
    assert Enrollment.objects.count() == 1


# UM: extension and re-authorization -----------------------------------------------------------------------


def test_um_extends_the_decision_once(web, network, pending):
    auth = pending["authorization"]
    record = web("um").get(f"/members/{pending['member'].pk}/").content.decode()
    assert f'href="/authorizations/{auth.pk}/extension/"' in record
    path = f"/authorizations/{auth.pk}/extension/"
    assert "left" in web("um").get(path).content.decode()
    response = web("um").post(path, {"reason": "Waiting for the PCP's notes"})
    assert response["Location"] == f"/members/{pending['member'].pk}/"
    extended = AuthorizationRequest.objects.get(pk=auth.pk)
    assert extended.extended_at is not None and extended.due_at > auth.due_at
    _audited("authorization.extend", auth.pk, network.users["um"])
    assert "Decision extended: now due" in web("um").get(response["Location"]).content.decode()
    _summary_error(web("um").post(path, {"reason": "Again"}), "already had its one extension")


def test_extension_refusals(web, pending):
    path = f"/authorizations/{pending['authorization'].pk}/extension/"
    _field_error(web("um").post(path, {"reason": "  "}), "reason", "Give the reason for the extension")
    _summary_error(web("intake").post(path, {"reason": "x"}), "may not extend")
    assert web("hpsm_um").post(path, {"reason": "x"}).status_code == 404
    assert web("cm_b").get(path).status_code == 404
    assert AuthorizationRequest.objects.get(pk=pending["authorization"].pk).extended_at is None
    assert not AuditEvent.objects.filter(action="authorization.extend").exists()


def test_care_manager_requests_reauthorization(web, network, enrolled):
    path = f"/authorizations/{enrolled['authorization']}/reauthorization/"
    assert f'href="{path}"' in web("cm_a").get(f"/members/{enrolled['member'].pk}/").content.decode()
    response = web("cm_a").post(path, {"urgency": "routine"})
    assert response["Location"] == f"/members/{enrolled['member'].pk}/"
    renewal = AuthorizationRequest.objects.get(renews_id=enrolled["authorization"])
    assert renewal.kind == "reauthorization" and renewal.status == "pending"
    _audited("authorization.open", renewal.pk, network.users["cm_a"])
    _summary_error(web("cm_a").post(path, {"urgency": "routine"}), "already open or approved")
    assert AuthorizationRequest.objects.filter(renews_id=enrolled["authorization"]).count() == 1


def test_reauthorization_refusals(web, enrolled):
    path = f"/authorizations/{enrolled['authorization']}/reauthorization/"
    _field_error(web("cm_a").post(path, {"urgency": "soon"}), "urgency", "Select a valid choice")
    _summary_error(web("member_services").post(path, {"urgency": "routine"}), "may not request re-authorization")
    assert web("cm_b").post(path, {"urgency": "routine"}).status_code == 404
    assert web("hpsm_um").post(path, {"urgency": "routine"}).status_code == 404
    assert not AuthorizationRequest.objects.filter(renews_id=enrolled["authorization"]).exists()


# Duplicates and the intake worklist -----------------------------------------------------------------------


@pytest.fixture
def linked(api: Any, member: Any, received: str) -> str:
    return str(api("referrer_cbo").post("/referrals", referral_body(member, source_type="cbo")).json()["id"])


def test_intake_confirms_a_duplicate(web, network, linked, received):
    worklist = web("intake").get("/").content.decode()
    assert f'href="/referrals/{linked}/duplicate/"' in worklist and "Review duplicate" in worklist
    response = web("intake").post(f"/referrals/{linked}/duplicate/", {"decision": "confirm", "reason": "Same need"})
    assert response["Location"] == f"/referrals/{linked}/"
    referral = Referral.objects.get(pk=linked)
    assert referral.status == "closed" and "Confirmed duplicate" in referral.closure_reason
    _audited("referral.duplicate_confirm", linked, network.users["intake"])
    assert Notice.objects.filter(referral_id=linked, content__status="closed").exists()  # the referrer is told
    assert f'href="/referrals/{linked}/duplicate/"' not in web("intake").get("/").content.decode()
    assert Referral.objects.get(pk=received).status == "received"


def test_intake_finds_it_is_not_a_duplicate(web, network, linked):
    path = f"/referrals/{linked}/duplicate/"
    _field_error(web("intake").post(path, {"decision": "not_duplicate"}), "reason", "not a duplicate")
    assert Referral.objects.get(pk=linked).status == "linked"
    web("intake").post(path, {"decision": "not_duplicate", "reason": "Different need: SUD, new provider"})
    referral = Referral.objects.get(pk=linked)
    assert referral.status == "received" and referral.linked_to_id is None
    event = _audited("referral.duplicate_reject", linked, network.users["intake"])
    assert event.reason == "Different need: SUD, new provider"
    assert "Determine eligibility" in web("intake").get(f"/referrals/{linked}/").content.decode()


def test_duplicate_review_refusals(web, linked, received):
    path = f"/referrals/{linked}/duplicate/"
    _summary_error(web("member_services").post(path, {"decision": "confirm"}), "may not review possible duplicate")
    assert web("hpsm_intake").post(path, {"decision": "confirm"}).status_code == 404
    assert web("referrer").post(path, {"decision": "confirm"}).status_code == 404  # another referrer's referral
    _summary_error(web("intake").post(f"/referrals/{received}/duplicate/", {"decision": "confirm"}), "Only a referral")
    assert Referral.objects.get(pk=linked).status == "linked"
    assert not AuditEvent.objects.filter(action__startswith="referral.duplicate").exists()


def test_intake_worklist_lists_missing_information(web, api, network, pending):
    api("um").post(
        f"/authorizations/{pending['authorization'].pk}/decision",
        {"outcome": "pend", "information_requested": "PCP visit notes"},
    )
    unaware = MemberFactory(last_name="Unaware")
    api("referrer").post("/referrals", referral_body(unaware, member_aware=False))
    body = web("intake").get("/").content.decode()
    missing = body.split("Missing information")[1]
    assert "Pendingson" in missing and "pended for information: PCP visit notes" in missing
    assert "Unaware" in missing and "does not yet know of the referral" in missing
    assert "Pendingson" not in web("hpsm_intake").get("/").content.decode()


def test_member_services_worklist_entry_points(web):
    body = web("member_services").get("/").content.decode()
    assert 'href="/referrals/new/">Take a phone referral</a>' in body
    assert 'href="/community-supports/requests/new/">Community Supports request</a>' in body


def test_member_record_links_to_the_referral_form(web, member, received):
    body = web("member_services").get(f"/members/{member.pk}/").content.decode()
    assert f'href="/referrals/new/?member={member.pk}"' in body and f'href="/referrals/{received}/"' in body


def test_actions_need_a_verified_sign_in(client, received):
    response = client.post(f"/referrals/{received}/eligibility/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not EligibilityDetermination.objects.exists()


def test_contracted_provider_sends_the_eligibility_verification_form(web, network, member):
    page = web("cm_a").get("/referrals/new/").content.decode()
    assert 'value="eligibility_verification"' in page and '<option value="ecm_provider" selected>' in page
    body = _referral_form(member, source_type="ecm_provider", form="eligibility_verification", pof_A1=None)
    body["pof_A1_facts"] = ""
    response = web("cm_a").post("/referrals/new/", body)
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.pk}/" and referral.status == "assigned"
    assert Enrollment.objects.get(referral=referral).assignment_method == "presumptive"
    assert "Assigned to an ECM provider" in web("cm_a").get(response["Location"]).content.decode()
    assert 'value="eligibility_verification"' not in web("referrer").get("/referrals/new/").content.decode()
