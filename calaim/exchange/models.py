"""The provider files of exchange-spec §2 (MIF out; RTF and OTF in and out) and what an imported file records.

An imported RTF or OTF is one `ExchangeLoad`; what its rows change lands in the records the rest of calaim keeps
(closed-loop steps, enrollments, outreach attempts), each marked with the file as its source, and in the three
provider-reported records below, which have no other home: the Lead Care Manager and milestones a provider reports
(`ProviderReport`), contact updates waiting on member services (`ContactUpdate`) and encounter counts per period
(`EncounterCount`). Every file calaim makes is one `ExchangeExport`, kept with its hash so it can be downloaded again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class FileKind(models.TextChoices):
    MIF = "mif", "Member Information File"
    RTF = "rtf", "Return Transmission File"
    OTF = "otf", "Outreach Tracker File"
    SERVICE_LINES = "service_lines", "Encounter service lines"


IMPORT_KINDS = (FileKind.RTF, FileKind.OTF)


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV (comma)"
    TSV = "tsv", "TSV (tab)"
    PSV = "psv", "Pipe-delimited (.txt or .psv)"
    XLSX = "xlsx", "Excel workbook"


class LoadSource(models.TextChoices):
    COMMAND = "command", "Command line"
    WEB = "web", "Web app"
    API = "api", "API"
    SCHEDULE = "schedule", "Scheduled task"


class LoadStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, waiting to be read"
    RUNNING = "running", "Being read and applied"
    APPLIED = "applied", "Applied"
    NOTHING_NEW = "nothing_new", "Nothing new: every row was already on record"
    REJECTED = "rejected", "Rejected: nothing applied"
    DUPLICATE = "duplicate", "The same bytes were loaded before: nothing applied"
    FAILED = "failed", "Failed: nothing applied"


FINISHED_STATUSES = (
    LoadStatus.APPLIED, LoadStatus.NOTHING_NEW, LoadStatus.REJECTED, LoadStatus.DUPLICATE, LoadStatus.FAILED,
)  # fmt: skip


class ExchangeLoad(DomainModel):
    """One RTF or OTF offered by or for one provider under one plan: the bytes' hash, who offered it, its outcome."""

    kind = models.CharField(max_length=20, choices=FileKind.choices)
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="exchange_loads")
    provider = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="exchange_loads")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10, choices=FileFormat.choices)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    # Where an uploaded file is kept until it is applied (under settings.CALAIM_UPLOAD_DIR); blank for the command.
    stored_path = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=LoadSource.choices)
    accept_valid_rows = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=LoadStatus.choices, default=LoadStatus.UPLOADED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    # The period and production date the file states (RTF columns 34 and 33), when it states them.
    period = models.CharField(max_length=7, blank=True, help_text="YYYY-MM")
    produced_on = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=80, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    # rows_read, applied, unchanged, rejected, rejected_by_reason {message: count}, and per effect
    # (loop_steps, enrolled, discontinued, reports, contact_updates, encounter_counts, attempts), elapsed_seconds.
    counts = models.JSONField(default=dict, blank=True)
    # The first errors: [{"row": n, "column": c, "value": v, "message": m}]; error_count has them all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    rejects_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True, help_text="Why the load was rejected or failed, in words.")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["plan", "created_at"], name="exchangeload_plan_created_idx"),
            models.Index(fields=["provider", "created_at"], name="exchangeload_prov_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.provider} for {self.plan} ({self.file_name}, {self.status})"


class ExchangeExport(DomainModel):
    """One file calaim made for one provider, plan and period: kept (path and hash) to be downloaded again."""

    kind = models.CharField(max_length=20, choices=FileKind.choices)
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="exchange_exports")
    provider = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="exchange_exports")
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    file_format = models.CharField(max_length=10, choices=FileFormat.choices)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField(default=0)
    stored_path = models.CharField(max_length=500, help_text="Under settings.CALAIM_DATA_DIR.")
    rows = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=LoadSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["plan", "provider", "kind", "period"], name="exchangeexport_key_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} for {self.provider} ({self.plan})"


class ProviderReport(DomainModel):
    """What a provider's RTF row reported about an enrollment: acuity, the Lead Care Manager and the milestones.

    One row per enrollment and load whose values differ from the latest report; the member record shows the latest.
    """

    enrollment = models.ForeignKey("ecm.Enrollment", on_delete=models.PROTECT, related_name="provider_reports")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="provider_reports")
    provider = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="+")
    load = models.ForeignKey(ExchangeLoad, on_delete=models.PROTECT, related_name="provider_reports")
    reported_on = models.DateField(help_text="The file's production date, else the day it was loaded.")
    acuity_level = models.CharField(max_length=40, blank=True)
    lead_care_manager_name = models.CharField(max_length=200, blank=True)
    lead_care_manager_phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    lead_care_manager_email = models.EmailField(blank=True)
    care_plan_revised_on = models.DateField(null=True, blank=True)
    care_conference_on = models.DateField(null=True, blank=True)
    assessment_started_on = models.DateField(null=True, blank=True)
    assessment_completed_on = models.DateField(null=True, blank=True)
    last_encounter_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_on", "-created_at"]
        indexes = [models.Index(fields=["enrollment", "reported_on"], name="providerreport_enr_idx")]


class ContactUpdateStatus(models.TextChoices):
    PENDING = "pending", "Waiting on member services"
    ACCEPTED = "accepted", "Checked and accepted"
    DISMISSED = "dismissed", "Dismissed"


class ContactUpdate(DomainModel):
    """A provider-reported new address or phone for a member (RTF columns 6 and 8-13), for member services to check.

    The roster stays the source of truth: accepting one records that member services confirmed it, nothing more.
    """

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="contact_updates")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="+")
    load = models.ForeignKey(
        ExchangeLoad, null=True, blank=True, on_delete=models.PROTECT, related_name="contact_updates"
    )
    reported_on = models.DateField()
    new_address = models.BooleanField(default=False)
    homeless = models.BooleanField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    new_phone = models.BooleanField(default=False)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    status = models.CharField(max_length=10, choices=ContactUpdateStatus.choices, default=ContactUpdateStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reported_on", "-created_at"]
        indexes = [models.Index(fields=["plan", "status"], name="contactupdate_plan_status_idx")]


class EncounterCount(DomainModel):
    """In-person and telephonic/video encounters a provider reported for a member in a period (RTF 31-32).

    One row per (plan, provider, member, period): a corrected resubmission replaces the counts, and the audit trail
    keeps what they were.
    """

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="encounter_counts")
    enrollment = models.ForeignKey(
        "ecm.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="encounter_counts"
    )
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    in_person = models.PositiveIntegerField(default=0)
    telephonic = models.PositiveIntegerField(default=0)
    load = models.ForeignKey(ExchangeLoad, on_delete=models.PROTECT, related_name="encounter_counts")

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "provider", "member", "period"], name="encountercount_uniq")
        ]


class QimrTab(models.Model):
    """One tab of the QIMR workbook as calaim writes it (`reference/qimr.yaml`): its sheet name, the DHCS template
    version its columns follow and whether that version is confirmed, its columns in order, and its options.

    Dated like every rule (`calaim.plans.models.Dated`'s fields; this app may add no import above its models): the
    row in force on the quarter's last day writes that quarter's tab.
    """

    version = models.CharField(max_length=40, default="2026.1")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    tab = models.PositiveSmallIntegerField(help_text="The tab's number in the DHCS template, 1 to 6.")
    name = models.CharField(max_length=31, help_text="The sheet's name (Excel allows 31 characters).")
    template_version = models.CharField(max_length=60)
    confirmed = models.BooleanField(
        default=False, help_text="The columns were checked against the DHCS template; else marked 'to confirm'."
    )
    source = models.TextField(blank=True, help_text="Where the columns come from.")
    # [{"header": "Member CIN", "value": "member_cin"} | {"header": ..., "pofs": ["A1"]} | {"header": ...,
    #   "approved": ["htns"] | "other"} | {"header": ..., "received": [...] | "other"}], in the sheet's order.
    columns = models.JSONField(default=list)
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "QIMR tab"
        ordering = ["tab", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["tab", "effective_from"], name="qimrtab_tab_from_uniq")]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed else "to confirm"
        return f"QIMR tab {self.tab} {self.name} (template {self.template_version}, {state})"


class LoopMonitoringSettings(models.Model):
    """How closed-loop monitoring judges a plan's loops (`reference/monitoring.yaml`): an open loop older than
    `open_loop_age_days` is flagged. A row for the plan wins over the row for every plan (plan empty). Dated."""

    version = models.CharField(max_length=40, default="2026.1")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    open_loop_age_days = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "closed-loop monitoring settings"
        verbose_name_plural = "closed-loop monitoring settings"
        ordering = ["plan_id", "-effective_from"]

    def __str__(self) -> str:
        return f"Open loops older than {self.open_loop_age_days} days ({self.plan or 'every plan'}, v{self.version})"
