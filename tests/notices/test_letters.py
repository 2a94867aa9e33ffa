"""Member letters: every kind renders in every catalogued language; a notice's letter is produced once, stored with
its hash and the data it was made from, and never made again or changed; a missing value never stops the mailroom."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone, translation

from calaim.core.clock import plan_today
from calaim.members.models import Member
from calaim.notices.letters import letter_preview, letter_produce, letter_render
from calaim.notices.letters.language import LanguageChoice, django_language
from calaim.notices.letters.render import letter_html
from calaim.notices.letters.selection import letter_select_version
from calaim.notices.mailroom import notice_send
from calaim.notices.models import Notice, NoticeKind, NoticeLetter, NoticeRecipient
from calaim.notices.reference import letters_config
from calaim.notices.services import notice_queue
from calaim.plans.models import Plan
from tests.factories import MemberFactory
from tests.notices.test_letter_pdf import pdf_text, squeeze

pytestmark = pytest.mark.django_db
LANGUAGES = ("en", "es", "zh", "vi", "tl")
KEYS = sorted(letters_config().templates)
ADDRESS = {"address_line": "12 Oak Lane", "city": "Stockton", "zip_code": "95202"}


def _heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("&amp;", "&").strip()


def _queue(member: Member, kind: str = NoticeKind.ECM_ASSIGNMENT_LETTER, **content: object) -> Notice:
    return notice_queue(
        actor=None,
        member=member,
        kind=kind,
        recipient=NoticeRecipient.MEMBER,
        due_date=plan_today(),
        content={"provider": "Alpha Care Partners", "provider_phone": "209-555-0100", **content},
    )


def test_every_member_notice_kind_has_a_letter_template():
    member_kinds = set(NoticeKind.values) - {NoticeKind.REFERRER_OUTCOME}
    assert set(letters_config().by_kind) == member_kinds


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", KEYS)
def test_each_letter_renders_in_each_language_with_every_glyph(reference, caplog, key, language):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    letter = letter_preview(key=key, version="2026.1", language=language, plan=Plan.objects.get(code="HPSJ"))
    assert letter.rendered.pdf.startswith(b"%PDF-") and letter.rendered.page_count >= 3
    text = squeeze(pdf_text(letter.rendered.pdf))
    heading = _heading(letter.rendered.html)
    assert squeeze(heading) in text and "HealthPlanofSanJoaquin" in text and "1-888-936-7526" in text
    with translation.override(django_language(language)):
        dear = translation.gettext("Dear %(name)s,") % {"name": "Sample Member"}
    assert squeeze(dear) in text
    if language != "en":
        selection = letter.selection
        english = letter_html(selection.template_name, {**letter.data, "preview": True}, "en")
        assert heading != _heading(english)  # translated, not English with another lang tag
    assert f'<html lang="{"zh-Hans" if language == "zh" else language}">' in letter.rendered.html
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]


@pytest.mark.parametrize("key", KEYS)
def test_a_letter_whose_content_is_missing_says_not_stated_and_renders(reference, key):
    plan = Plan.objects.get(code="HPSM")
    selection = letter_select_version(key, "2026.1", plan_code=plan.code)
    letter = letter_render(
        kind=selection.template.kind,
        selection=selection,
        choice=LanguageChoice("es", "es", True),
        plan=plan,
        addressee={"name": "Ana Member"},
        content={},
        on=dt.date(2026, 3, 5),
    )
    text = pdf_text(letter.rendered.pdf)
    assert "5 de marzo de 2026" in text and "Ana Member" in text
    if key not in ("ecm_provider_change_letter", "ecm_assignment_letter", "ecm_enrollment_letter"):
        assert "no indicado" in text  # each missing value the letter names is said to be missing


def test_a_member_notice_becomes_one_immutable_letter_with_its_hash_and_data(reference, network):
    member = MemberFactory(language="es", **ADDRESS)
    notice = _queue(member)
    started = time.perf_counter()
    assert notice_send(notice_id=notice.pk) is True
    elapsed = time.perf_counter() - started
    notice.refresh_from_db()
    letter = NoticeLetter.objects.get(notice=notice)
    assert notice.status == "produced"
    assert hashlib.sha256(bytes(letter.pdf)).hexdigest() == letter.sha256
    assert (letter.template_key, letter.template_version) == ("ecm_assignment_letter", "2026.1")
    assert (letter.language, letter.preferred_language, letter.in_preferred_language) == ("es", "es", True)
    assert letter.translation_reviewed is False and letter.page_count >= 3
    assert letter.data["member"] == {
        "name": member.full_name, "cin": member.cin, "state": "CA", **ADDRESS
    }  # fmt: skip
    assert letter.data["plan"]["name"] == "Health Plan of San Joaquin" and letter.data["plan"]["tty"] == "711"
    assert letter.data["content"]["provider"] == "Alpha Care Partners"
    assert letter.data["letter"]["date"] == plan_today().isoformat()
    text = pdf_text(bytes(letter.pdf))
    assert "Alpha Care Partners" in text and "12 Oak Lane" in text and "Stockton, CA 95202" in text
    assert "Su proveedor de Administración Mejorada de la Atención" in text
    assert elapsed < 10  # one letter, rendered and stored, well under a second on a quiet machine

    # The member moves and changes language; the letter mailed stays what it was, byte for byte.
    Member.objects.filter(pk=member.pk).update(address_line="1 New Street", language="vi")
    assert notice_send(notice_id=notice.pk) is False
    again = letter_produce(Notice.objects.select_related("member").get(pk=notice.pk))
    assert again.pk == letter.pk and again.sha256 == letter.sha256 and bytes(again.pdf) == bytes(letter.pdf)
    assert again.data["member"]["address_line"] == "12 Oak Lane" and NoticeLetter.objects.count() == 1


def test_only_letter_produce_makes_a_letter_and_nothing_in_calaim_changes_one():
    """A letter is created by `letter_produce` alone; no code updates, saves or deletes one afterwards."""
    root = Path(__file__).resolve().parents[2] / "calaim"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or "demo" in path.parts:  # the demo backdates its made-up history
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            writes = re.search(r"NoticeLetter\b.*\.(update|delete|save|bulk_update|update_or_create)\(", line)
            creates = "NoticeLetter.objects.create" in line and path.name != "produce.py"
            if writes or creates:
                offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []


def test_a_plans_own_template_is_used_for_its_members(reference, network):
    hpsm = MemberFactory(plan=Plan.objects.get(code="HPSM"), county=Plan.objects.get(code="HPSM").counties.first())
    hpsj = MemberFactory()
    letters = {}
    for member in (hpsm, hpsj):
        notice = _queue(member, NoticeKind.ECM_ENROLLMENT_LETTER, enrolled_on=plan_today().isoformat())
        notice_send(notice_id=notice.pk)
        letters[member.plan.code] = pdf_text(bytes(NoticeLetter.objects.get(notice=notice).pdf))
    assert squeeze("Alpha Care Partners will call you in the next few days") in squeeze(letters["HPSM"])
    assert squeeze("will call you in the next few days") not in squeeze(letters["HPSJ"])
    assert squeeze("Your ECM provider will contact you to set up your first visit") in squeeze(letters["HPSJ"])


def test_a_provider_change_owed_as_an_assignment_letter_is_the_provider_change_notice(reference, network):
    notice = _queue(MemberFactory(), change=True, previous_provider="Bravo Health Navigators")
    notice_send(notice_id=notice.pk)
    letter = NoticeLetter.objects.get(notice=notice)
    assert letter.template_key == "ecm_provider_change_letter"
    assert squeeze("Your ECM provider was Bravo Health Navigators.") in squeeze(pdf_text(bytes(letter.pdf)))


def test_the_produced_at_is_now_and_the_letter_is_dated_in_the_plans_time_zone(reference, network):
    notice = _queue(MemberFactory())
    notice_send(notice_id=notice.pk)
    letter = NoticeLetter.objects.get(notice=notice)
    assert abs((timezone.now() - letter.produced_at).total_seconds()) < 120
    assert letter.data["letter"]["date"] == plan_today().isoformat()
