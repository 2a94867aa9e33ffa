"""A document is taken by what its bytes are, not by its name: each type by its signature and only under one of its
endings; empty and oversized files are refused naming the field; the limits come from the dated configuration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from calaim.core.errors import ValidationFailed
from calaim.documents.content import FILE_TYPES, upload_check
from calaim.documents.rules import document_rules_on, editions_read
from calaim.plans.reference import ReferenceDataError
from tests.documents.conftest import PDF, PNG

ALL = tuple(FILE_TYPES)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(8)
TIFF = b"II*\x00\x08\x00\x00\x00" + bytes(8)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(8)


def check(head: bytes, name: str, size: int | None = None, max_bytes: int = 1000):
    return upload_check(
        filename=name, head=head[:16], size=len(head) if size is None else size, accepted=ALL, max_bytes=max_bytes
    )


@pytest.mark.parametrize(
    ("head", "name", "content_type"),
    [
        (PDF, "form.pdf", "application/pdf"),
        (PDF, "FORM.PDF", "application/pdf"),
        (PNG, "card.png", "image/png"),
        (JPEG, "card.jpg", "image/jpeg"),
        (JPEG, "card.jpeg", "image/jpeg"),
        (TIFF, "fax.tif", "image/tiff"),
        (HEIC, "photo.heic", "image/heic"),
    ],
)
def test_each_type_is_taken_by_its_content_under_its_endings(head, name, content_type):
    assert check(head, name).content_type == content_type


def test_a_pdf_that_is_really_a_png_is_refused_naming_what_it_is():
    with pytest.raises(ValidationFailed) as refused:
        check(PNG, "referral.pdf")
    assert refused.value.field == "file" and "content is a PNG image" in refused.value.message
    assert "ends in .pdf" in refused.value.message


def test_a_program_renamed_as_a_pdf_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        check(EXE, "referral.pdf")
    assert refused.value.field == "file" and "not one of the types taken" in refused.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        check(b"", "referral.pdf")
    assert refused.value.field == "file" and "empty" in refused.value.message


def test_a_file_over_the_limit_is_refused_before_its_type_is_looked_at():
    with pytest.raises(ValidationFailed) as refused:
        check(EXE, "big.pdf", size=21_000_000, max_bytes=20_000_000)
    assert refused.value.field == "file" and "21.0 MB" in refused.value.message and "20.0 MB" in refused.value.message
    assert check(PDF, "just.pdf", size=20_000_000, max_bytes=20_000_000).code == "pdf"


def test_a_type_not_accepted_by_the_edition_is_refused():
    with pytest.raises(ValidationFailed):
        upload_check(filename="photo.heic", head=HEIC, size=100, accepted=("pdf", "png"), max_bytes=1000)


def test_the_configured_edition_takes_20_mb_of_the_five_types():
    rules = document_rules_on(dt.date(2026, 3, 1))
    assert rules.max_bytes == 20_000_000 and set(rules.types) == set(FILE_TYPES)


def test_a_malformed_edition_is_refused_naming_the_key(tmp_path: Path):
    (tmp_path / "documents.yaml").write_text(
        "editions:\n  - {version: '1', effective_from: 2024-01-01, max_size_mb: 0, types: [pdf], title_max_length: 9}\n"
    )
    with pytest.raises(ReferenceDataError, match="max_size_mb"):
        editions_read(tmp_path)
    (tmp_path / "documents.yaml").write_text(
        "editions:\n  - {version: '1', effective_from: 2024-01-01, max_size_mb: 5, types: [exe], title_max_length: 9}\n"
    )
    editions_read.cache_clear()
    with pytest.raises(ReferenceDataError, match="types"):
        editions_read(tmp_path)
