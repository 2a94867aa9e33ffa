"""The plans' public pages in a real browser: a reader opens a plan's page, switches to Español and 中文 from the
language switcher (each page says its language), prints it (no navigation, the links' addresses shown), and breaks
nothing of the Content Security Policy; no sign-in anywhere."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_csp import _watch


def test_a_reader_switches_language_and_prints_a_plan_page(page: Any, network: Any, shot: Any) -> None:
    violations = _watch(page)
    page.goto("/public/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enhanced Care Management and Community Supports")
    page.get_by_role("list", name="Health Plan of San Joaquin: languages").get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"/public/HPSJ/en/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    san_joaquin = page.get_by_role("table", name="Populations of Focus in San Joaquin County and when each went live")
    row = san_joaquin.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Adults Transitioning from Incarceration")
    )
    expect(row.get_by_role("cell")).to_have_text(["January 1, 2022"])
    providers = page.get_by_role("table", name="Contracted ECM providers in Stanislaus County")
    expect(providers.get_by_role("rowheader")).to_have_text(["Alpha Care Partners"])
    shot(page, "plan-english")

    # The skip link is the first stop for a keyboard.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    languages = page.get_by_role("navigation", name="Languages")
    languages.get_by_role("link", name="Español").click()
    expect(page).to_have_url(re.compile(r"/public/HPSJ/es/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Administración de Atención Mejorada y Apoyos Comunitarios en Health Plan of San Joaquin"
    )
    expect(page.get_by_role("note")).to_contain_text("pendiente de revisión por un traductor calificado")
    expect(page.get_by_role("navigation", name="Idiomas").get_by_role("link", name="Español")).to_have_attribute(
        "aria-current", "page"
    )
    shot(page, "plan-spanish")

    page.get_by_role("navigation", name="Idiomas").get_by_role("link", name="中文").click()
    expect(page).to_have_url(re.compile(r"/public/HPSJ/zh-hans/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=2, name="谁符合 ECM 资格")).to_be_visible()
    table = page.get_by_role("table", name="San Joaquin县的重点人群及各自的开始实施日期")
    expect(table.get_by_role("row").filter(has_text="无家可归的成人和家庭")).to_contain_text("2022年1月1日")
    shot(page, "plan-chinese")

    # Printed: no navigation and no skip link; a link's address follows its text.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="语言")).to_be_hidden()
    expect(page.get_by_role("navigation", name="本页内容")).to_be_hidden()
    link = page.get_by_role("link", name="Health Plan of San Joaquin的长期护理")
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert "/public/HPSJ/zh-hans/long-term-care/" in after
    shot(page, "plan-chinese-print")
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="语言")).to_be_visible()
    assert not violations()


def test_the_long_term_care_page_in_tagalog_without_javascript(
    network: Any, base_url: str, chromium: Any, shot: Any
) -> None:
    context = chromium.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/public/HPSM/tl/long-term-care/")
        expect(page.locator("html")).to_have_attribute("lang", "tl")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Pangmatagalang pangangalaga sa Health Plan of San Mateo"
        )
        facilities = page.get_by_role("table", name=re.compile("^Mga pasilidad ng pangmatagalang pangangalaga"))
        adult_subacute = facilities.get_by_role("row").filter(has_text="subacute na pangangalaga para sa adulto")
        expect(adult_subacute).to_contain_text("2024")
        page.get_by_role("navigation", name="Mga wika").get_by_role("link", name="English").click()
        expect(page).to_have_url(re.compile(r"/public/HPSM/en/long-term-care/$"))
        shot(page, "ltc-english-no-js")
    finally:
        context.close()
