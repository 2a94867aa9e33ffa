"""Everything a letter's template reads, assembled as plain JSON values before rendering, and stored with the
letter: the member's name and address as of production, the plan's contact details and rights settings, the
notice's content, the agencies named, the taglines, and the letter's own key, version, language and date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from calaim.notices.letters.language import ENGLISH, LanguageChoice, language_tag
from calaim.notices.letters.phrases import SERVICE_NAMES
from calaim.notices.letters.selection import Selection
from calaim.notices.models import Notice, NoticeKind
from calaim.notices.reference import languages_config, letters_config
from calaim.plans.models import Plan
from calaim.plans.selectors import program_settings_for

TTY = "711"
STATE = "CA"
# Letters that end or cut a service the plan had authorized carry the "Your Rights" attachment unless the member's
# own act or circumstance ended it (letters.yaml timing.advance_notice.exceptions).
ENDING_KINDS = frozenset({NoticeKind.ECM_DISENROLLMENT_LETTER.value})


def plan_block(plan: Plan, day: dt.date) -> dict[str, Any]:
    """The plan as its letters name it, with the setting that decides whether the IMR is offered."""
    settings = program_settings_for(plan, day)
    return {
        "code": plan.code,
        "name": plan.name,
        "phone": plan.member_services_phone,
        "tty": TTY,
        "knox_keene_licensed": settings.knox_keene_licensed,
    }


def taglines_for(plan_code: str, language: str, phone: str) -> list[dict[str, str]]:
    """The insert's lines: English (when the letter is not), the plan's threshold languages in any county, then the
    common Medi-Cal languages, each once, never the letter's own language."""
    config = languages_config()
    plan_languages = [code for row in config.thresholds if row.plan == plan_code for code in row.languages]
    order = [ENGLISH, *plan_languages, *config.common]
    seen: list[str] = []
    for code in order:
        if code != language and code not in seen and code in config.taglines:
            seen.append(code)
    return [
        {
            "language": code,
            "lang": language_tag(code),
            "name": config.taglines[code].name,
            "text": config.taglines[code].text.replace("{phone}", phone),
            "dir": config.taglines[code].direction,
        }
        for code in seen
    ]


def content_block(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """The notice's content with what the templates derive from it: the service's name from its code when only the
    code was given, and whether an ending was the member's own (no appeal rights, no advance notice)."""
    block = dict(content)
    if not block.get("service"):
        block["service"] = SERVICE_NAMES.get(str(block.get("service_code") or block.get("program") or ""), "")
    if kind in ENDING_KINDS:
        exceptions = letters_config().timing.advance_exceptions
        code = str(block.get("reason_code") or "")
        block["member_initiated"] = code in exceptions
        block["opted_out"] = code == "opted_out"
    return block


def letter_data(
    *,
    kind: str,
    selection: Selection,
    choice: LanguageChoice,
    plan: Plan,
    addressee: dict[str, str],
    content: dict[str, Any],
    on: dt.date,
) -> dict[str, Any]:
    """The whole of what a letter's template reads."""
    config = letters_config()
    plan_data = plan_block(plan, on)
    return {
        "letter": {
            "kind": kind,
            "key": selection.template.key,
            "version": selection.version.version,
            "language": choice.language,
            "lang": language_tag(choice.language),
            "preferred_language": choice.preferred_language,
            "in_preferred_language": choice.in_preferred_language,
            "date": on.isoformat(),
        },
        "plan": plan_data,
        "member": addressee,
        "content": content_block(kind, content),
        "rights": {**config.rights, "imr": plan_data["knox_keene_licensed"]},
        "agencies": {name: dict(values) for name, values in config.agencies.items()},
        "taglines": taglines_for(plan.code, choice.language, plan_data["phone"]),
    }


def addressee_of(notice: Notice) -> dict[str, str]:
    """The member's name and address as the window envelope shows them, as of production."""
    member = notice.member
    return {
        "name": notice.recipient_name or member.full_name,
        "cin": member.cin,
        "address_line": member.address_line,
        "city": member.city,
        "state": STATE,
        "zip_code": member.zip_code,
    }
