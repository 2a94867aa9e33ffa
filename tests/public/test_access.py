"""Who may read the public pages (anyone, signed in or not, reading only), what they never show (members, staff,
counts), how long they may be cached, and what answers 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from calaim.accounts.models import Role
from calaim.core.models import AuditEvent
from calaim.plans.models import County, Plan
from tests.factories import EnrollmentFactory, MemberFactory, UserFactory
from tests.public.pagehtml import read_page

PAGES = [
    f"/public/{plan}/{lang}/{page}"
    for plan in ("HPSJ", "HPSM")
    for lang in ("en", "es")
    for page in ("", "long-term-care/")
]


def _all_pages() -> dict[str, bytes]:
    client = Client()
    return {url: client.get(url).content for url in ["/public/", *PAGES]}


def test_no_member_staff_or_count_ever_reaches_a_page(network: Any) -> None:
    before = _all_pages()
    members = [
        MemberFactory(first_name="Zebulon", last_name="Quixotica", cin="99887766Z"),
        MemberFactory(
            first_name="Xiomara",
            last_name="Pellinore",
            plan=Plan.objects.get(code="HPSM"),
            county=County.objects.get(name="San Mateo"),
        ),
    ]
    EnrollmentFactory(referral__member=members[0], enrolled=True)  # a member in ECM with Alpha Care Partners
    UserFactory(username="w.stafford", first_name="Wilhelmina", last_name="Staffordshire", role=Role.PLAN_INTAKE)
    after = _all_pages()
    # Nothing about people changes any page: no name, no CIN, no count of members or enrollments.
    assert after == before
    for html in after.values():
        for private in ["Zebulon", "Quixotica", "99887766Z", "Xiomara", "Pellinore", "Wilhelmina", "w.stafford"]:
            assert private not in html.decode()


@pytest.mark.parametrize("who", [None, "intake", "cm_a", "referrer"])
def test_anyone_reads_the_same_page_and_changes_nothing(web: Any, who: str | None) -> None:
    events = AuditEvent.objects.count()
    response = web(who).get("/public/HPSJ/es/")
    assert response.status_code == 200
    assert response.content == Client().get("/public/HPSJ/es/").content  # no sign-in shows more or less
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_pages_are_read_only(network: Any, method: str) -> None:
    assert getattr(Client(), method)("/public/HPSJ/en/").status_code == 405


def test_a_page_may_be_cached_for_five_minutes_and_never_shared_with_a_cookie(network: Any, web: Any) -> None:
    anonymous = Client().get("/public/HPSJ/en/")
    assert set(anonymous["Cache-Control"].split(", ")) == {"max-age=300", "public"}
    assert "Cookie" not in anonymous.get("Vary", "")
    assert not anonymous.cookies
    # A signed-in person's answer carries their session cookie back: only their own browser may keep it.
    signed_in = web("intake").get("/public/HPSJ/en/")
    assert set(signed_in["Cache-Control"].split(", ")) == {"max-age=300", "private"}


@pytest.mark.parametrize(
    "url",
    [
        "/public/NOPE/",
        "/public/NOPE/en/",
        "/public/NOPE/en/long-term-care/",
        "/public/HPSJ/fr/",
        "/public/HPSJ/xx/long-term-care/",
        "/public/hpsj/en/",
        "/public/HPSJ/en/members/",
    ],
)
def test_an_unknown_plan_or_language_is_not_found(network: Any, url: str) -> None:
    assert Client().get(url).status_code == 404


def test_a_plan_address_leads_to_its_english_page(network: Any) -> None:
    response = Client().get("/public/HPSM/")
    assert response.status_code == 302 and response["Location"] == "/public/HPSM/en/"


def test_the_list_of_plans_links_each_plan_in_each_of_its_languages(network: Any) -> None:
    page = read_page(Client().get("/public/").content.decode())
    assert ("h2", "Health Plan of San Joaquin") in page.headings and ("h2", "Health Plan of San Mateo") in page.headings
    links = {(link["href"], link["text"], link.get("lang")) for link in page.links if link["tag"] == "a"}
    assert ("/public/HPSJ/en/", "English", "en") in links
    assert ("/public/HPSM/zh-hans/", "中文", "zh-Hans") in links
    assert ("/public/HPSM/tl/", "Tagalog", "tl") in links
    assert not any(href.startswith("/public/HPSJ/tl/") for href, _, _ in links)
    assert "San Joaquin, Stanislaus" in page.text
