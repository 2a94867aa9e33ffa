"""Long text is never cut: a text area states its limit, carries maxlength (the browser stops there) and a
counter (web/forms.js), and the server refuses more, naming the limit; a text area without a limit of its own
holds what the API's notes hold."""

from __future__ import annotations

import re

import pytest
from django import forms

from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import plan_today
from calaim.core.inputs import NOTE_MAX_LENGTH
from calaim.referrals.models import Referral
from calaim.web.forms import CalaimForm
from tests.forms_web.conftest import REFERRAL_PATH, referral_form

pytestmark = pytest.mark.django_db


class _Note(CalaimForm):
    note = forms.CharField(widget=forms.Textarea, required=False)
    short = forms.CharField(widget=forms.Textarea, required=False, max_length=2000)


def test_a_text_area_without_a_limit_gets_the_notes_limit():
    assert 'maxlength="4000"' in str(_Note()["note"]) and 'maxlength="2000"' in str(_Note()["short"])
    form = _Note({"note": "x" * (NOTE_MAX_LENGTH + 1), "short": "y" * 2001})
    assert not form.is_valid()
    assert form.errors["note"] == ["Shorten this to 4000 characters or fewer (it has 4001)."]
    assert form.errors["short"] == ["Shorten this to 2000 characters or fewer (it has 2001)."]
    assert _Note({"note": "x" * NOTE_MAX_LENGTH, "short": "y" * 2000}).is_valid()


def test_the_referral_form_refuses_over_long_notes_and_keeps_nothing(web, member):
    response = web("referrer").post(REFERRAL_PATH, referral_form(member, notes="n" * 4001))
    body = response.content.decode()
    assert response.status_code == 400 and "Shorten this to 4000 characters or fewer (it has 4001)." in body
    assert not Referral.objects.exists()
    assert web("referrer").post(REFERRAL_PATH, referral_form(member, notes="n" * 4000)).status_code == 302
    assert len(Referral.objects.get().notes) == 4000  # all of it, nothing cut


def test_the_page_states_the_limit_with_a_counter_and_maxlength(web):
    html = web("referrer").get(REFERRAL_PATH).content.decode()
    area = re.search(r'<textarea name="notes"[^>]*>', html)
    assert area and 'maxlength="4000"' in area[0] and "id_notes_count" in area[0]  # aria-describedby
    assert re.search(
        r'<p class="help counter" id="id_notes_count" data-counter-for="id_notes" data-limit="4000">'
        r"Up to 4,000 characters\.</p>",
        html,
    )
    assert '<script src="/static/web/forms.js" defer></script>' in html


def test_outreach_notes_over_the_limit_are_refused_not_cut(web, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/outreach/"
    body = {"attempted_on": plan_today().isoformat(), "method": "phone", "minutes_spent": 5, "notes": "z" * 4001}
    response = web("cm_a").post(path, body)
    assert response.status_code == 400 and "Shorten this to 4000 characters" in response.content.decode()
    assert not OutreachAttempt.objects.exists()
