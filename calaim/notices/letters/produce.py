"""Producing a member's letter: choose the template version and language, assemble the data, render, and store
it once, immutable (`NoticeLetter`); and the same rendering for previews, stored nowhere."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.notices.letters.data import addressee_of, letter_data
from calaim.notices.letters.language import LanguageChoice, letter_language_choose
from calaim.notices.letters.render import RenderedLetter, letter_html, letter_pdf
from calaim.notices.letters.reviews import translation_reviewed
from calaim.notices.letters.samples import SAMPLE_ADDRESSEE, sample_content
from calaim.notices.letters.selection import Selection, letter_select, letter_select_version
from calaim.notices.models import Notice, NoticeLetter
from calaim.notices.reference import letters_config
from calaim.plans.models import Plan

logger = logging.getLogger("calaim.notices")


@dataclass(frozen=True)
class Letter:
    rendered: RenderedLetter
    data: dict[str, Any]
    selection: Selection
    choice: LanguageChoice


def letter_render(
    *,
    kind: str,
    selection: Selection,
    choice: LanguageChoice,
    plan: Plan,
    addressee: dict[str, str],
    content: dict[str, Any],
    on: dt.date,
    preview: bool = False,
) -> Letter:
    """Render one letter from its parts, storing nothing; `preview` marks every page as a sample."""
    started = time.perf_counter()
    data = letter_data(
        kind=kind, selection=selection, choice=choice, plan=plan, addressee=addressee, content=content, on=on
    )
    context = {**data, "preview": True, "translation_status": _review_status(selection, choice)} if preview else data
    rendered = letter_pdf(letter_html(selection.template_name, context, choice.language))
    logger.debug(
        "Letter %s v%s (%s) rendered: %d pages in %.0f ms",
        selection.template.key,
        selection.version.version,
        choice.language,
        rendered.page_count,
        (time.perf_counter() - started) * 1000,
    )
    return Letter(rendered, data, selection, choice)


def _review_status(selection: Selection, choice: LanguageChoice) -> str:
    reviewed = translation_reviewed(selection.template.key, selection.version.version, choice.language)
    return "reviewed by a qualified translator" if reviewed else letters_config().awaiting_review


def letter_produce(notice: Notice) -> NoticeLetter:
    """Render and store the notice's letter once; the caller holds the notice's row lock inside a transaction. A
    notice that already has its letter keeps it: a letter is never made again nor changed."""
    existing = NoticeLetter.objects.filter(notice=notice).first()
    if existing is not None:
        return existing
    member = notice.member
    on = plan_today()
    selection = letter_select(notice.kind, notice.content, plan_code=member.plan.code, day=on)
    choice = letter_language_choose(
        preferred=notice.language or member.language,
        plan_code=member.plan.code,
        county=member.county.name,
        day=on,
        translated=selection.version.languages,
    )
    letter = letter_render(
        kind=notice.kind,
        selection=selection,
        choice=choice,
        plan=member.plan,
        addressee=addressee_of(notice),
        content=dict(notice.content),
        on=on,
    )
    return NoticeLetter.objects.create(
        notice=notice,
        pdf=letter.rendered.pdf,
        sha256=letter.rendered.sha256,
        page_count=letter.rendered.page_count,
        template_key=selection.template.key,
        template_version=selection.version.version,
        language=choice.language,
        preferred_language=choice.preferred_language,
        in_preferred_language=choice.in_preferred_language,
        translation_reviewed=translation_reviewed(selection.template.key, selection.version.version, choice.language),
        data=letter.data,
        produced_at=timezone.now(),
    )


def letter_preview(*, key: str, version: str, language: str, plan: Plan, on: dt.date | None = None) -> Letter:
    """A template version in one language rendered with made-up sample data (no member's), for review."""
    selection = letter_select_version(key, version, plan_code=plan.code)
    if language not in selection.version.languages:
        raise ValidationFailed(f"{key} v{version} has no {language!r} translation.", field="language")
    return letter_render(
        kind=selection.template.kind,
        selection=selection,
        choice=LanguageChoice(language, language, True),
        plan=plan,
        addressee=dict(SAMPLE_ADDRESSEE),
        content=sample_content(key, on or plan_today()),
        on=on or plan_today(),
        preview=True,
    )
