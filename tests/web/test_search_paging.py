"""Member search at a plan's size: results in name order (the index's), one word's last-name matches before its
first-name matches, pages that read the same rows whichever way they are cut, and a count that stops counting
past the page (the API's `count_exact`, the page's "N+") instead of counting every GARCIA of a million."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calaim.access.scopes import member_search
from calaim.core import paging
from calaim.core.paging import QueryChain, page_of
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lees(network):
    """Lees by last name and by first name, in mixed case, with HPSM's Lee out of scope."""
    made = [
        MemberFactory(cin="91000005E", last_name="lee", first_name="Zoe"),
        MemberFactory(cin="91000001A", last_name="Lee", first_name="amy"),
        MemberFactory(cin="91000002B", last_name="LEE", first_name="Amy"),
        MemberFactory(cin="91000003C", last_name="Leeds", first_name="Bo"),
        MemberFactory(cin="91000004D", last_name="Adams", first_name="Leeann"),
        MemberFactory(cin="91000006F", last_name="Zhou", first_name="Lee"),
        MemberFactory(cin="91000007G", last_name="Baker", first_name="Tom"),
    ]
    hpsm = network.hpsm.plan
    MemberFactory(cin="91000008H", last_name="Lee", first_name="Ann", plan=hpsm, county=hpsm.counties.first())
    return made


def _cins(rows) -> list[str]:
    return [m.cin for m in rows]


def test_one_word_lists_last_names_in_name_order_then_first_names(network, lees):
    found = member_search(network.users["member_services"], "lee")
    assert isinstance(found, QueryChain)
    # LEE, Amy and Lee, amy tie on the upper-cased name: the CIN orders them.
    assert _cins(found) == ["91000001A", "91000002B", "91000005E", "91000003C", "91000004D", "91000006F"]


def test_last_first_and_first_last_are_ordered_by_name(network, lees):
    user = network.users["member_services"]
    assert _cins(member_search(user, "lee, a")) == ["91000001A", "91000002B"]
    assert _cins(member_search(user, "amy lee")) == ["91000001A", "91000002B"]
    assert _cins(member_search(user, "")) == [
        "91000004D", "91000007G", "91000001A", "91000002B", "91000005E", "91000003C", "91000006F",
    ]  # fmt: skip


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
def test_every_page_of_a_chain_is_the_same_slice_of_the_whole_list(network, lees, size):
    found = member_search(network.users["member_services"], "lee")
    whole = _cins(found)
    read, number = [], 1
    while True:
        page = page_of(found, number, size)
        read += _cins(page.object_list)
        if not page.has_next:
            break
        number += 1
    assert read == whole and page.count == len(whole) and page.count_exact
    for start in range(len(whole) + 2):
        assert _cins(found[start : start + size]) == whole[start : start + size]


def test_the_api_counts_exactly_when_the_list_is_short(api, lees):
    body = api("member_services").get("/members", q="lee", limit=4).json()
    assert [m["cin"] for m in body["items"]] == ["91000001A", "91000002B", "91000005E", "91000003C"]
    assert body["count"] == 6 and body["count_exact"] is True
    last = api("member_services").get("/members", q="lee", limit=4, offset=4).json()
    assert [m["cin"] for m in last["items"]] == ["91000004D", "91000006F"]
    assert last["count"] == 6 and last["count_exact"] is True


def test_the_api_stops_counting_past_the_page(api, lees, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_AHEAD", 1)
    first = api("member_services").get("/members", q="lee", limit=2).json()
    assert [m["cin"] for m in first["items"]] == ["91000001A", "91000002B"]
    assert first["count"] == 3 and first["count_exact"] is False  # at least the page and one more
    third = api("member_services").get("/members", q="lee", limit=2, offset=4).json()
    assert third["count"] == 6 and third["count_exact"] is True  # the last page knows the end


def test_a_last_page_needs_no_count_query(network, lees):
    found = member_search(network.users["member_services"], "leeds, bo")
    with CaptureQueriesContext(connection) as queries:
        page = page_of(found, 1, 25)
    assert _cins(page.object_list) == ["91000003C"] and page.count == 1 and page.count_exact
    assert len(queries) == 1


def test_the_search_page_shows_a_bounded_count_and_pages_on(web, network, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_AHEAD", 2)
    for n in range(30):
        MemberFactory(last_name=f"Garcia{n:02d}")
    first = web("member_services").get("/members/search/", {"q": "garcia"}, headers={"HX-Request": "true"})
    body = first.content.decode()
    assert "27+ members found" in body and "Page 1</span>" in body and "page=2" in body
    assert body.index("Garcia00") < body.index("Garcia24") and "Garcia25" not in body
    second = web("member_services").get("/members/search/", {"q": "garcia", "page": "2"}).content.decode()
    assert "30 members found" in second and "Page 2 of 2" in second and "Garcia29" in second
    assert "Garcia24" not in second
    beyond = web("member_services").get("/members/search/", {"q": "garcia", "page": "9"}).content.decode()
    assert "Page 2 of 2" in beyond  # past the end: the last page, as before

