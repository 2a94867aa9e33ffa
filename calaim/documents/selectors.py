"""The one way to read documents: a caller sees a document exactly when they may see the record it is attached to,
through that record's own scope (referral_scope, cs_request_scope, authorization_scope, appeal_scope); out of
scope is 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from calaim.access.scopes import is_active
from calaim.accounts.models import User
from calaim.appeals.models import Appeal
from calaim.appeals.selectors import appeal_scope
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import authorization_scope
from calaim.community_supports.models import CsRequest
from calaim.community_supports.selectors import cs_request_scope
from calaim.core.errors import NotFound
from calaim.documents.models import PARENTS, Document
from calaim.referrals.models import Referral
from calaim.referrals.selectors import referral_scope

Record = Referral | CsRequest | AuthorizationRequest | Appeal
# Each record type, the document key that holds it and the scope that says who sees it.
PARENT_SCOPES: dict[type[Any], tuple[str, Callable[[User | None], QuerySet[Any]]]] = {
    Referral: ("referral", referral_scope),
    CsRequest: ("cs_request", cs_request_scope),
    AuthorizationRequest: ("authorization", authorization_scope),
    Appeal: ("appeal", appeal_scope),
}


def record_visible(user: User | None, record: Record) -> bool:
    """Whether the caller may see `record` through its own scope."""
    _, scope = PARENT_SCOPES[type(record)]
    return scope(user).filter(pk=record.pk).exists()


def document_scope(user: User | None) -> QuerySet[Document]:
    """The documents whose record the caller may see."""
    if not is_active(user):
        return Document.objects.none()
    condition = Q(pk__in=[])
    for field, scope in PARENT_SCOPES.values():
        condition |= Q(**{f"{field}__in": scope(user)})
    return Document.objects.filter(condition)


def _related(record: Record) -> Q:
    """The documents that belong with `record`: its own, and those of the records a reviewer reads it with (a
    referral's or CS request's authorization; an authorization's referral or CS request; an appeal's authorization
    and through it the referral or request)."""
    if isinstance(record, Referral):
        return Q(referral_id=record.pk) | Q(authorization__referral_id=record.pk)
    if isinstance(record, CsRequest):
        own = Q(cs_request_id=record.pk)
        return own | Q(authorization_id=record.authorization_id) if record.authorization_id else own
    if isinstance(record, AuthorizationRequest):
        found = Q(authorization_id=record.pk) | Q(cs_request__authorization_id=record.pk)
        return found | Q(referral_id=record.referral_id) if record.referral_id else found
    return Q(appeal_id=record.pk) | _related(record.authorization)


def documents_for(user: User | None, record: Record) -> QuerySet[Document]:
    """The documents of `record` and of the records read with it that the caller may see, removed ones included
    (a page lists them as removed), oldest first."""
    return (
        document_scope(user)
        .filter(_related(record))
        .select_related(*PARENTS, "member", "uploaded_by__organization", "removed_by__organization")
        .order_by("created_at", "id")
    )


def document_get(user: User | None, document_id: uuid.UUID | str, *, removed: bool = False) -> Document:
    """The document if the caller may see its record, else 404; a removed one only when `removed` (its bytes are
    never served again)."""
    rows = document_scope(user)
    if not removed:
        rows = rows.filter(removed_at__isnull=True)
    try:
        related = ("member__plan", "referral", "cs_request", "authorization", "appeal__authorization", "uploaded_by")
        return rows.select_related(*related).get(pk=document_id)
    except (Document.DoesNotExist, ValueError):
        raise NotFound("No document with this id in your scope.") from None


def document_record(document: Document) -> Record:
    """The record the document is attached to (loaded with it by `document_get`)."""
    record = getattr(document, document.parent_field)
    assert isinstance(record, Referral | CsRequest | AuthorizationRequest | Appeal)
    return record
