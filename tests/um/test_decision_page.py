"""The UM decision page shows what the decision rests on: the member, the request and its clock, for ECM the
attested Populations of Focus with their facts and the eligibility evidence, for Community Supports the service,
dates, units, justification and what remains of the member's limits, and the member's earlier decisions and
appeals; only the plan's own staff see it (anyone else: 404, nothing changes)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from calaim.appeals.services import AppealInput, appeal_file
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import EligibilityDetermination
from tests.factories import AuthorizationFactory, CsRequestFactory, ReferralFactory
from tests.um.conftest import deny, pending_ecm

pytestmark = pytest.mark.django_db


def _page(web: Any, who: str, authorization: AuthorizationRequest) -> str:
    response = web(who).get(f"/authorizations/{authorization.pk}/decision/")
    assert response.status_code == 200, response.content[:300]
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_ecm_request_shows_the_member_the_pofs_their_facts_and_the_eligibility_evidence(web, ecm_pending):
    member = ecm_pending.member
    page = _page(web, "um", ecm_pending)
    assert f"<dd>{member.cin}</dd>" in page and f"{member.first_name} {member.last_name}" in page
    assert f"<dd>{member.age_on(plan_today())} " in page and "<dd>San Joaquin</dd>" in page
    assert "<dd>Spanish</dd>" in page  # the language by name, not "es"
    assert "Enhanced Care Management" in page and "Routine" in page and " left)" in page
    assert "A1 " in page and "Sleeping in car; CHF with 3 missed visits" in page  # the attested facts
    determination = EligibilityDetermination.objects.get(referral=ecm_pending.referral)
    assert determination.get_outcome_display() in page and "Eligibility determination and evidence" in page
    evidence = [e for pof in determination.explanation["pofs"] for c in pof["criteria"] for e in c.get("evidence", [])]
    assert evidence and all(escape(e) in page for e in evidence)
    assert "Dr. Rivera" in page and "Valley PCP Clinic" in page  # the referrer
    assert 'name="outcome"' in page and "Record decision" in page
    assert "None: this is the member's first authorization request." in page


def test_a_cs_request_shows_the_service_dates_units_justification_and_the_limits_remaining(web, cs_pending):
    page = _page(web, "um", cs_pending)
    today = plan_today()
    assert "Recuperative Care" in page and "<dd>Tagalog</dd>" in page
    end = today + dt.timedelta(days=13)
    assert f"{today:%Y-%m-%d} to {end:%Y-%m-%d}" in page
    assert '<dd id="cs-units">14 days</dd>' in page
    assert "Discharged after pneumonia with IV antibiotics; sleeping in a car." in page
    assert "Approving as asked fits the member's limits." in page
    # The earlier 10-day stay counts against the room-and-board days: 173 of 183 remain.
    assert "10 of 183 days used" in page and "may cover up to 173 days" in page
    assert "Not counting this request" in page


def test_a_cs_request_over_a_limit_says_which_before_the_reviewer_approves(web, network):
    authorization = AuthorizationFactory(referral=None, program="cs")
    start = plan_today()
    CsRequestFactory(
        member=authorization.member,
        status="pending_authorization",
        authorization=authorization,
        requested_start=start,
        requested_end=start + dt.timedelta(days=119),
    )
    page = _page(web, "um", authorization)
    assert '<dd id="cs-units">120 days</dd>' in page
    assert "Approving as asked would exceed a limit" in page and "90" in page


def test_prior_decisions_show_the_outcome_date_reason_and_appeal(api, web, staff, member):
    notice = deny(api, pending_ecm(api, member))
    appeal = appeal_file(actor=staff["member_services"], notice=notice, data=AppealInput(channel="phone"))
    current = AuthorizationFactory(referral=ReferralFactory(member=member, status="pending_authorization"))
    page = _page(web, "um", current)
    prior = page.split('id="prior-h"')[1].split("</section>")[0]
    assert "Denied" in prior and notice.authorization.decision_reason in prior
    assert f"decided {timezone.localtime(notice.authorization.decided_at):%Y-%m-%d %H:%M}" in prior
    assert appeal.reference in prior and "Acknowledged" in prior
    assert "Enhanced Care Management" in prior


def test_a_decided_request_shows_its_decision_and_no_form(web, ecm_pending):
    web("um").post(f"/authorizations/{ecm_pending.pk}/decision/", {"outcome": "approve", "reason": "Meets A1"})
    page = _page(web, "um", ecm_pending)
    assert "already decided (Approved)" in page and "Meets A1" in page and 'name="outcome"' not in page


def test_plan_intake_reads_the_review_but_has_no_form(web, ecm_pending):
    page = _page(web, "intake", ecm_pending)
    assert "Sleeping in car" in page and 'name="outcome"' not in page and "may not decide" in page


@pytest.mark.parametrize("who", ["cm_a", "cm_b", "referrer", "referrer_cbo", "hpsm_um", "hpsm_intake"])
def test_everyone_outside_the_plan_gets_404_and_changes_nothing(web, ecm_pending, who):
    path = f"/authorizations/{ecm_pending.pk}/decision/"
    audit = AuditEvent.objects.count()
    assert web(who).get(path).status_code == 404
    assert web(who).post(path, {"outcome": "approve"}).status_code == 404
    assert AuthorizationRequest.objects.get(pk=ecm_pending.pk).status == "pending"
    assert AuditEvent.objects.count() == audit


def test_the_referrer_who_sent_the_referral_gets_404_too(web, ecm_pending):
    # The PCP's referrer follows the request on the referral page, never on UM's review.
    assert web("referrer").get(f"/referrals/{ecm_pending.referral_id}/").status_code == 200
    assert web("referrer").get(f"/authorizations/{ecm_pending.pk}/decision/").status_code == 404


def test_anonymous_goes_to_the_login_page(client, ecm_pending):
    response = client.get(f"/authorizations/{ecm_pending.pk}/decision/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("fixture", ["ecm_pending", "cs_pending"])
def test_the_page_makes_a_modest_number_of_queries(web, request, fixture):
    authorization = request.getfixturevalue(fixture)
    for n in range(3):  # earlier decisions do not add a query each
        AuthorizationFactory(approved=True, member=authorization.member, referral=None, decision_reason=f"r{n}")
    client = web("um")
    client.get(f"/authorizations/{authorization.pk}/decision/")  # warm the reference caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/authorizations/{authorization.pk}/decision/").status_code == 200
    # 21 (ECM) and 25 (Community Supports, with the limits engine's reads) on SQLite today.
    assert len(queries) <= 28, "\n".join(q["sql"][:150] for q in queries.captured_queries)
