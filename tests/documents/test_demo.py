"""The demo's documents: valid tiny PDFs attached through the service by someone allowed to attach to each record."""

from __future__ import annotations

import re

import pytest

from calaim.demo.documents import demo_documents_create, tiny_pdf
from calaim.documents.models import Document
from calaim.documents.policies import can_attach
from calaim.documents.selectors import document_record

pytestmark = pytest.mark.django_db


def test_a_tiny_pdf_has_a_correct_cross_reference_table():
    pdf = tiny_pdf(["Line (one)", "Line two"])
    start = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n") and pdf[start:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", pdf)]
    assert [pdf[o:].split(b" ", 1)[0] for o in offsets] == [b"1", b"2", b"3", b"4", b"5"]
    assert b"(Line \\(one\\)) Tj" in pdf


def test_the_demo_attaches_documents_to_each_kind_of_record(users, referral, cs_request, authorization, appeal):
    counts = demo_documents_create(seed=7)
    documents = list(Document.objects.select_related("member", "uploaded_by"))
    assert sum(counts.values()) == len(documents) >= 4
    assert {d.parent_field for d in documents} == {"referral", "cs_request", "authorization", "appeal"}
    assert all(can_attach(d.uploaded_by, document_record(d)) for d in documents)
