"""Codes shown as words: languages by name, phones as people write them, audit actions as sentences, unlabelled
codes as words, and the template filters that use them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from calaim.core import labels


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("pa", "Punjabi"),
        ("es", "Spanish"),
        ("hmn", "Hmong"),
        ("tl", "Tagalog"),
        ("mien", "Mien"),
        ("zh_Hant", "Traditional Chinese"),
    ],
)
def test_language_codes_read_as_names(code, name):
    assert labels.language_name(code) == name


def test_language_without_code_or_unknown():
    assert labels.language_name("") == "Not recorded"
    assert labels.language_name("qqq") == "qqq"  # never invented
    assert labels.language_names(["en", "es"]) == "English, Spanish"
    assert labels.language_names([]) == "Not listed"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("+12095550100", "(209) 555-0100"), ("2095550100", "(209) 555-0100"), ("+442079460000", "+44 20 7946 0000")],
)
def test_phones_read_as_people_write_them(raw, shown):
    assert labels.phone_display(raw) == shown


def test_a_phone_that_is_not_a_number_is_shown_as_typed():
    assert labels.phone_display("call the shelter") == "call the shelter"
    assert labels.phone_display("") == ""


def test_known_audit_actions_read_as_sentences_and_others_as_words():
    assert (
        labels.action_phrase("referral.pending_authorization") == "ECM referral found eligible; authorization requested"
    )
    assert labels.action_phrase("enrollment.lead_care_manager") == "Lead Care Manager named"
    assert labels.action_phrase("widget.frobnicate_all") == "Widget: frobnicate all"
    assert labels.action_label("referral.pending_authorization") == "Referral: pending authorization"


def test_every_phrase_names_an_action_and_reads_as_a_sentence():
    for action, phrase in labels.ACTION_PHRASES.items():
        assert "." in action and "_" not in phrase and "." not in phrase, action
        assert phrase[0].isupper(), action


def test_codes_fields_and_flags_as_words():
    assert labels.code_words("pending_authorization") == "Pending authorization"
    assert labels.field_label("lead_care_manager") == "Lead care manager"
    assert labels.field_label("provider_id") == "Provider"
    assert (labels.yes_no(True), labels.yes_no(False), labels.yes_no(None)) == ("Yes", "No", "Not recorded")


def test_template_filters():
    template = Template(
        "{% load label_tags %}{{ lang|language_name }}|{{ langs|language_names }}|{{ tel|phone }}|"
        "{{ action|action_label }}|{{ code|code_words }}|{{ flag|yes_no }}|{{ staff|person }}|{{ nobody|person }}"
    )
    staff = SimpleNamespace(
        get_full_name=lambda: "Cara Mendes", get_username=lambda: "cm_a", organization=SimpleNamespace(name="Alpha")
    )
    text = template.render(
        Context(
            {
                "lang": "pa",
                "langs": ["hmn", "vi"],
                "tel": "+12095550100",
                "action": "enrollment.enroll",
                "code": "in_service",
                "flag": False,
                "staff": staff,
                "nobody": None,
            }
        )
    )
    assert text == (
        "Punjabi|Hmong, Vietnamese|(209) 555-0100|Enrolled in ECM|In service|No|Cara Mendes, Alpha|calaim (automatic)"
    )
