"""The demo's documents: a few synthetic referral forms, clinical notes, assessments and appeal letters, made as
tiny one-page PDFs from raw bytes (no PHI, nothing committed), attached through `document_attach` by someone who
may attach to each record, so they are checked, stored and audited as real uploads are."""

from __future__ import annotations

from collections import Counter
from random import Random

from django.core.files.base import ContentFile

from calaim.accounts.models import Role, User
from calaim.appeals.models import Appeal
from calaim.authorizations.models import AuthorizationRequest
from calaim.community_supports.models import CsRequest
from calaim.documents.models import DocumentKind
from calaim.documents.policies import can_attach
from calaim.documents.selectors import Record
from calaim.documents.services import document_attach
from calaim.referrals.models import Referral

PER_KIND = 3


def tiny_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF showing `lines` in Helvetica."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    text = " T* ".join(f"({line}) Tj" for line in escaped)
    content = f"BT /F1 12 Tf 72 720 Td 16 TL {text} ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _plan_staff(record: Record, roles: tuple[str, ...]) -> list[User]:
    staff = User.objects.filter(role__in=roles, organization__plan_id=record.member.plan_id, is_active=True)
    return list(staff.select_related("organization").order_by("username"))


def _attacher(record: Record) -> User | None:
    """Whoever sent the record, else the plan's staff who work on it: the first of them allowed to attach."""
    sender = getattr(record, "submitted_by", None)
    roles = (
        (Role.PLAN_APPEALS, Role.MEMBER_SERVICES) if isinstance(record, Appeal) else (Role.PLAN_INTAKE, Role.PLAN_UM)
    )
    candidates = ([sender] if sender is not None else []) + _plan_staff(record, roles)
    return next((user for user in candidates if can_attach(user, record)), None)


def _attach(record: Record, kind: str, title: str, count: Counter[str]) -> None:
    actor = _attacher(record)
    if actor is None:
        return
    lines = ["calaim demo: synthetic document, no real member data", title, f"Record {str(record.pk)[:8]}"]
    upload = ContentFile(tiny_pdf(lines), name=f"{kind.replace('_', '-')}.pdf")
    document_attach(actor=actor, record=record, upload=upload, kind=kind, title=title)
    count[DocumentKind(kind).label] += 1


def demo_documents_create(*, seed: int) -> dict[str, int]:
    """Attach a few synthetic PDFs to referrals, CS requests, authorization requests and appeals; how many of each
    kind were attached."""
    rng, count = Random(seed), Counter[str]()
    choices: list[tuple[type[Record], str, str, tuple[str, ...]]] = [
        (Referral, DocumentKind.REFERRAL_FORM, "Signed ECM referral form", ("member__plan", "submitted_by")),
        (CsRequest, DocumentKind.CLINICAL_NOTES, "Discharge summary", ("member__plan", "submitted_by")),
        (AuthorizationRequest, DocumentKind.ASSESSMENT, "Needs assessment", ("member__plan",)),
        (Appeal, DocumentKind.OTHER, "Member's appeal letter", ("member__plan", "authorization")),
    ]
    for model, kind, title, related in choices:
        records: list[Record] = list(model.objects.select_related(*related).order_by("created_at", "pk")[:50])
        for record in rng.sample(records, min(PER_KIND, len(records))):
            _attach(record, kind, title, count)
    return dict(count)
