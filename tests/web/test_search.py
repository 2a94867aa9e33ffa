"""Member search: every kind of query finds the right members, and only within the caller's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.access.scopes import member_search
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(network):
    hpsm = network.hpsm.plan
    return {
        "garcia": MemberFactory(
            cin="91234567A", first_name="Maria", last_name="Garcia", birth_date=dt.date(1970, 3, 4)
        ),
        "garza": MemberFactory(cin="91234999B", first_name="Jose", last_name="Garza", birth_date=dt.date(1985, 11, 30)),
        "delacruz": MemberFactory(cin="92000001C", first_name="Ana", last_name="De La Cruz"),
        "obrien": MemberFactory(cin="92000002D", first_name="Sean", last_name="O'Brien"),
        "garcia_hpsm": MemberFactory(
            cin="91234568E",
            first_name="Maria",
            last_name="Garcia",
            birth_date=dt.date(1970, 3, 4),
            plan=hpsm,
            county=hpsm.counties.first(),
        ),
    }


def _found(user, query: str) -> set[str]:
    return {(m.last_name, m.cin) for m in member_search(user, query)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("91234567A", {"garcia"}),  # CIN exact
        ("91234567a", {"garcia"}),  # CIN in lower case
        ("9123 4567a", {"garcia"}),  # CIN with spaces or a dash, as read off a card
        (" 91234-567A ", {"garcia"}),
        ("9123 4", {"garcia", "garza"}),
        ("91234", {"garcia", "garza"}),  # CIN prefix
        ("9123456", {"garcia"}),
        ("gar", {"garcia", "garza"}),  # last name prefix, any case
        ("GARCIA", {"garcia"}),
        ("Garcia, Ma", {"garcia"}),  # "last, first"
        ("garcia,maria", {"garcia"}),
        ("Garcia, Jo", set()),
        ("Maria Garcia", {"garcia"}),  # "first last"
        ("Jose Gar", {"garza"}),
        ("de la cruz", {"delacruz"}),  # a last name of several words
        ("Ana De La", {"delacruz"}),
        ("o'b", {"obrien"}),
        ("O'Brien, Sean", {"obrien"}),
        ("Sea", {"obrien"}),  # one word also matches a first name
        ("1970-03-04", {"garcia"}),  # birth date, ISO
        ("03/04/1970", {"garcia"}),  # birth date, MM/DD/YYYY
        ("3/4/1970", {"garcia"}),
        ("11/30/1985", {"garza"}),
        ("  maria   garcia ", {"garcia"}),  # spaces do not matter
        ("arcia", set()),  # a name matches from its start, not anywhere inside
        ("zz", set()),
        ("1970-02-30", set()),  # not a date: searched as text, finds nobody
    ],
)
def test_each_kind_of_query(network, people, query, expected):
    want = {(people[k].last_name, people[k].cin) for k in expected}
    assert _found(network.users["member_services"], query) == want


def test_plan_staff_see_only_their_plan(network, people):
    hpsm_user = network.users["hpsm_intake"]
    assert _found(hpsm_user, "Garcia") == {("Garcia", "91234568E")}
    assert _found(hpsm_user, "91234567A") == set()  # another plan's member, even by exact CIN
    assert _found(hpsm_user, "1970-03-04") == {("Garcia", "91234568E")}


def test_provider_staff_see_only_members_assigned_to_them(network, enrolled, people):
    member = enrolled["member"]
    assert _found(network.users["cm_a"], member.last_name[:4]) == {(member.last_name, member.cin)}
    assert _found(network.users["cm_a"], member.cin) == {(member.last_name, member.cin)}
    assert _found(network.users["cm_a"], "Garcia") == set()
    assert _found(network.users["cm_b"], member.cin) == set()


def test_referrers_find_nobody(network, people):
    assert _found(network.users["referrer"], "Garcia") == set()
    assert _found(network.users["referrer"], "91234567A") == set()


def test_search_page_lists_matches_with_links(web, people):
    response = web("member_services").get("/members/search/", {"q": "garcia, m"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "1 member found" in body and f"/members/{people['garcia'].pk}/" in body
    assert "91234568E" not in body  # HPSM's Garcia


def test_search_page_explains_what_to_type_when_nothing_matches(web, people):
    body = web("member_services").get("/members/search/", {"q": "zz"}).content.decode()
    assert "0 members found" in body and "MM/DD/YYYY" in body
