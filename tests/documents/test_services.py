"""Attaching and removing documents: the bytes under a random key with no member data in it, the row and one audit
event together or neither; removal hides, keeps the bytes and is audited; who may attach to which record."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.db import IntegrityError

from calaim.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.documents.models import Document
from calaim.documents.policies import can_attach
from calaim.documents.selectors import document_get, document_scope, documents_for
from calaim.documents.services import document_remove
from tests.documents.conftest import PDF, PNG, attached, stored_files

pytestmark = pytest.mark.django_db


def test_the_referrer_attaches_a_pdf_to_its_referral(users, referral, documents_dir):
    document = attached(users["referrer"], referral, title="  Signed referral form ")
    assert document.member_id == referral.member_id and document.referral_id == referral.pk
    assert (document.title, document.content_type, document.size) == (
        "Signed referral form",
        "application/pdf",
        len(PDF),
    )
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    # The key is a date folder and a random name: nothing of the member, nor the name the file was sent under.
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.pdf", document.storage_key)
    assert referral.member.last_name not in document.storage_key and "referral" not in document.storage_key
    assert [p.read_bytes() for p in stored_files(documents_dir)] == [PDF]
    event = AuditEvent.objects.get(action="document.attach")
    assert event.actor == users["referrer"] and event.member_id == referral.member_id
    assert event.object_id == str(document.pk) and event.after["attached_to"] == f"referral:{referral.pk}"


def test_a_blank_title_is_the_files_name(users, referral):
    assert attached(users["intake"], referral, title="", name="intake packet.pdf").title == "intake packet.pdf"


@pytest.mark.parametrize(
    ("content", "name", "kind", "field"),
    [
        (PNG, "form.pdf", "referral_form", "file"),
        (b"MZ\x90\x00" + bytes(30), "setup.pdf", "referral_form", "file"),
        (b"", "empty.pdf", "referral_form", "file"),
        (PDF, "form.pdf", "x-ray", "kind"),
    ],
)
def test_a_refused_upload_leaves_nothing(users, referral, documents_dir, content, name, kind, field):
    with pytest.raises(ValidationFailed) as refused:
        attached(users["referrer"], referral, content, name, kind=kind)
    assert refused.value.field == field
    assert not Document.objects.exists() and not stored_files(documents_dir)
    assert not AuditEvent.objects.filter(action="document.attach").exists()


def test_a_file_over_the_configured_size_is_refused(users, referral, documents_dir, monkeypatch):
    monkeypatch.setattr("calaim.documents.rules.DocumentRules.max_bytes", len(PDF) - 1)
    with pytest.raises(ValidationFailed, match="at most") as refused:
        attached(users["referrer"], referral)
    assert refused.value.field == "file" and not stored_files(documents_dir)


def test_a_title_with_a_control_character_is_refused_naming_it(users, referral):
    with pytest.raises(ValidationFailed) as refused:
        attached(users["referrer"], referral, title="bad\x1btitle")
    assert refused.value.field == "title"


def test_a_failing_database_write_leaves_no_stored_file(users, referral, documents_dir, monkeypatch):
    def fail(**kwargs):
        assert stored_files(documents_dir), "the bytes are written before the row and its audit event"
        raise IntegrityError("the audit trail refused the row")

    monkeypatch.setattr("calaim.documents.services.audit_record", fail)
    with pytest.raises(IntegrityError):
        attached(users["referrer"], referral)
    assert not Document.objects.exists() and not stored_files(documents_dir)


def test_removal_hides_the_document_keeps_its_bytes_and_is_audited(users, referral, documents_dir):
    document = attached(users["referrer"], referral)
    with pytest.raises(ValidationFailed) as blank:
        document_remove(actor=users["referrer"], document=document, reason="  ")
    assert blank.value.field == "reason"
    removed = document_remove(actor=users["referrer"], document=document, reason="Wrong member's form")
    assert removed.removed and removed.removed_by == users["referrer"] and len(stored_files(documents_dir)) == 1
    with pytest.raises(NotFound):
        document_get(users["um"], document.pk)  # no longer served
    assert [d.removed for d in documents_for(users["um"], referral)] == [True]  # still listed, as removed
    event = AuditEvent.objects.get(action="document.remove")
    assert event.reason == "Wrong member's form" and event.before["removed_at"] is None and event.after["removed_at"]
    with pytest.raises(Conflict):
        document_remove(actor=users["intake"], document=removed, reason="again")


def test_who_may_remove(users, referral):
    document = attached(users["referrer"], referral)
    with pytest.raises(Forbidden):
        document_remove(actor=users["cm_a"], document=document, reason="not mine")  # sees it, did not attach it
    with pytest.raises(Forbidden):
        document_remove(actor=users["compliance"], document=document, reason="reads only")
    with pytest.raises(NotFound):
        document_remove(actor=users["hpsm_intake"], document=document, reason="another plan")
    assert not Document.objects.get().removed
    document_remove(actor=users["um"], document=document, reason="Duplicate upload")
    assert Document.objects.get().removed


@pytest.mark.parametrize(
    ("record", "allowed", "forbidden", "hidden"),
    [
        (
            "referral",
            ["referrer", "intake", "um", "member_services", "cm_a"],
            ["compliance", "appeals"],
            ["referrer_cbo", "hpsm_intake", "cm_b"],
        ),
        ("cs_request", ["intake", "um", "member_services"], ["compliance", "appeals"], ["referrer", "hpsm_um", "cm_a"]),
        (
            "authorization",
            ["intake", "um", "member_services"],
            ["compliance", "appeals"],
            ["referrer", "hpsm_um", "cm_b"],
        ),
        ("appeal", ["appeals", "member_services"], ["compliance"], ["um", "intake", "hpsm_appeals", "cm_a"]),
    ],
)
def test_who_may_attach_to_which_record(request, users, record, allowed, forbidden, hidden):
    target = request.getfixturevalue(record)
    verdicts = {name: can_attach(users[name], target) for name in allowed + forbidden + hidden}
    assert [name for name in allowed if not verdicts[name]] == []
    assert {name: type(verdicts[name].error) for name in forbidden} == dict.fromkeys(forbidden, Forbidden)
    assert {name: type(verdicts[name].error) for name in hidden} == dict.fromkeys(hidden, NotFound)


def test_refused_attach_changes_nothing(users, referral, documents_dir):
    for name, error in (("hpsm_intake", NotFound), ("compliance", Forbidden)):
        with pytest.raises(error):
            attached(users[name], referral)
    assert not Document.objects.exists() and not stored_files(documents_dir)


def test_a_document_is_seen_exactly_by_those_who_see_its_record(users, referral, cs_request, appeal):
    on_referral = attached(users["referrer"], referral)
    on_cs = attached(users["intake"], cs_request)
    on_appeal = attached(users["appeals"], appeal)
    seen = {name: set(document_scope(users[name])) for name in ("referrer", "referrer_cbo", "um", "hpsm_um", "cm_a")}
    assert seen["referrer"] == {on_referral}
    assert seen["referrer_cbo"] == set() and seen["hpsm_um"] == set()
    assert seen["um"] == {on_referral, on_cs}  # UM does not read appeals
    assert seen["cm_a"] == {on_referral}  # the member is in its caseload
    assert set(document_scope(users["appeals"])) == {on_appeal, on_cs, on_referral}  # plan staff see the plan's


def test_the_authorizations_documents_include_its_referrals(users, authorization):
    on_referral = attached(users["referrer"], authorization.referral)
    on_authorization = attached(users["um"], authorization, kind="assessment")
    assert list(documents_for(users["um"], authorization)) == [on_referral, on_authorization]
    assert list(documents_for(users["um"], authorization.referral)) == [on_referral, on_authorization]
    assert list(documents_for(users["referrer"], authorization.referral)) == [on_referral]  # sees no authorization
