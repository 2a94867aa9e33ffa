"""The member record read in Chromium: the header sums the member up at the top of the first screen at laptop and
tablet widths without sideways scrolling, the table of contents opens a folded section, and the page's text shows
words, not codes (no dotted statuses, no bare language codes)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from calaim.members.models import Member
from calaim.roster.consequences import facts_raise
from calaim.roster.models import FactKind
from tests.browser.test_tablet import OVERFLOW_JS
from tests.factories import CsRequestFactory
from tests.roster.test_facts import change, cs_provider_org, roster_load

WIDTHS = {"laptop": {"width": 1280, "height": 800}, "tablet": {"width": 768, "height": 1024}}
# A dotted status or audit action ("referral.pending_authorization"); addresses and file names are taken out first.
DOTTED = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b")
NOT_CODES = re.compile(r"\S+@\S+|\b[\w.-]+\.(?:com|org|net|gov|pdf|csv)\b|https?://\S+|\be\.g\.|\bi\.e\.")
# Every section open: the whole record's text, folded sections included.
OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture
def record(network: Any, enrolled: dict[str, Any]) -> Member:
    """An enrolled member who speaks Punjabi, with a phone, an authorized Community Support and a roster change."""
    member = enrolled["member"]
    Member.objects.filter(pk=member.pk).update(language="pa", phone="+12095550100")
    CsRequestFactory(member=member, authorized=True, provider=cs_provider_org())
    facts_raise(load=roster_load(), changes=[change(member, FactKind.TERMED)])
    member.refresh_from_db()
    return member


@pytest.mark.parametrize("width", WIDTHS)
def test_the_header_is_on_the_first_screen_without_sideways_scrolling(signed_in, record, shot, width):
    page = signed_in("intake")
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"/members/{record.pk}/")
    header = page.get_by_role("region", name="Summary")
    expect(header).to_be_visible()
    box = header.bounding_box()
    assert box is not None and box["y"] < WIDTHS[width]["height"] / 2, box  # it starts in the top half
    expect(header).to_contain_text("Enrolled since")
    expect(header).to_contain_text("Recuperative Care (Medical Respite): Authorized")
    expect(header).to_contain_text("Left the plan on 11/30/2026")
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["clientWidth"], overflow
    shot(page, width)


def test_the_page_is_short_and_the_table_of_contents_opens_a_folded_section(signed_in, record, shot):
    page = signed_in("intake")
    page.goto(f"/members/{record.pk}/")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    outreach = page.get_by_role("region", name="Outreach log", exact=True)
    empty = outreach.get_by_text("No outreach attempts.", exact=True)
    expect(empty).to_be_hidden()  # intake's record folds it
    page.get_by_role("navigation", name="Sections of the record").get_by_role("link", name="Outreach log").click()
    expect(page).to_have_url(re.compile("#outreach$"))
    expect(empty).to_be_visible()
    page.get_by_role("navigation", name="Sections of the record").get_by_role("link", name="Audit trail").click()
    audit = page.get_by_role("region", name="Audit trail", exact=True)
    expect(audit.get_by_text("Enrolled in ECM").first).to_be_visible()
    page.evaluate(OPEN_ALL)
    unfolded = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < unfolded * 0.75, (height, unfolded)
    shot(page, "unfolded")


@pytest.mark.parametrize("who", ["intake", "member_services", "cm_a"])
def test_the_record_reads_in_words_not_codes(signed_in, record, who):
    page = signed_in(who)
    page.goto(f"/members/{record.pk}/")
    page.evaluate(OPEN_ALL)
    text = NOT_CODES.sub(" ", page.locator("main").inner_text())
    assert not DOTTED.findall(text), DOTTED.findall(text)
    identity = page.get_by_role("region", name="Identity and contact", exact=True)
    expect(identity).to_contain_text("Punjabi")
    expect(identity).to_contain_text("(209) 555-0100")
    for cell in page.locator("main td, main dd").all_inner_texts():
        assert not re.fullmatch(r"\s*(?:[a-z]{2,3}|[a-z]{2}[-_][A-Za-z]{2,4})\s*", cell), cell
    assert "pending_authorization" not in text and "+12095550100" not in text
