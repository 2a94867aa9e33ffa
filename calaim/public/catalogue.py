"""The public pages' gettext catalogues: every text the pages show (the templates', the content file's and the
reference data's names) and the .po files kept in step with them, compiled to .mo with Babel.

After changing a template, the content file or a reference name, run (with the reference data loaded)

    .venv/bin/python manage.py shell -c "from calaim.public.catalogue import catalogue_update as u; print(u())"

each new text is added to every .po untranslated, each text no longer shown is dropped, and the .mo files are
compiled again. tests/public/test_catalogues.py fails until every text is translated.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.utils.translation import to_locale
from django.utils.translation.template import templatize

from calaim.community_supports.models import CsService
from calaim.plans.models import PopulationOfFocus, ReferralSourceType
from calaim.public.content import public_content
from calaim.public.languages import LOCALE_DIR

TEMPLATES_DIR = Path(__file__).with_name("templates") / "public"
TRANSLATED = ("es", "zh-hans", "vi", "tl")
KEYWORDS = {"gettext": None, "pgettext": (1, 2), "ngettext": (1, 2), "npgettext": (1, 2, 3)}
HEADER_COMMENT = """\
# The plans' public pages (calaim/public), {language}.
# MACHINE-DRAFTED TRANSLATION, AWAITING REVIEW BY A QUALIFIED TRANSLATOR. The pages say so to their readers until a
# qualified translator has reviewed every entry; the reviewer then records the review here and removes this note.
# The reference data's names (Populations of Focus, Community Supports, referral sources) are msgids too."""


def template_msgids() -> list[str]:
    """Every literal text the public templates translate, in the order the templates give them."""
    found: list[str] = []
    for template in sorted(TEMPLATES_DIR.glob("*.html")):
        code = templatize(template.read_text(encoding="utf-8"))
        for _line, _function, messages, _comments in extract_python(io.BytesIO(code.encode()), KEYWORDS, [], {}):
            texts: tuple[object, ...] = messages if isinstance(messages, tuple) else (messages,)
            found.extend(text for text in texts if isinstance(text, str))
    return found


def reference_msgids() -> list[str]:
    """The reference data's names the pages translate: Populations of Focus, Community Supports, referral sources."""
    names = list(PopulationOfFocus.objects.order_by("code", "effective_from").values_list("name", flat=True))
    names += CsService.objects.order_by("code", "effective_from").values_list("name", flat=True)
    names += ReferralSourceType.objects.order_by("code", "effective_from").values_list("label", flat=True)
    return names


def catalogue_msgids() -> list[str]:
    """Every text the public pages need translated, each once."""
    return list(dict.fromkeys([*template_msgids(), *public_content().texts(), *reference_msgids(), "Before 2023"]))


def po_path(language: str) -> Path:
    return LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"


def catalogue_read(language: str) -> Catalog:
    with po_path(language).open("rb") as po:
        return read_po(po, locale=to_locale(language))


def _updated(language: str, msgids: Iterable[str]) -> Catalog:
    old = catalogue_read(language) if po_path(language).exists() else Catalog(locale=to_locale(language))
    new = Catalog(locale=to_locale(language), project="calaim public pages", version=public_content().version)
    new.header_comment = HEADER_COMMENT.format(language=language)
    new.fuzzy = False
    new.last_translator = "machine draft, awaiting review by a qualified translator"
    if po_path(language).exists():
        new.creation_date, new.revision_date = old.creation_date, old.revision_date
    for msgid in msgids:
        kept = old.get(msgid)
        new.add(msgid, kept.string if kept else "", flags=kept.flags if kept else ())
    return new


def catalogue_write(language: str, catalogue: Catalog) -> None:
    """Write the language's .po and its compiled .mo (untranslated and fuzzy entries stay out of the .mo)."""
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalogue, width=116, omit_header=False)
    with path.with_suffix(".mo").open("wb") as mo:
        write_mo(mo, catalogue)


def catalogue_update() -> dict[str, int]:
    """Bring every .po in step with the texts the pages show and compile it; the untranslated count per language."""
    msgids = catalogue_msgids()
    untranslated = {}
    for language in TRANSLATED:
        catalogue = _updated(language, msgids)
        catalogue_write(language, catalogue)
        untranslated[language] = sum(1 for m in catalogue if m.id and not m.string)
    return untranslated
