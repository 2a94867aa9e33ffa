"""Identification runs: which files a plan's analyst ran `identify` on, as of which day, on which engine and rules,
what the run found (its summary and candidates) and each load of those candidates as plan-identified referrals.

Runs are kept: the history says which rule version produced which candidates from which bytes (the files' SHA-256).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed: nothing found, see the error"


FINISHED_RUN_STATUSES = frozenset({RunStatus.COMPLETED, RunStatus.FAILED})


class Engine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    SPARK = "spark", "Spark"


class RunSource(models.TextChoices):
    WEB = "web", "Web app"
    API = "api", "API"


class InputOrigin(models.TextChoices):
    UPLOAD = "upload", "Uploaded"
    SERVER = "server", "Server folder"


class IdentificationRun(DomainModel):
    """One `identify` run for one plan: its two input files, as-of day, engine and rules, status and summary."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=RunSource.choices)
    as_of = models.DateField()
    engine = models.CharField(max_length=10, choices=Engine.choices, default=Engine.DUCKDB)
    rule_version = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # The step `identify` is on while it runs ("validating claims"); progress, not a state change, so not audited.
    phase = models.CharField(max_length=80, blank=True)
    # Each input as the analyst named it, where it came from, where the job reads it, and its bytes' hash (an
    # upload's is taken as it arrives; a server file's when the run starts).
    members_name = models.CharField(max_length=255)
    members_origin = models.CharField(max_length=10, choices=InputOrigin.choices)
    members_path = models.CharField(max_length=1000)
    members_sha256 = models.CharField(max_length=64, blank=True)
    members_size = models.BigIntegerField(default=0)
    claims_name = models.CharField(max_length=255)
    claims_origin = models.CharField(max_length=10, choices=InputOrigin.choices)
    claims_path = models.CharField(max_length=1000)
    claims_sha256 = models.CharField(max_length=64, blank=True)
    claims_size = models.BigIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.FloatField(null=True, blank=True)
    # The counts the history lists; the rest of `identify`'s summary is in `summary`.
    members_read = models.BigIntegerField(default=0)
    claims_read = models.BigIntegerField(default=0)
    unknown_member_claims = models.BigIntegerField(default=0)
    candidates_count = models.IntegerField(default=0)
    exclusions_count = models.IntegerField(default=0)
    # Candidate rows for CINs calaim knows as another plan's members: not listed here and never loaded.
    candidates_other_plan = models.IntegerField(default=0)
    # identification.run.Summary without its file paths: candidates_by_pof, exclusions_by_reason,
    # unknown_member_rows (the first 20 claim rows skipped), members_read, claims_read...
    summary = models.JSONField(default=dict, blank=True)
    # Why a run failed: {"input": "members"|"claims"|"", "file": name, "row": n, "column": c, "problem": text}.
    error = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["plan", "created_at"], name="identrun_plan_created_idx")]

    def __str__(self) -> str:
        return f"{self.plan} identification as of {self.as_of} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_RUN_STATUSES


class IdentificationCandidate(models.Model):
    """One (member, Population of Focus) row a completed run found for a member of its plan, with the evidence.
    `member` is calaim's member with that CIN when calaim knows them (so every read of the row is logged)."""

    id = models.BigAutoField(primary_key=True)
    # The composite indexes below lead with the run, so the one-column index Django would add is not needed.
    run = models.ForeignKey(IdentificationRun, on_delete=models.CASCADE, related_name="candidates", db_index=False)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cin = models.CharField("CIN", max_length=9)
    pof = models.CharField("POF", max_length=4)
    row = models.IntegerField(help_text="The row in the candidates file (1-based, header not counted).")
    evidence_count = models.IntegerField(default=0)
    first_evidence_date = models.DateField(null=True, blank=True)
    last_evidence_date = models.DateField(null=True, blank=True)
    evidence_claim_ids = models.JSONField(default=list, blank=True)
    route_to = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["cin", "pof"]
        indexes = [
            models.Index(fields=["run", "cin", "pof"], name="identcand_run_cin_idx"),
            models.Index(fields=["run", "pof", "cin"], name="identcand_run_pof_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cin} {self.pof}"


class LoadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Loading"
    COMPLETED = "completed", "Loaded"
    FAILED = "failed", "Failed: nothing loaded"


OPEN_LOAD_STATUSES = frozenset({LoadStatus.QUEUED, LoadStatus.RUNNING})


class IdentificationLoad(DomainModel):
    """One load of a run's candidates as plan-identified referrals (`candidates_load`): who asked, and what it
    created and skipped by reason. Loading a run again creates nothing new; each load is kept."""

    run = models.ForeignKey(IdentificationRun, on_delete=models.PROTECT, related_name="loads")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=LoadStatus.choices, default=LoadStatus.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.IntegerField(default=0)
    members = models.IntegerField(default=0)
    referrals_created = models.IntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True, help_text="Members skipped, by reason.")
    determined = models.JSONField(default=dict, blank=True, help_text="Eligibility outcomes, when determined.")
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"load of {self.run_id} ({self.status})"
