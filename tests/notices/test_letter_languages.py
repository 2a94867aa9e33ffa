"""The language a member's letter is written in (domain doc §5.3): their preferred language when it is a threshold
language of their plan and county and the letter is translated into it; otherwise English with the taglines,
recording that interpretation was offered. Chinese, Vietnamese, Tagalog and Spanish letters read back in their
own script."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from calaim.notices.letters.language import language_code, letter_language_choose
from calaim.notices.mailroom import notice_send
from calaim.notices.models import NoticeKind, NoticeLetter, NoticeRecipient
from calaim.notices.reference import languages_config
from calaim.notices.services import notice_queue
from calaim.plans.models import County, Plan
from tests.factories import MemberFactory
from tests.notices.test_letter_pdf import pdf_text, squeeze

ALL = ("en", "es", "zh", "vi", "tl")
DAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("preferred", "plan", "county", "expected"),
    [
        ("en", "HPSJ", "San Joaquin", ("en", "en", True)),
        ("es", "HPSJ", "San Joaquin", ("es", "es", True)),
        ("zh", "HPSJ", "San Joaquin", ("zh", "zh", True)),
        ("zh", "HPSJ", "Stanislaus", ("en", "zh", False)),  # not a threshold language in that county
        ("vi", "HPSJ", "San Joaquin", ("en", "vi", False)),
        ("tl", "HPSM", "San Mateo", ("tl", "tl", True)),
        ("km", "HPSJ", "San Joaquin", ("en", "km", False)),  # no threshold, no translation
        ("zh-Hans", "HPSM", "San Mateo", ("zh", "zh", True)),
        ("ES", "HPSJ", "Stanislaus", ("es", "es", True)),
        ("", "HPSJ", "San Joaquin", ("en", "en", True)),
    ],
)
def test_the_letter_is_in_a_threshold_language_the_member_prefers_else_english(preferred, plan, county, expected):
    choice = letter_language_choose(preferred=preferred, plan_code=plan, county=county, day=DAY, translated=ALL)
    assert (choice.language, choice.preferred_language, choice.in_preferred_language) == expected


def test_a_threshold_language_the_letter_is_not_translated_into_gets_english():
    choice = letter_language_choose(
        preferred="tl", plan_code="HPSM", county="San Mateo", day=DAY, translated=("en", "es")
    )
    assert (choice.language, choice.in_preferred_language) == ("en", False)


def test_threshold_languages_are_dated():
    config = languages_config()
    assert config.thresholds_for("HPSJ", "San Joaquin", DAY) == ("es", "zh")
    assert config.thresholds_for("HPSJ", "San Joaquin", dt.date(2020, 1, 1)) == ()
    assert config.thresholds_for("HPSM", "San Joaquin", DAY) == ()
    assert language_code("zh_CN") == "zh" and language_code("") == "en"


def test_every_threshold_and_common_language_has_a_tagline():
    config = languages_config()
    named = set(config.common) | {code for row in config.thresholds for code in row.languages}
    assert named <= set(config.taglines) and all("{phone}" in t.text for t in config.taglines.values())


def _letter_for(**member_fields: object) -> tuple[NoticeLetter, str]:
    member = MemberFactory(**member_fields)
    notice = notice_queue(
        actor=None,
        member=member,
        kind=NoticeKind.NOTICE_OF_ACTION,
        recipient=NoticeRecipient.MEMBER,
        due_date=DAY,
        content={
            "determination": "denied",
            "program": "cs",
            "service_code": "recuperative_care",
            "reason": "Records do not show a need.",
            "criteria": "Policy Guide",
            "decision_date": DAY.isoformat(),
            "appeal_deadline": (DAY + dt.timedelta(days=60)).isoformat(),
        },
    )
    assert notice_send(notice_id=notice.pk) is True
    letter = NoticeLetter.objects.get(notice=notice)
    return letter, pdf_text(bytes(letter.pdf))


PHRASES = {
    "zh": ["行动通知", "已拒绝您的康复护理（医疗暂托）申请", "您的权利", "州公平听证", "反歧视通知"],
    "tl": ["Abiso ng Aksyon", "Tinanggihan ng Health Plan of San Mateo", "Ang Inyong mga Karapatan"],
    "es": ["Aviso de Acción", "negó su solicitud de Cuidados de recuperación", "Sus derechos"],
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "plan", "county"),
    [("zh", "HPSJ", "San Joaquin"), ("tl", "HPSM", "San Mateo"), ("es", "HPSJ", "Stanislaus")],
)
def test_a_member_gets_their_threshold_language_in_its_own_script(reference, network, caplog, language, plan, county):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    where = {"plan": Plan.objects.get(code=plan), "county": County.objects.get(name=county)}
    letter, text = _letter_for(language=language, **where)
    assert (letter.language, letter.in_preferred_language) == (language, True)
    for phrase in PHRASES[language]:
        assert squeeze(phrase) in squeeze(text), phrase
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]


@pytest.mark.django_db
def test_a_member_whose_language_is_not_a_threshold_language_gets_english_and_the_taglines(reference, network, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    letter, text = _letter_for(language="vi")  # San Joaquin: Spanish and Chinese are its threshold languages
    assert (letter.language, letter.preferred_language, letter.in_preferred_language) == ("en", "vi", False)
    assert letter.translation_reviewed is True  # English is the source text
    flat = squeeze(text)
    assert squeeze("Notice of Action") in flat and squeeze("This letter is in English.") in flat
    # The Vietnamese, Chinese, Tagalog, Korean and Khmer taglines, each in its own script, with the plan's number.
    for tagline in (
        "CHÚ Ý: Nếu quý vị cần trợ giúp",
        "请注意：如果您需要以您的语言获得帮助",
        "PAALALA:",
        "주의:",
        "ចំណាំ",
    ):
        assert squeeze(tagline) in flat, tagline
    assert flat.count("1-888-936-7526(TTY:711)") >= 10
    order = [line["language"] for line in letter.data["taglines"]]
    assert order[:3] == ["es", "zh", "vi"] and "en" not in order  # the plan's threshold languages first
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]


@pytest.mark.django_db
def test_a_vietnamese_letter_reads_back_in_vietnamese(reference):
    from calaim.notices.letters import letter_preview

    letter = letter_preview(
        key="appeal_resolution", version="2026.1", language="vi", plan=Plan.objects.get(code="HPSJ"), on=DAY
    )
    text = squeeze(pdf_text(letter.rendered.pdf))
    for phrase in ("Quyết định về đơn kháng nghị của quý vị", "ngày 2 tháng 3 năm 2026", "Quyền Của Quý Vị"):
        assert squeeze(phrase) in text, phrase
