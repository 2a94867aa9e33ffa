"""Member letters as PDF: versioned templates per plan and language, rendered by WeasyPrint.

`letter_produce(notice)` is the one entry point for the mailroom: it renders the notice's letter in the language
the member gets (their preferred language when it is a threshold language of their plan and county, else English
with the taglines), stores it as an immutable `NoticeLetter` with its SHA-256 and the data it was made from, and
returns it. `letter_render` and `letter_preview` render without storing (previews use made-up data).

Modules: `selection` (template and version, letters.yaml), `language` (the language rule), `data` (what the
template reads), `render` (Django template, then PDF), `produce` (the entry points), `reviews` (translation
sign-offs), `timing` (when each letter is due).
"""

from __future__ import annotations

from calaim.notices.letters.produce import Letter, letter_preview, letter_produce, letter_render

__all__ = ["Letter", "letter_preview", "letter_produce", "letter_render"]
