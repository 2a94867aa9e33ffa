"""GET /api/roster-facts and its single item, dismiss and resolve: scoped like the worklists (plan staff by plan,
provider staff by provider, referrers nothing; out of scope is 404), filtered by kind, each read on the PHI log."""

from __future__ import annotations

from typing import Any

import pytest

from calaim.core.models import PhiRead
from calaim.roster.consequences import facts_raise
from calaim.roster.models import FactKind, RosterFact
from tests.factories import EnrollmentFactory
from tests.roster.test_facts import AS_OF, change, roster_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def facts(network: Any) -> dict[str, Any]:
    """Provider A's member left the plan; provider B's entered hospice."""
    a = EnrollmentFactory(enrolled=True, referral__member__last_name="Alphason")
    b = EnrollmentFactory(provider=network.provider_b, referral__member__last_name="Bravoson")
    facts_raise(
        load=roster_load(),
        changes=[change(a.member, FactKind.TERMED), change(b.member, FactKind.PROGRAM, "HOSPICE", AS_OF)],
    )
    return {"a": RosterFact.objects.get(enrollment=a), "b": RosterFact.objects.get(enrollment=b)}


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_the_list_is_scoped_like_the_worklists(api, network, facts):
    a, b = str(facts["a"].pk), str(facts["b"].pk)
    for name in ("intake", "um", "member_services"):
        assert _ids(api(name).get("/roster-facts")) == {a, b}, name
    assert _ids(api("cm_a").get("/roster-facts")) == {a}
    assert _ids(api("sup_a").get("/roster-facts")) == {a}
    assert _ids(api("cm_b").get("/roster-facts")) == {b}
    for name in ("hpsm_intake", "referrer", "referrer_cbo"):
        assert _ids(api(name).get("/roster-facts")) == set(), name
    assert api(None).get("/roster-facts").status_code == 401


def test_an_item_reads_as_the_worklist_does_and_out_of_scope_is_404(api, network, facts):
    fact = facts["a"]
    body = api("cm_a").get(f"/roster-facts/{fact.pk}").json()
    assert body["sentence"] == "left the plan on 11/30/2026" and body["effective_date"] == "2026-11-30"
    assert body["kind"] == "termed" and body["plan"] == "HPSJ" and body["roster_as_of"] == "2026-12-01"
    assert body["reason_code"] == "lost_medi_cal_or_left_plan" and body["member_cin"] == fact.member.cin
    assert body["provider_id"] == str(network.provider_a.pk) and body["enrollment_id"] == str(fact.enrollment_id)
    assert body["work"] == "ECM with Alpha Care Partners (Enrolled)"
    for name in ("cm_b", "hpsm_intake", "referrer"):
        response = api(name).get(f"/roster-facts/{fact.pk}")
        assert response.status_code == 404 and "Alphason" not in response.content.decode(), name
    assert api("intake").get("/roster-facts/00000000-0000-0000-0000-000000000000").status_code == 404


def test_filters_by_kind_and_member(api, network, facts):
    a, b = facts["a"], facts["b"]
    assert _ids(api("intake").get("/roster-facts", kind="program")) == {str(b.pk)}
    assert _ids(api("intake").get("/roster-facts", kind="termed")) == {str(a.pk)}
    assert _ids(api("intake").get("/roster-facts", kind="dsnp")) == set()
    assert _ids(api("intake").get("/roster-facts", member_id=str(a.member_id))) == {str(a.pk)}
    assert api("intake").get("/roster-facts", kind="retired").status_code == 422


def test_pages_past_the_end_are_empty_and_counts_are_exact(api, network, facts):
    first = api("intake").get("/roster-facts", limit=1).json()
    assert len(first["items"]) == 1 and first["count"] == 2 and first["count_exact"] is True
    past = api("intake").get("/roster-facts", offset=999_999)
    assert past.status_code == 200 and past.json()["items"] == []


def test_dismiss_and_resolve_through_the_api(api, network, facts):
    a, b = facts["a"], facts["b"]
    assert api("cm_a").post(f"/roster-facts/{a.pk}/dismiss", {"note": ""}).status_code == 422
    assert api("cm_b").post(f"/roster-facts/{a.pk}/dismiss", {"note": "not mine"}).status_code == 404
    assert api("um").post(f"/roster-facts/{a.pk}/dismiss", {"note": "not my role"}).status_code == 403
    done = api("cm_a").post(f"/roster-facts/{a.pk}/dismiss", {"note": "Back in the plan on 12/03."})
    assert done.status_code == 200 and done.json()["resolution"] == "Dismissed" and done.json()["resolved_at"]
    assert api("cm_a").post(f"/roster-facts/{a.pk}/dismiss", {"note": "again"}).status_code == 409
    assert _ids(api("intake").get("/roster-facts")) == {str(b.pk)}
    assert _ids(api("intake").get("/roster-facts", include_resolved=True)) == {str(a.pk), str(b.pk)}
    resolved = api("intake").post(f"/roster-facts/{b.pk}/resolve", {"resolution": "Hospice confirmed; ECM ends"})
    assert resolved.status_code == 200 and resolved.json()["resolution"] == "Hospice confirmed; ECM ends"
    assert _ids(api("intake").get("/roster-facts")) == set()


def test_every_read_is_on_the_phi_read_log(api, network, facts):
    api("intake").get("/roster-facts")
    api("cm_a").get(f"/roster-facts/{facts['a'].pk}")
    listed = PhiRead.objects.filter(user=network.users["intake"])
    assert {r.member_id for r in listed} == {facts["a"].member_id, facts["b"].member_id}
    assert PhiRead.objects.filter(user=network.users["cm_a"], member=facts["a"].member).exists()
    api("cm_b").get(f"/roster-facts/{facts['a'].pk}")  # refused: nothing recorded
    assert not PhiRead.objects.filter(user=network.users["cm_b"]).exists()
