"""Dates are typed into a text box as people in the US write them. MM/DD/YYYY, M/D/YYYY and YYYY-MM-DD are read;
a day first (24/02/1985) is refused with "use MM/DD/YYYY" naming the field, never guessed at; years outside
1900..2100 are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from calaim.referrals.models import Referral
from calaim.web.forms import DATE_INPUT, CalaimForm, DayField
from tests.forms_web.conftest import REFERRAL_PATH, referral_form

pytestmark = pytest.mark.django_db


class _Born(CalaimForm):
    born = DayField(label="Birth date")
    legacy = forms.DateField(label="Old-style date", widget=DATE_INPUT, required=False)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("02/24/1985", dt.date(1985, 2, 24)),
        ("2/4/1985", dt.date(1985, 2, 4)),
        ("1985-02-24", dt.date(1985, 2, 24)),
        (" 12/31/2100 ", dt.date(2100, 12, 31)),
        ("01/01/1900", dt.date(1900, 1, 1)),
    ],
)
def test_dates_people_type_are_read(typed, day):
    form = _Born({"born": typed, "legacy": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"born": day, "legacy": day}  # a plain DateField on a CalaimForm reads them too


@pytest.mark.parametrize("typed", ["24/02/1985", "21985-02-04", "02/04/21985", "02/30/1985", "Feb 24 1985", "02/24/85"])
def test_other_dates_are_refused_naming_the_field(typed):
    form = _Born({"born": typed, "legacy": typed})
    assert not form.is_valid()
    assert form.errors["born"] == ["Birth date: use MM/DD/YYYY, e.g. 02/24/1985 (or YYYY-MM-DD)."]
    assert form.errors["legacy"] == ["Old-style date: use MM/DD/YYYY, e.g. 02/24/1985 (or YYYY-MM-DD)."]


@pytest.mark.parametrize("typed", ["12/31/1899", "01/01/2101", "0019-02-24"])
def test_years_outside_1900_to_2100_are_refused(typed):
    form = _Born({"born": typed})
    assert not form.is_valid() and form.errors["born"] == ["Give a date from 01/01/1900 to 12/31/2100."]


def test_the_date_box_is_a_text_box_showing_mm_dd_yyyy():
    html = str(_Born(initial={"born": dt.date(1985, 2, 24)})["born"])
    assert 'type="text"' in html and 'value="02/24/1985"' in html and 'placeholder="MM/DD/YYYY"' in html
    assert 'type="date"' not in str(_Born()["legacy"])


def test_the_referral_form_takes_us_dates_and_refuses_a_day_first(web, member):
    born = member.birth_date
    typed = f"{born.month}/{born.day}/{born.year}"
    refused = web("referrer").post(REFERRAL_PATH, referral_form(member, member_birth_date="24/02/1985"))
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Member&#x27;s birth date: use MM/DD/YYYY" in body and 'id="id_member_birth_date-error"' in body
    assert 'aria-describedby="id_member_birth_date_format id_member_birth_date-error"' in body
    assert web("referrer").post(REFERRAL_PATH, referral_form(member, member_birth_date=typed)).status_code == 302
    assert Referral.objects.get().member == member


def test_the_referral_page_shows_the_format(web):
    html = web("referrer").get(REFERRAL_PATH).content.decode()
    assert 'id="id_member_birth_date_format"' in html and "MM/DD/YYYY" in html
    assert 'id="id_attested_on"' in html and 'type="date"' not in html
