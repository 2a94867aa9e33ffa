"""Member letters as PDF: versioned templates per plan and language, rendered by WeasyPrint.

`letter_produce(notice)` is the one entry point: it renders the notice's letter in the language the member gets
(their preferred language when it is a threshold language of their plan and county, else English with the
taglines), stores it as an immutable `NoticeLetter` with its SHA-256 and the data it was made from, and returns it.
"""

from __future__ import annotations

from calaim.notices.models import Notice, NoticeLetter


def letter_produce(notice: Notice) -> NoticeLetter:
    """Render and store the notice's letter; the caller holds the notice's row lock inside a transaction."""
    raise NotImplementedError("calaim.notices.letters.letter_produce is being written")
