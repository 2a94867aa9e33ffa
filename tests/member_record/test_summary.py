"""The member record's header: the member's status in ECM and in each Community Support, the open clocks (late ones
marked), the next step, the Lead Care Manager by name and the alerts (roster changes, the mailing address, D-SNP);
the sections fold outside the caller's work; and nothing of it reaches a caller outside the member's scope."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from calaim.notices.models import AddressFlag
from calaim.roster.consequences import facts_raise
from calaim.roster.models import FactKind
from tests.factories import CsRequestFactory, EnrollmentFactory
from tests.roster.test_facts import change, cs_provider_org, roster_load

pytestmark = pytest.mark.django_db


def _record(web: Any, who: str, member: Any) -> str:
    response = web(who).get(f"/members/{member.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _header(body: str) -> dict[str, str]:
    """What the header says under each heading, as text (tags dropped, spaces collapsed)."""
    html = body.split('<section class="record-summary"', 1)[1].split("</section>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)
    return {term: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip() for term, text in pairs}


def _item(header: dict[str, str], term: str) -> str:
    if term == "Next step":  # "Next steps" when there are several
        return header.get("Next step") or header["Next steps"]
    return header[term]


def test_an_enrolled_member_reads_enrolled_with_the_provider_and_the_lcm_by_name(web, named, enrolled):
    header = _header(_record(web, "intake", enrolled["member"]))
    today = plan_today().strftime("%m/%d/%Y")
    assert _item(header, "ECM") == f"Enrolled since {today} with Alpha Care Partners"
    assert _item(header, "Lead Care Manager") == "Cara Mendes, Alpha Care Partners"
    assert _item(header, "Next step").startswith("Create a care plan Task: Welcome call")
    assert _item(header, "Community Supports") == "None open"
    assert _item(header, "Open clocks") == "None running"


def test_a_pending_authorization_past_due_shows_an_overdue_clock_and_the_um_step(web, named, pending):
    authorization = pending["authorization"]
    AuthorizationRequest.objects.filter(pk=authorization.pk).update(due_at=timezone.now() - dt.timedelta(hours=5))
    header = _header(_record(web, "um", pending["member"]))
    assert _item(header, "ECM").endswith("eligible, authorization pending")
    clocks = _item(header, "Open clocks")
    assert clocks.startswith("Overdue ECM initial authorization: UM decision due") and "(overdue by 5 h" in clocks
    assert _item(header, "Next step").startswith("Overdue UM decision overdue since")


def test_a_pending_authorization_in_time_shows_the_time_left(web, pending):
    header = _header(_record(web, "intake", pending["member"]))
    clocks = _item(header, "Open clocks")
    assert "Overdue" not in clocks and re.search(r"\(\d+ d \d+ h left\)", clocks), clocks
    assert _item(header, "Lead Care Manager") == "None: no ECM provider assigned"


def test_each_open_community_support_with_its_status_provider_and_dates(web, named, enrolled):
    member = enrolled["member"]
    provider = cs_provider_org()
    request = CsRequestFactory(member=member, authorized=True, provider=provider)
    CsRequestFactory(member=member, service_code="respite", status="closed")  # closed: not in the header
    header = _header(_record(web, "intake", member))
    period = request.authorization
    assert _item(header, "Community Supports") == (
        f"Recuperative Care (Medical Respite): Authorized with Valley Recuperative Care, authorized "
        f"{period.period_start:%m/%d/%Y} to {period.period_end:%m/%d/%Y}"
    )


def test_an_assigned_member_shows_outreach_so_far_as_the_next_step(web, network):
    enrollment = EnrollmentFactory()
    header = _header(_record(web, "intake", enrollment.member))
    assert _item(header, "ECM").startswith("Assigned to Alpha Care Partners on ")
    assert _item(header, "Next step").startswith("Outreach: no attempt yet")
    assert _item(header, "Lead Care Manager") == "Not named yet (Alpha Care Partners)"


def test_roster_changes_and_address_flags_are_alerts(web, named, enrolled):
    member = enrolled["member"]
    CsRequestFactory(member=member, authorized=True, provider=cs_provider_org())  # a second piece of work
    facts_raise(load=roster_load(), changes=[change(member, FactKind.TERMED)])
    AddressFlag.objects.create(member=member, reason="Returned mail: Moved, left no address")
    body = _record(web, "intake", member)
    assert body.count("left the plan on 11/30/2026 (roster as of") == 2  # the card: once per piece of work
    alerts = _item(_header(body), "Alerts")
    assert alerts.count("Left the plan on 11/30/2026 (roster)") == 1
    assert "Mailing address to check: Returned mail: Moved, left no address" in alerts


def test_d_snp_and_delegation_without_a_roster_fact_are_alerts(web, network, enrolled):
    member = enrolled["member"]
    member.dsnp, member.delegated_to = True, network.kaiser
    member.save(update_fields=["dsnp", "delegated_to"])
    alerts = _item(_header(_record(web, "intake", member)), "Alerts")
    assert "Enrolled in a D-SNP" in alerts and "Delegated to Kaiser Permanente" in alerts


def test_the_callers_work_is_open_and_the_rest_folded(web, enrolled):
    def open_sections(who: str) -> set[str]:
        body = _record(web, who, enrolled["member"])
        found = re.findall(
            r'<section id="([a-z-]+)" class="record-section".*?<details class="fold"( open)?>', body, re.S
        )
        return {name for name, is_open in found if is_open}

    assert open_sections("cm_a") == {"ecm", "care-plan", "care-team", "tasks", "outreach"}
    assert {"referrals", "authorizations"} <= open_sections("intake") and "tasks" not in open_sections("intake")


def test_a_section_alone_is_open_with_its_gist(web, enrolled):
    body = web("intake").get(f"/members/{enrolled['member'].pk}/sections/tasks/").content.decode()
    gist = re.search(
        r'<details class="fold" open>\s*<summary>(.*?)<span class="sr-only"> \(Tasks\)</span></summary>', body
    )
    assert gist and re.fullmatch(r"No open tasks|1 open task|\d+ open tasks", gist.group(1)), body[:400]


@pytest.mark.parametrize("caller", ["cm_b", "hpsm_intake", "referrer"])
def test_out_of_scope_callers_get_404_and_no_header(web, named, enrolled, caller):
    member = enrolled["member"]
    response = web(caller).get(f"/members/{member.pk}/")
    assert response.status_code == 404
    assert b"Alpha Care Partners" not in response.content and b"Cara Mendes" not in response.content
