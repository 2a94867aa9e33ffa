"""Who the closed-loop table tells, and in which words: the referrer (the user who sent it, and the address the form
named), the assigned ECM provider's supervisors, the CS provider's staff; the member's provider-change and CS
authorization letters; each notification's link opens for the one told."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.accounts.models import Role
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from calaim.ecm.models import Enrollment
from calaim.notices.mailroom import notice_send
from calaim.notices.models import Notice, NoticeKind, Notification
from calaim.plans.reference import ReferenceDataError
from calaim.referrals.closed_loop import loop_status_set, referrer_notice_content
from calaim.referrals.models import ReferralStatus
from calaim.referrals.reference import REFERENCE_DIR, closed_loop_load
from calaim.workflows.authorization_clock import authorization_clocks_sweep
from calaim.workflows.ecm_enrollment import ecm_provider_change
from tests.community_supports import test_cs_flow as cs_flow
from tests.conftest import referral_body
from tests.factories import EnrollmentFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
cs_provider = cs_flow.cs_provider


def _authorized(api: Any, member: Any) -> str:
    referral_id = api("referrer").post("/referrals", referral_body(member)).json()["id"]
    assert api("intake").post(f"/referrals/{referral_id}/eligibility-determination").status_code == 201
    authorization = AuthorizationRequest.objects.get(referral_id=referral_id)
    assert api("um").post(f"/authorizations/{authorization.pk}/decision", {"outcome": "approve"}).status_code == 200
    return str(referral_id)


def _told(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("created_at"))


def _send_referrer_notices() -> None:
    for notice in Notice.objects.filter(recipient="referrer", status="planned"):
        notice_send(notice_id=notice.pk)


def test_an_assignment_tells_the_referrer_and_the_providers_supervisors_only(api, network, member, web):
    referral_id = _authorized(api, member)
    assert api("intake").post(f"/referrals/{referral_id}/assignment", {}).status_code == 201
    _send_referrer_notices()

    [supervisor] = _told(network.users["sup_a"])
    assert supervisor.message.startswith("A member was assigned to your organization for ECM (referral R-")
    assert supervisor.link == f"/members/{member.pk}/" and supervisor.event == "referral.assigned"
    assert _told(network.users["cm_a"]) == _told(network.users["cm_a2"]) == _told(network.users["cm_b"]) == []
    assert web("sup_a").get(supervisor.link).status_code == 200  # the page the link names opens for them

    messages = [n.message for n in _told(network.users["referrer"])]
    assert len(messages) == 2 and messages[0].endswith("was authorized.")
    assert messages[1].endswith("was assigned to an ECM provider.")
    for told in Notification.objects.all():
        assert member.last_name not in told.message and member.cin not in told.message
    referrer_link = _told(network.users["referrer"])[0].link
    assert referrer_link == f"/referrals/{referral_id}/" and web("referrer").get(referrer_link).status_code == 200


def test_a_provider_change_tells_the_new_providers_supervisors_and_owes_the_change_letter(network):
    sup_b = UserFactory(username="sup_b", role=Role.PROVIDER_SUPERVISOR, organization=network.provider_b)
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    moved = ecm_provider_change(
        actor=network.users["intake"], enrollment=enrollment, reason="Member asked", provider_id=network.provider_b.pk
    )
    [told] = _told(sup_b)
    assert told.message.startswith("A member moved to your organization for ECM")
    assert told.link == f"/members/{moved.member_id}/"
    letter = Notice.objects.get(member=moved.member, kind=NoticeKind.ECM_PROVIDER_CHANGE_LETTER)
    assert letter.content["provider"] == network.provider_b.name
    assert letter.content["previous_provider"] == network.provider_a.name
    assert not Notice.objects.filter(member=moved.member, kind=NoticeKind.ECM_ASSIGNMENT_LETTER).exists()
    referrer = Notice.objects.get(member=moved.member, kind=NoticeKind.REFERRER_OUTCOME)
    assert referrer.content["message"].endswith("now has another ECM provider.")


def test_a_cs_authorization_tells_the_cs_providers_staff_and_owes_the_authorization_letter(
    api, network, cs_provider, member, web
):
    sup = UserFactory(username="cs_sup", role=Role.PROVIDER_SUPERVISOR, organization=cs_provider)
    body = cs_flow.form(member, cs_flow.service("recuperative_care", days=30))
    request = api("referrer").post("/community-supports/requests", body).json()[0]
    decided = api("um").post(f"/authorizations/{request['authorization_id']}/decision", {"outcome": "approve"})
    assert decided.status_code == 200, decided.content

    for user in (network.users["cs"], sup):
        [told] = _told(user)
        assert told.message.startswith(
            "A Community Supports request was authorized with your organization (request CS-"
        )
        assert told.link == f"/community-supports/requests/{request['id']}/"
        assert web("cs").get(told.link).status_code == 200
    letter = Notice.objects.get(member=member, kind=NoticeKind.CS_AUTHORIZATION_LETTER)
    start = plan_today()
    assert letter.content["service_code"] == "recuperative_care" and letter.content["service"]
    assert letter.content["start_date"] == start.isoformat() and letter.content["units"] in ("", "30 days")
    assert (letter.content["provider_name"], letter.content["provider_phone"]) == (cs_provider.name, cs_provider.phone)
    assert set(letter.content) >= {"service", "service_code", "start_date", "end_date", "units", "provider_name"}

    _send_referrer_notices()
    [referrer] = _told(network.users["referrer"])
    assert "A Community Supports request you sent on" in referrer.message and referrer.message.endswith("authorized.")
    assert referrer.link == f"/community-supports/requests/{request['id']}/"


def test_a_presumptive_enrollment_ended_tells_the_providers_supervisors_with_their_worklist(api, network, member):
    body = referral_body(member, source_type="ecm_provider", form="eligibility_verification")
    assert api("cm_a").post("/referrals", body).status_code == 201
    presumptive = AuthorizationRequest.objects.get(member=member, kind="initial")
    authorization_clocks_sweep(now=presumptive.ceiling_at + dt.timedelta(minutes=1))
    assert Enrollment.objects.get(member=member).status != "assigned"
    assigned, told = _told(network.users["sup_a"])  # told of the presumptive assignment, then of its end
    assert assigned.message.startswith("A member was assigned to your organization")
    assert "was not authorized for a member your organization enrolled presumptively" in told.message
    assert told.link == "/"  # the member is no longer theirs to see: their worklist
    letter = Notice.objects.get(member=member, kind=NoticeKind.ECM_DISENROLLMENT_LETTER)
    ended = Enrollment.objects.get(member=member).ended_on
    assert (letter.content["reason_code"], letter.content["effective_on"]) == ("other", ended.isoformat())


def test_a_plan_identified_referral_tells_no_referrer_user(network):
    referral = ReferralFactory(form="plan_identification", submitted_by=network.users["intake"])
    loop_status_set(referral, ReferralStatus.NOT_ELIGIBLE, actor=None, reason="No POF met.")
    notice = Notice.objects.get(referral=referral, kind=NoticeKind.REFERRER_OUTCOME)
    assert notice.content["notify_users"] == [] and notice.content["notify_emails"] == []
    notice_send(notice_id=notice.pk)
    assert not Notification.objects.exists()


def test_the_referrers_notice_names_the_user_the_form_address_the_words_and_the_page(network):
    referral = ReferralFactory(referrer_email="office@clinic.example")
    event = loop_status_set(referral, ReferralStatus.DENIED, actor=None, reason="Not authorized: no POF.")
    content = referrer_notice_content(referral, event)
    reference = f"R-{referral.pk.hex[:8].upper()}"
    assert content["notify_users"] == [network.users["referrer"].pk]
    assert content["notify_emails"] == ["office@clinic.example"]
    assert (
        content["message"] == f"A referral you sent on {content['sent_on']} (reference {reference}) was not authorized."
    )
    assert content["link"] == f"/referrals/{referral.pk}/" and content["event"] == "referral.denied"
    assert "no POF" not in content["message"]  # the decision's reason stays behind sign-in


def test_the_table_refuses_a_staff_role_that_is_not_a_providers(tmp_path):
    text = (REFERENCE_DIR / "closed_loop.yaml").read_text()
    assert "notify_provider: [provider_supervisor]" in text
    (tmp_path / "closed_loop.yaml").write_text(text.replace("[provider_supervisor]", "[plan_um]", 1))
    with pytest.raises(ReferenceDataError, match="'plan_um' is not a provider role"):
        closed_loop_load(tmp_path)
