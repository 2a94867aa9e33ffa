"""Who may attach and remove documents, answered as Verdicts.

Whoever may see a record and works on it may attach to it: the referrer on the referral or Community Supports request
they sent; provider staff on what their scope shows them (their organization's referrals, requests and
authorization requests, its caseload's, the appeals it filed); and, of the member's plan, intake, UM and member
services on referrals, CS requests and authorizations, and the appeals coordinator and member services on appeals.
Compliance and the data analysts read only. A document is removed by the person who attached it or by the plan's
staff who may attach to its record; the removal is recorded and the bytes are kept.
"""

from __future__ import annotations

from calaim.accounts.models import Role, User
from calaim.accounts.policies import plan_staff_in
from calaim.appeals.models import Appeal
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, forbidden, out_of_scope
from calaim.documents.models import Document
from calaim.documents.selectors import Record, document_record, record_visible

RECORD_ROLES = frozenset({Role.PLAN_INTAKE, Role.PLAN_UM, Role.MEMBER_SERVICES})
APPEAL_ROLES = frozenset({Role.PLAN_APPEALS, Role.MEMBER_SERVICES})


def _plan_roles(record: Record) -> frozenset[str]:
    return APPEAL_ROLES if isinstance(record, Appeal) else RECORD_ROLES


def _works_on(user: User, record: Record, plan_id: int) -> Verdict:
    """The caller's role lets them attach to a record they can see (of a member of `plan_id`)."""
    if user.role == Role.REFERRER:
        sent = getattr(record, "submitted_by_id", None) == user.pk
        return ALLOWED if sent else forbidden("Referrers attach documents only to what they sent.")
    if user.is_provider_staff:
        return ALLOWED
    return plan_staff_in(user, _plan_roles(record), plan_id, "attach documents to this record")


def can_attach(user: User, record: Record) -> Verdict:
    """Someone who may see the record (else 404) and works on it (else 403)."""
    return first_refusal(
        lambda: ALLOWED if record_visible(user, record) else out_of_scope("No such record in your scope."),
        lambda: _works_on(user, record, record.member.plan_id),
    )


def removal_refusal(user: User, document: Document) -> Verdict:
    """`can_remove` for a document the caller already sees (listed through `documents_for`)."""
    record = document_record(document)

    def who() -> Verdict:
        if document.uploaded_by_id == user.pk:
            return _works_on(user, record, document.member.plan_id)
        if user.is_plan_staff:
            return plan_staff_in(user, _plan_roles(record), document.member.plan_id, "remove others' documents")
        return forbidden("Only the person who attached a document or the plan's staff may remove it.")

    return first_refusal(who, lambda: conflict("This document is already removed.") if document.removed else ALLOWED)


def can_remove(user: User, document: Document) -> Verdict:
    """The person who attached it, or the plan's staff who may attach to its record; once."""
    return first_refusal(
        lambda: (
            ALLOWED
            if record_visible(user, document_record(document))
            else out_of_scope("No document with this id in your scope.")
        ),
        lambda: removal_refusal(user, document),
    )
