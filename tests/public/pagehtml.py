"""Reading a public page as a reader would: its tables by caption, its headings, its links (standard library only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Page:
    lang: str = ""
    headings: list[tuple[str, str]] = field(default_factory=list)  # (tag, text)
    tables: dict[str, list[list[str]]] = field(default_factory=dict)  # caption: body rows of cell texts
    header_scopes: list[str | None] = field(default_factory=list)  # each table <th>'s scope
    links: list[dict[str, str]] = field(default_factory=list)  # each <a> and <link>'s attributes, with its text
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._buffer: list[str] = []
        self._caption = ""
        self._row: list[str] | None = None
        self._in_body = False
        self._link: dict[str, str] | None = None
        self._all: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = values.get("lang", "")
        if tag in {"h1", "h2", "h3", "caption", "td", "th"}:
            self._buffer = []
        if tag == "th":
            self.page.header_scopes.append(values.get("scope"))
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._in_body:
            self._row = []
        if tag in {"a", "link"}:
            link = {**values, "tag": tag, "text": ""}
            self.page.links.append(link)
            self._link = link if tag == "a" else None

    def handle_endtag(self, tag: str) -> None:
        text = _squash("".join(self._buffer))
        if tag in {"h1", "h2", "h3"}:
            self.page.headings.append((tag, text))
        elif tag == "caption":
            self._caption = text
            self.page.tables[text] = []
        elif tag in {"td", "th"} and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            self.page.tables[self._caption].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        self._buffer.append(data)
        self._all.append(data)
        if self._link is not None:
            self._link["text"] += data


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.page.text = _squash(" ".join(reader._all))
    return reader.page


def column(rows: list[list[str]], index: int = 0) -> list[str]:
    return [row[index] for row in rows]


def as_dict(rows: list[list[str]]) -> dict[str, str]:
    """A two-or-more-column table as its first column's text to its second's."""
    return {row[0]: row[1] for row in rows}
