"""The intake's awaiting-assignment list and the supervisor's caseload as queues: filtered, sorted and exported as
CSV (recorded in the PHI read log), by the role they belong to only."""

from __future__ import annotations

from typing import Any

import pytest

from calaim.core.models import PhiRead

pytestmark = pytest.mark.django_db


def _csv(response: Any) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_awaiting_assignment_filters_and_exports(web, network, member, authorized):
    narrowed = web("intake").get("/", {"intake_awaiting-filtered": "1", "intake_awaiting-member": "Nobody"})
    body = narrowed.content.decode().split('id="await-h"', 1)[1].split("</section>", 1)[0]
    assert member.cin not in body and "matches these filters" in body
    exported = _csv(web("intake").get("/queues/intake_awaiting.csv"))
    assert "Days waiting" in exported and member.cin in exported and "Routine" in exported
    assert PhiRead.objects.filter(user=network.users["intake"], view="web:queue_export", member=member).exists()
    assert web("um").get("/queues/intake_awaiting.csv").status_code == 404
    assert member.cin not in _csv(web("hpsm_intake").get("/queues/intake_awaiting.csv"))


def test_team_caseload_filters_and_exports(web, network, enrolled):
    cin = enrolled["member"].cin
    unassigned = web("sup_a").get("/", {"team_caseload-filtered": "1", "team_caseload-lead": "none"})
    assert cin not in unassigned.content.decode().split('id="case-h"', 1)[1]
    exported = _csv(web("sup_a").get("/queues/team_caseload.csv", {"team_caseload-sort": "-lead"}))
    assert cin in exported and "cm_a, Alpha Care Partners" in exported and "Enrolled" in exported
    assert web("cm_a").get("/queues/team_caseload.csv").status_code == 404


def test_new_referrals_filter_sort_and_export(web, network):
    from tests.factories import MemberFactory, ReferralFactory

    routine = ReferralFactory(member=MemberFactory(last_name="Zamora", experiencing_homelessness=True))
    urgent = ReferralFactory(
        member=MemberFactory(last_name="Abara", experiencing_homelessness=True), urgency="expedited"
    )

    def section(params: dict[str, str]) -> str:
        page = web("intake").get("/", {"intake_new-filtered": "1", **params}).content.decode()
        return page.split('id="new-h"', 1)[1].split("</section>", 1)[0]

    expedited = section({"intake_new-urgency": "expedited"})
    assert urgent.member.cin in expedited and routine.member.cin not in expedited
    by_name = section({"intake_new-sort": "name"})
    assert by_name.index("Abara") < by_name.index("Zamora")
    by_name_desc = section({"intake_new-sort": "-name"})
    assert by_name_desc.index("Zamora") < by_name_desc.index("Abara")
    exported = _csv(
        web("intake").get("/queues/intake_new.csv", {"intake_new-filtered": "1", "intake_new-urgency": "expedited"})
    )
    assert urgent.member.cin in exported and routine.member.cin not in exported and "Expedited" in exported
    assert PhiRead.objects.filter(user=network.users["intake"], view="web:queue_export", member=urgent.member).exists()
    assert web("um").get("/queues/intake_new.csv").status_code == 404
    assert urgent.member.cin not in _csv(web("hpsm_intake").get("/queues/intake_new.csv"))
