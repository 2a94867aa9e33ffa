"""Referrals from every source, carrying the standardized referral form, with closed-loop status."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel
from calaim.network.models import Program
from calaim.plans.models import Dated


class ReferralForm(models.TextChoices):
    ECM_ADULT = "ecm_adult", "ECM referral form (adult)"
    ECM_CHILD = "ecm_child", "ECM referral form (children/youth)"
    ELIGIBILITY_VERIFICATION = "eligibility_verification", "ECM eligibility verification form (ECM provider)"
    PLAN_IDENTIFICATION = "plan_identification", "Plan identification from member health records"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    EXPEDITED = "expedited", "Expedited"


class ReferralStatus(models.TextChoices):
    """Closed-loop referral status, as the referrer sees it."""

    RECEIVED = "received", "Received"
    LINKED = "linked", "Linked to the member's open referral"
    ROUTED_TO_DELEGATE = "routed_to_delegate", "Routed to the delegated entity"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    PENDING_AUTHORIZATION = "pending_authorization", "Eligible, authorization pending"
    AUTHORIZED = "authorized", "Authorized"
    DENIED = "denied", "Not authorized"
    ASSIGNED = "assigned", "Assigned to an ECM provider"
    ENROLLED = "enrolled", "Enrolled (services received)"
    DECLINED = "declined", "Member declined"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    ReferralStatus.RECEIVED,
    ReferralStatus.PENDING_AUTHORIZATION,
    ReferralStatus.AUTHORIZED,
    ReferralStatus.ASSIGNED,
    ReferralStatus.ENROLLED,
)


class ClosedLoop(DomainModel):
    """What an ECM referral and a Community Supports request share: a closed loop with the referrer.

    `status` is calaim's own lifecycle (each program's choices); `loop_status` and `loop_closure_reason` are the
    DHCS Closed-Loop Referral values it maps to. Both change only through `calaim.referrals.closed_loop`, which
    appends each step to the dated history (`LoopEvent`).
    """

    loop_program: str  # the Program of every row of the concrete model

    referrer_name = models.CharField(max_length=200)
    received_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    closure_reason = models.TextField(blank=True)
    loop_status = models.CharField("DHCS referral status", max_length=40, blank=True)
    loop_closure_reason = models.CharField("DHCS loop closure reason", max_length=60, blank=True)

    class Meta:
        abstract = True


class Referral(ClosedLoop):
    loop_program = Program.ECM

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="referrals")
    program = models.CharField(max_length=10, default="ecm")
    source_type = models.CharField(max_length=40, help_text="A ReferralSourceType code.")
    form = models.CharField(max_length=30, choices=ReferralForm.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_referrals"
    )
    referrer_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_role = models.CharField(max_length=100, blank=True)
    referrer_npi = models.CharField(max_length=10, blank=True)
    referrer_phone = models.CharField(max_length=20, blank=True)
    referrer_email = models.EmailField(blank=True)
    # Contact details as the referrer gave them; they may be newer than the plan's roster.
    member_phone = models.CharField(max_length=20, blank=True)
    member_address = models.CharField(max_length=300, blank=True)
    member_experiencing_homelessness = models.BooleanField(null=True, blank=True)
    # [{"pof": "A1", "criteria": ["homeless", "complex_need"], "facts": "Sleeping in car; CHF"}]
    pof_attestations = models.JSONField(default=list)
    member_aware = models.BooleanField(help_text="The member knows of this referral.")
    attested_by = models.CharField(max_length=200)
    attested_on = models.DateField()
    notes = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True, help_text="Data behind a plan identification.")
    status = models.CharField(max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    linked_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="linked_referrals"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="referral_idempotency_uniq",
            )
        ]
        indexes = [models.Index(fields=["member", "status"]), models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"Referral {self.id} for {self.member_id} ({self.status})"


class LoopEvent(models.Model):
    """One dated step of a referral's closed loop, ECM or Community Supports; append-only.

    Each step keeps calaim's status and the DHCS Referral Status and closure reason it mapped to under the
    transition table in force that day (`LoopTransition`), so the history reads the same after the table changes.
    """

    class Source(models.TextChoices):
        CALAIM = "calaim", "Recorded in calaim"
        RTF = "rtf", "Reported by the provider in a Return Transmission File"

    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="loop_events")
    cs_request = models.ForeignKey(
        "community_supports.CsRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="loop_events"
    )
    program = models.CharField(max_length=10, choices=Program.choices)
    status = models.CharField(max_length=30, help_text="calaim's status after this step.")
    status_label = models.CharField(max_length=100, help_text="The status as the referrer read it then.")
    loop_status = models.CharField("DHCS referral status", max_length=40)
    loop_closure_reason = models.CharField("DHCS loop closure reason", max_length=60, blank=True)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CALAIM)
    actor_label = models.CharField(max_length=200, blank=True)
    table_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"]), models.Index(fields=["cs_request", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(referral__isnull=False, cs_request__isnull=True)
                    | models.Q(referral__isnull=True, cs_request__isnull=False)
                ),
                name="loop_event_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} ({self.loop_status}) at {self.at:%Y-%m-%d %H:%M}"


class LoopVocabulary(Dated):
    """A DHCS Closed-Loop Referral value: a Referral Status or a Reason for Referral Loop Closure."""

    class Kind(models.TextChoices):
        STATUS = "status", "Referral Status"
        CLOSURE_REASON = "closure_reason", "Reason for Referral Loop Closure"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=60, help_text="The value exactly as the RTF carries it.")
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "closed-loop value"
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code", "effective_from"], name="loop_vocabulary_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.code}"


class LoopTransition(Dated):
    """One row of the closed-loop table: how a calaim status (for a cause) maps to DHCS, and who is told.

    `program` "any" applies to ECM and CS alike; a row for the program wins over it, and a row for the cause over
    the row with no cause.
    """

    program = models.CharField(max_length=10, help_text="ecm, cs or any.")
    status = models.CharField(max_length=30)
    cause = models.CharField(max_length=40, blank=True, help_text="Blank: any cause without a row of its own.")
    loop_status = models.CharField("DHCS referral status", max_length=40)
    loop_closure_reason = models.CharField("DHCS loop closure reason", max_length=60, blank=True)
    notify_referrer = models.BooleanField(default=False)
    notify_provider = models.JSONField(
        default=list, blank=True, help_text="The roles of the provider's staff told (the ECM or CS provider)."
    )
    member_notice = models.CharField(max_length=40, blank=True, help_text="The letter the member is sent, if any.")

    class Meta:
        verbose_name = "closed-loop transition"
        ordering = ["program", "status", "cause"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "status", "cause", "effective_from"], name="loop_transition_uniq"
            )
        ]

    def __str__(self) -> str:
        cause = f" ({self.cause})" if self.cause else ""
        return f"{self.program} {self.status}{cause} -> {self.loop_status} {self.loop_closure_reason}".strip()
