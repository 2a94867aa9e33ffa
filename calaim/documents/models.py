"""A document attached to exactly one referral, Community Supports request, authorization request or appeal.

The row keeps what the file is (kind, title, the name it was sent under, its type, size and SHA-256) and where its
bytes are (a random storage key under a date folder, never the member's name or anything else about them). A
removal is recorded, never a deletion: the bytes stay, the document is hidden from downloads and listed as removed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from calaim.core.models import DomainModel

PARENTS = ("referral", "cs_request", "authorization", "appeal")


class DocumentKind(models.TextChoices):
    REFERRAL_FORM = "referral_form", "Referral form"
    CLINICAL_NOTES = "clinical_notes", "Clinical notes"
    ASSESSMENT = "assessment", "Assessment"
    CONSENT = "consent", "Consent or authorization form"
    ELIGIBILITY_PROOF = "eligibility_proof", "ID or eligibility proof"
    OTHER = "other", "Other"


def _exactly_one_parent() -> Q:
    """True when exactly one of the parent keys is set."""
    either = Q(pk__in=[])
    for parent in PARENTS:
        others = [other for other in PARENTS if other != parent]
        only = Q(**{f"{parent}__isnull": False}) & Q(**{f"{other}__isnull": True for other in others})
        either |= only
    return either


class Document(DomainModel):
    # The member key makes every materialized row a logged read of the member's data (calaim.members.signals).
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="documents")
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    cs_request = models.ForeignKey(
        "community_supports.CsRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    authorization = models.ForeignKey(
        "authorizations.AuthorizationRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    original_filename = models.CharField(max_length=255, help_text="The name the file was sent under; shown only.")
    content_type = models.CharField(max_length=100, help_text="The type its content was recognized as.")
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=200, unique=True, help_text="Its name in the documents storage.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one_parent(), name="document_exactly_one_parent"),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
                name="document_removal_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def parent_field(self) -> str:
        """The name of the key that holds this document's record."""
        return next(parent for parent in PARENTS if getattr(self, f"{parent}_id") is not None)
