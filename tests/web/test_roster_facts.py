"""Roster facts in the browser: on the assigned provider's and the plan's worklists with their plan-local date, on
the member record, beside the discontinuation and close forms with the matching reason preselected; ending the
work resolves them; dismissing one takes a note. Every page that shows one is on the PHI read log."""

from __future__ import annotations

from typing import Any

import pytest

from calaim.core.models import PhiRead
from calaim.roster.consequences import facts_raise
from calaim.roster.models import FactKind, RosterFact
from tests.factories import CsRequestFactory, EnrollmentFactory, UserFactory
from tests.roster.test_facts import AS_OF, change, cs_provider_org, roster_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def facts(network: Any) -> dict[str, Any]:
    """Provider A's enrolled member left the plan on 11/30/2026, its assigned member entered hospice on 12/01/2026,
    and a CS provider's client left the plan."""
    enrollment = EnrollmentFactory(
        enrolled=True, referral__member__last_name="Leftplan", referral__member__cin="91234567A"
    )
    hospice = EnrollmentFactory(referral__member__last_name="Hospiceton")
    cs_org = cs_provider_org()
    cs = CsRequestFactory(authorized=True, provider=cs_org, member__last_name="Supportsen")
    network.users["cs_staff"] = UserFactory(username="cs_staff", role="provider_care_manager", organization=cs_org)
    facts_raise(
        load=roster_load(),
        changes=[
            change(enrollment.member, FactKind.TERMED),
            change(hospice.member, FactKind.PROGRAM, "HOSPICE", AS_OF),
            change(cs.member, FactKind.TERMED),
        ],
    )
    return {
        "enrollment": enrollment,
        "hospice": hospice,
        "cs": cs,
        "fact": RosterFact.objects.get(enrollment=enrollment),
    }


def _page(web: Any, name: str, path: str = "/") -> str:
    response = web(name).get(path)
    assert response.status_code == 200, response
    return response.content.decode()


def _facts_section(body: str) -> str:
    assert "Roster changes to act on" in body
    return body.split("Roster changes to act on", 1)[1].split("</section>", 1)[0]


def test_the_providers_and_the_plans_worklists_show_the_fact_with_its_date(web, network, facts):
    for name in ("cm_a", "sup_a", "intake", "member_services"):
        section = _facts_section(_page(web, name))
        assert "Leftplan" in section and "Left the plan on 11/30/2026" in section, name
        assert "Hospiceton" in section and "Entered hospice on 12/01/2026" in section, name
        assert "Member lost Medi-Cal eligibility or left the plan" in section
    assert "Supportsen" not in _facts_section(_page(web, "cm_a"))  # the CS provider's work, not provider A's
    assert "Supportsen" in _facts_section(_page(web, "intake"))
    cs_section = _facts_section(_page(web, "cs_staff"))
    assert "Supportsen" in cs_section and "Leftplan" not in cs_section
    # Another provider and another plan see none of it.
    for name in ("cm_b", "hpsm_intake"):
        assert "Roster changes to act on" not in _page(web, name) and "Leftplan" not in _page(web, name)


def test_the_worklist_offers_the_actions_its_reader_may_take(web, network, facts):
    enrollment, fact = facts["enrollment"], facts["fact"]
    section = _facts_section(_page(web, "cm_a"))
    assert f"/enrollments/{enrollment.pk}/disenroll/" in section and f"/roster-facts/{fact.pk}/dismiss/" in section
    section = _facts_section(_page(web, "intake"))
    assert f"/roster-facts/{fact.pk}/dismiss/" in section
    assert f"/community-supports/requests/{facts['cs'].pk}/close/" in section


def test_a_worklist_showing_facts_is_on_the_phi_read_log(web, network, facts):
    _page(web, "cm_a")
    reads = PhiRead.objects.filter(user=network.users["cm_a"], view="web:home")
    assert facts["enrollment"].member_id in {r.member_id for r in reads}


def test_the_member_record_alerts_with_the_fact(web, network, facts):
    enrollment = facts["enrollment"]
    body = _page(web, "cm_a", f"/members/{enrollment.member_id}/")
    alert = body.split('id="roster-alert-h"', 1)[1].split("</section>", 1)[0]
    assert "left the plan on 11/30/2026" in alert and "roster as of 12/01/2026" in alert
    assert "Reason to use: Member lost Medi-Cal eligibility or left the plan" in alert
    # The inline discontinuation form of the ECM section starts at the matching reason.
    assert '<option value="lost_medi_cal_or_left_plan" selected>' in body


def test_the_discontinuation_form_preselects_the_matching_reason_and_shows_the_fact(web, network, facts):
    enrollment = facts["enrollment"]
    body = _page(web, "cm_a", f"/enrollments/{enrollment.pk}/disenroll/")
    assert '<option value="lost_medi_cal_or_left_plan" selected>' in body
    assert "What the plan" in body and "The member left the plan on 11/30/2026" in body
    hospice = _page(web, "intake", f"/enrollments/{facts['hospice'].pk}/disenroll/")
    assert '<option value="entered_excluded_program" selected>' in hospice
    assert "entered hospice on 12/01/2026" in hospice


def test_ending_ecm_from_the_form_resolves_the_fact(web, network, facts):
    enrollment, fact = facts["enrollment"], facts["fact"]
    response = web("cm_a").post(
        f"/enrollments/{enrollment.pk}/disenroll/",
        {"reason": "lost_medi_cal_or_left_plan", "note": "", "confirmed": "yes"},
    )
    assert response.status_code == 302, response.content.decode()
    fact.refresh_from_db()
    assert fact.resolved_at is not None and fact.resolution.startswith("ECM ended")
    assert "Leftplan" not in _page(web, "intake")


def test_the_cs_close_form_is_filled_from_the_fact_and_closing_resolves_it(web, network, facts):
    cs = facts["cs"]
    body = _page(web, "cs_staff", f"/community-supports/requests/{cs.pk}/close/")
    assert "Member lost Medi-Cal eligibility or left the plan: the member left the plan on 11/30/2026" in body
    detail = _page(web, "intake", f"/community-supports/requests/{cs.pk}/")
    assert "The member left the plan on 11/30/2026" in detail
    response = web("cs_staff").post(f"/community-supports/requests/{cs.pk}/close/", {"reason": "Left the plan."})
    assert response.status_code == 302
    assert RosterFact.objects.get(cs_request=cs).resolved_at is not None


def test_dismiss_with_a_note(web, network, facts):
    fact = facts["fact"]
    url = f"/roster-facts/{fact.pk}/dismiss/"
    page = _page(web, "intake", url)
    assert "Left the plan on 11/30/2026" in page
    refused = web("intake").post(url, {"note": ""})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    fact.refresh_from_db()
    assert fact.resolved_at is None
    done = web("intake").post(url, {"note": "Re-enrolled on 12/03 per the county; nothing to end."})
    assert done.status_code == 302
    fact.refresh_from_db()
    assert (
        fact.resolution == "Dismissed" and fact.note.startswith("Re-enrolled") and fact.resolved_by.username == "intake"
    )
    assert "Leftplan" not in _page(web, "cm_a")


def test_dismiss_is_refused_out_of_scope_and_by_role(web, network, facts):
    url = f"/roster-facts/{facts['fact'].pk}/dismiss/"
    assert web("cm_b").get(url).status_code == 404
    assert web("hpsm_intake").post(url, {"note": "x"}).status_code == 404
    assert web("referrer").get(url).status_code == 404
    um = web("um").post(url, {"note": "not my role"})
    assert um.status_code == 400 and "may read roster facts but not resolve them" in um.content.decode()
    assert RosterFact.objects.filter(resolved_at__isnull=False).count() == 0
