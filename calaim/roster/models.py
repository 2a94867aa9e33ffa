"""A roster load (who loaded which bytes for which plan and day, and what it changed) and the roster facts a load
raises for members with open ECM or Community Supports work (left the plan, entered hospice, D-SNP, delegated)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel
from calaim.plans.models import Dated


class LoadStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, waiting for its preview"
    PREVIEWING = "previewing", "Checking the file"
    PREVIEWED = "previewed", "Preview ready: confirm to apply"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    DRY_RUN = "dry_run", "Dry run: nothing written"
    REJECTED = "rejected", "Rejected: the file has errors, nothing written"
    REFUSED = "refused", "Refused: too many members would be termed"
    DUPLICATE = "duplicate", "Already loaded: nothing changed"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed: nothing written"


OPEN_LOAD_STATUSES = frozenset({LoadStatus.UPLOADED, LoadStatus.PREVIEWING, LoadStatus.PREVIEWED, LoadStatus.APPLYING})


class LoadSource(models.TextChoices):
    COMMAND = "command", "manage.py roster_load"
    WEB = "web", "Web app"
    API = "api", "API"


class RosterLoad(DomainModel):
    """One roster file offered for one plan and as-of day: its bytes' hash, who offered it, and its outcome."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="roster_loads")
    as_of = models.DateField()
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    # Where an uploaded file is kept until it is applied (under settings.CALAIM_UPLOAD_DIR); blank for the command.
    stored_path = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=LoadSource.choices)
    dry_run = models.BooleanField(default=False)
    allow_mass_term = models.BooleanField(default=False)
    accept_valid_rows = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=LoadStatus.choices, default=LoadStatus.UPLOADED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress of the running step: a phase label and rows done of rows in all.
    phase = models.CharField(max_length=80, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    # rows_read, created, updated, unchanged, termed, moved, excluded, delegated, dsnp, rejected,
    # rejected_by_reason {message: count}, enrolled_before, term_percent, elapsed_seconds.
    counts = models.JSONField(default=dict, blank=True)
    # The first errors: [{"row": n, "column": c, "value": v, "message": m}]; error_count has them all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    rejects_path = models.CharField(max_length=500, blank=True)
    # Up to 50 members per kind of change: {"created": [{"cin", "name", "changes": {field: [before, after]}}], ...}
    samples = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Why the load was refused, rejected or failed, in words.")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["plan", "created_at"], name="rosterload_plan_created_idx")]

    def __str__(self) -> str:
        return f"{self.plan} roster as of {self.as_of} ({self.file_name}, {self.status})"


class FactKind(models.TextChoices):
    TERMED = "termed", "Left the plan"
    PROGRAM = "program", "Entered an excluding program"
    DSNP = "dsnp", "Enrolled in a D-SNP"
    DELEGATED = "delegated", "Delegated"
    MOVED = "moved", "Moved to another plan"


class RosterFact(DomainModel):
    """A roster change that bears on a member's open ECM or Community Supports work, shown on the assigned
    provider's and the plan's worklists until someone acts on it ("left the plan on 2026-11-30")."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="roster_facts")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    load = models.ForeignKey(RosterLoad, on_delete=models.PROTECT, related_name="facts")
    kind = models.CharField(max_length=20, choices=FactKind.choices)
    # The program code (HOSPICE...), the delegate's code, or the new plan's code, where the kind has one.
    detail = models.CharField(max_length=80, blank=True)
    effective_date = models.DateField()
    # The open work it bears on (at least one is set), and the provider that should act on it.
    enrollment = models.ForeignKey("ecm.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cs_request = models.ForeignKey(
        "community_supports.CsRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)
    # Why it was dismissed, or what was done, in the words of whoever resolved it.
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["effective_date", "created_at"]
        indexes = [
            models.Index(fields=["plan", "resolved_at"], name="rosterfact_plan_open_idx"),
            models.Index(fields=["provider", "resolved_at"], name="rosterfact_provider_open_idx"),
            models.Index(fields=["member", "resolved_at"], name="rosterfact_member_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.detail} on {self.effective_date}"


class FactReason(Dated):
    """Which discontinuation reason answers a roster fact, and which open work (ECM, CS) the fact bears on; a row
    for a kind and detail (a program code) wins over the row for the kind (`reference/fact_reasons.yaml`)."""

    kind = models.CharField(max_length=20, choices=FactKind.choices)
    detail = models.CharField(max_length=80, blank=True)
    reason_code = models.CharField(max_length=40, help_text="A discontinuation reason code.")
    programs = models.JSONField(default=list, help_text='The work the fact bears on: "ecm", "cs" or both.')

    class Meta:
        ordering = ["kind", "detail", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "detail", "effective_from"], name="fact_reason_kind_from_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.detail} -> {self.reason_code}".replace("  ", " ")
