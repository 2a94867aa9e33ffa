"""Rendering a letter: its Django template in the letter's language, then WeasyPrint to a PDF (tagged, PDF/UA)
with the letters' print stylesheet. Letters have their own template engine, so their filters and their
tolerance of a missing value (it renders empty) do not leak into the web pages'."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils import translation
from weasyprint import CSS, HTML

from calaim.notices.letters.language import django_language

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STYLESHEET = TEMPLATES_DIR / "notices" / "letters" / "letter.css"
logger = logging.getLogger("calaim.notices")
# WeasyPrint logs each layout step at INFO: seven lines a letter in the worker's log, none of them news.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    sha256: str
    page_count: int
    html: str


@lru_cache(maxsize=1)
def letter_engine() -> Engine:
    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        builtins=["django.templatetags.i18n", "calaim.notices.letters.filters"],
        autoescape=True,
        string_if_invalid="",
    )


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    # Parsed once a process: most of a small letter's time would otherwise go to the stylesheet.
    return CSS(filename=str(STYLESHEET))


def letter_html(template_name: str, data: dict[str, Any], language: str) -> str:
    """The letter as HTML, every translated string in `language`."""
    with translation.override(django_language(language)):
        return letter_engine().get_template(template_name).render(Context(data))


def letter_pdf(html: str) -> RenderedLetter:
    """The HTML laid out on US letter pages as a tagged PDF, with its hash and page count."""
    document = HTML(string=html, base_url=str(TEMPLATES_DIR)).render(stylesheets=[_stylesheet()])
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return RenderedLetter(pdf, hashlib.sha256(pdf).hexdigest(), len(document.pages), html)
