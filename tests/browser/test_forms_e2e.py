"""Forms in Chromium as people fill them in: a date typed key by key as a US user writes it, a day typed first
refused naming the field (Chromium's own date widget used to turn 24/02/1985 into 21985-02-04), a text area's
counter as one types, and a referral with two problems answered with both at once."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from calaim.referrals.models import Referral

US_DATE = "%m/%d/%Y"


def _referral_form(page: Any, member: Any, *, birth_date: str, cin: str | None = None) -> Any:
    """The ECM referral form filled in by keyboard where a person types, A1 attested."""
    page.goto("/referrals/new/")
    form = page.get_by_role("form", name="ECM referral")
    form.get_by_label("Member's CIN").fill(cin if cin is not None else member.cin)
    born = form.get_by_label("Member's birth date")
    born.click()
    born.press_sequentially(birth_date)
    form.get_by_label("The member knows of this referral").check()
    source = form.get_by_label("Referral source")
    if source.input_value() == "":
        source.select_option(label="Primary care provider")
    return form


def _attest_a1(form: Any) -> None:
    a1 = form.get_by_role("group", name=re.compile(r"^A1 "))
    a1.get_by_role("checkbox", name=re.compile("^Experiencing homelessness")).check()
    a1.get_by_label("Supporting facts for A1").fill("Sleeping in car; CHF with 3 missed visits")


def test_a_date_typed_as_a_us_user_types_it_is_that_date(signed_in, member, shot):
    page = signed_in("referrer")
    form = _referral_form(page, member, birth_date="24/02/1985")
    _attest_a1(form)
    form.get_by_role("button", name="Submit referral").click()
    born = page.get_by_label("Member's birth date")
    expect(born).to_have_value("24/02/1985")  # what was typed, not a six-digit year
    expect(born).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_member_birth_date-error")).to_contain_text("Member's birth date: use MM/DD/YYYY")
    shot(page, "day-first-refused")
    assert not Referral.objects.exists()

    born.fill("")
    born.press_sequentially(f"{member.birth_date.month}/{member.birth_date.day}/{member.birth_date.year}")
    page.get_by_role("button", name="Submit referral").click()
    expect(page.get_by_role("status")).to_contain_text("Referral received")
    assert Referral.objects.get().member == member


def test_the_counter_follows_the_typing(signed_in):
    page = signed_in("referrer")
    page.goto("/referrals/new/")
    notes = page.get_by_label("Notes")
    counter = page.locator("#id_notes_count")
    expect(notes).to_have_attribute("maxlength", "4000")
    expect(counter).to_have_text("0 of 4,000 characters")
    notes.press_sequentially("Called twice")
    expect(counter).to_have_text("12 of 4,000 characters")
    notes.fill("x" * 3990)
    expect(counter).to_have_text("3,990 of 4,000 characters (10 left)")
    notes.fill("y" * 4000)
    expect(counter).to_contain_text("4,000 of 4,000 characters: the limit.")


def test_a_referral_with_two_problems_shows_both_at_once(signed_in, member, shot):
    page = signed_in("referrer")
    form = _referral_form(page, member, birth_date=member.birth_date.strftime(US_DATE), cin="1234")
    form.get_by_role("button", name="Submit referral").click()  # no Population of Focus attested either
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("(2 problems)")
    expect(alert).to_contain_text("Member's CIN: A CIN is 8 digits then one letter")
    expect(alert).to_contain_text("Attest at least one Population of Focus.")
    expect(page.locator("#id_member_cin-error")).to_be_visible()
    shot(page, "two-problems")
    alert.get_by_role("link", name=re.compile("Member's CIN")).click()
    expect(page.get_by_label("Member's CIN")).to_be_focused()
    assert not Referral.objects.exists()
