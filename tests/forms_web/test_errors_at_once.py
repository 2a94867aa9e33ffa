"""The ECM referral form answers every problem in one round: the form's own (a CIN that is not one) and the
service's (no Population of Focus attested, no member matching, a date in the future) together, each on its field
and listed in the summary; nothing is written."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.referrals.models import Referral
from tests.conftest import referral_body
from tests.forms_web.conftest import REFERRAL_PATH, referral_form

pytestmark = pytest.mark.django_db


def _errors(response: Any) -> dict[str, str]:
    """Each field's error text, by field name, from the page."""
    body = response.content.decode()
    assert response.status_code == 400, body[:500]
    return {m[1]: m[2] for m in re.finditer(r'<p class="error" id="id_(\w+)-error">(.*?)</p>', body, re.S)}


def _summary(response: Any) -> str:
    body = response.content.decode()
    found = re.search(r'<div class="error-summary" role="alert">(.*?)</div>', body, re.S)
    assert found, body
    return found[1]


def test_a_bad_cin_and_no_population_of_focus_are_shown_together(web, member):
    response = web("referrer").post(REFERRAL_PATH, referral_form(member, member_cin="1234", pof_A1=[], pof_A1_facts=""))
    errors, summary = _errors(response), _summary(response)
    assert "8 digits then one letter" in errors["member_cin"]
    assert "Attest at least one Population of Focus." in summary and "8 digits then one letter" in summary
    assert "(2 problems)" in summary and 'href="#id_member_cin"' in summary
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(action="referral.create").exists()


def test_service_problems_come_together_and_beside_the_form_errors(web, member):
    tomorrow = (plan_today() + dt.timedelta(days=1)).isoformat()
    body = referral_form(
        member, member_birth_date="1990-01-01", pof_A1_facts="", attested_on=tomorrow, referrer_npi="12"
    )
    errors = _errors(web("referrer").post(REFERRAL_PATH, body))
    assert "No plan member matches" in errors["member_cin"]
    assert "Give the supporting facts" in errors["pof_A1_facts"]
    assert "cannot be in the future" in errors["attested_on"]
    assert "An NPI is 10 digits" in errors["referrer_npi"]
    assert not Referral.objects.exists()


def test_a_field_the_form_refused_is_not_checked_again(web, member):
    errors = _errors(web("referrer").post(REFERRAL_PATH, referral_form(member, attested_on="13/45/2026")))
    assert errors.keys() == {"attested_on"} and "use MM/DD/YYYY" in errors["attested_on"]


def test_a_future_birth_date_is_an_error_on_the_birth_date(web, member):
    future = (plan_today() + dt.timedelta(days=30)).strftime("%m/%d/%Y")
    errors = _errors(web("referrer").post(REFERRAL_PATH, referral_form(member, member_birth_date=future)))
    assert errors["member_birth_date"].strip() == "The birth date cannot be in the future."
    assert "member_cin" not in errors  # not "No plan member matches"
    # Even when the CIN is refused too, the birth date is still checked.
    errors = _errors(
        web("referrer").post(REFERRAL_PATH, referral_form(member, member_cin="x", member_birth_date=future))
    )
    assert {"member_cin", "member_birth_date"} <= errors.keys()


def test_the_api_lists_every_problem_and_the_future_birth_date(api, member):
    future = (plan_today() + dt.timedelta(days=3)).isoformat()
    response = api("referrer").post("/referrals", referral_body(member, member_birth_date=future, pof_attestations=[]))
    assert response.status_code == 422
    problems = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert problems == {
        ("body", "member_birth_date"): "The birth date cannot be in the future.",
        ("body", "pof_attestations"): "Attest at least one Population of Focus.",
    }
    assert not Referral.objects.exists()
