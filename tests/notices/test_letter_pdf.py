"""Reading a letter's text back out of its PDF, as a reader's PDF viewer would: each run of glyphs decoded through
its font's ToUnicode map. Plain Python (zlib and regular expressions) so the tests need no PDF tool on the machine;
checked here against what WeasyPrint was asked to write."""

from __future__ import annotations

import re
import zlib

import pytest

from calaim.notices.letters.render import letter_pdf

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_REF = re.compile(rb"/([A-Za-z0-9+_.-]+)\s+(\d+) 0 R")
_TOKEN = re.compile(rb"/([A-Za-z0-9+_.-]+)\s+[-\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\bET\b", re.S)


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object: its dictionary text and its decoded stream (objects packed in object streams included)."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(pdf):
        body = match.group(2)
        if b"stream" not in body:
            found[int(match.group(1))] = (body, None)
            continue
        head, raw = body.split(b"stream", 1)
        length = int(re.search(rb"/Length (\d+)", head).group(1))  # type: ignore[union-attr]
        data = raw.lstrip(b"\r\n")[:length]
        data = zlib.decompress(data) if b"FlateDecode" in head else data
        found[int(match.group(1))] = (head, data)
        if b"/ObjStm" in head:
            first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
            pairs = [int(n) for n in data[:first].split()]
            offsets = list(zip(pairs[::2], pairs[1::2], strict=True))
            for index, (number, offset) in enumerate(offsets):
                end = offsets[index + 1][1] if index + 1 < len(offsets) else len(data) - first
                found[number] = (data[first + offset : first + end], None)
    return found


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be") if hex_text else ""


def _cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap: glyph id to the text it stands for."""
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            table[int(source, 16)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(target, 16)
            for offset, glyph in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[glyph] = chr(start + offset)
    return table


def pdf_text(pdf: bytes) -> str:
    """The text of every page, in drawing order; one line per text object."""
    objects = _objects(pdf)
    fonts: dict[bytes, dict[int, str]] = {}
    for head, _ in objects.values():
        blocks = re.findall(rb"/Font\s*<<(.*?)>>", head, re.S)
        blocks += [objects[int(n)][0] for n in re.findall(rb"/Font (\d+) 0 R", head)]
        for block in blocks:
            for name, number in _REF.findall(block):
                unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)][0])
                if unicode_ref is not None:
                    fonts[name] = _cmap(objects[int(unicode_ref.group(1))][1] or b"")
    lines: list[str] = []
    current: list[str] = []
    font: dict[int, str] = {}
    pages = [int(n) for head, _ in objects.values() for n in re.findall(rb"/Type /Page\b.*?/Contents (\d+) 0 R", head)]
    for number in pages:
        for token in _TOKEN.finditer(objects[number][1] or b""):
            if token.group(1) is not None:
                font = fonts.get(token.group(1), {})
            elif token.group(0) == b"ET":
                lines.append("".join(current))
                current = []
            else:
                runs = (
                    re.findall(rb"<([0-9a-fA-F]*)>", token.group(2)) if token.group(2) is not None else [token.group(3)]
                )
                for run in runs:
                    current.extend(font.get(int(run[i : i + 4], 16), "") for i in range(0, len(run), 4))
    return "\n".join(lines)


def squeeze(text: str) -> str:
    """Text without any whitespace, to compare across line breaks."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("lang", "words"),
    # (Right-to-left scripts come out in visual order, as from any PDF reader: not checked here.)
    [("en", "Member Services"), ("zh", "会员服务部"), ("vi", "Dịch Vụ Hội Viên"), ("ko", "한국어")],
)
def test_the_reader_gets_back_the_text_written(lang: str, words: str) -> None:
    html = f'<html lang="{lang}"><body><h1>Title</h1><p>{words}: 1-888-936-7526</p></body></html>'
    text = pdf_text(letter_pdf(html).pdf)
    assert "Title" in text and squeeze(words) in squeeze(text) and "1-888-936-7526" in text
