"""Community Supports: the dated catalog and plan offerings, requests (referrals per service), service
deliveries counted against the limits, and Kaiser members' reassignment to the plan."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from calaim.core.models import DomainModel
from calaim.network.models import Program
from calaim.plans.models import Dated
from calaim.referrals.models import ClosedLoop

# What one request or delivery can sensibly carry; the columns hold 99,999,999.99 (hours: 999,999.99). The largest
# dollar caps are a few thousand (limits.yaml) and a long stay costs tens of thousands; a request or delivery over
# these is a typing error, refused before it is stored (a value a column cannot hold breaks every page showing it).
MAX_DOLLARS = Decimal("100000.00")
MAX_UNITS = Decimal("10000.00")  # days, meals or hours in one request or delivery
MAX_HOURS = Decimal("8784.00")  # the hours in a leap year
MAX_MEALS_PER_DAY = 10
DOLLARS = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_DOLLARS)]
UNITS = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_UNITS)]
HOURS = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_HOURS)]


def _between(field: str, high: Decimal | int) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0, f"{field}__lte": high}), name=f"%(class)s_{field}_bounded"
    )


class CsService(Dated):
    """One Community Support as the plan configures it: criteria checklist, codes, how it is authorized."""

    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    description = models.TextField()
    # [{"key": "homeless", "label": "...", "member_fact": "homeless"|null}]; ANY one met qualifies unless
    # `criteria_all` is set, in which case every one must be met.
    criteria = models.JSONField(default=list)
    criteria_all = models.BooleanField(default=False)
    hcpcs = models.JSONField(default=list, help_text='[{"code": "T2033", "modifiers": ["U6"]}]')
    limits_summary = models.TextField(blank=True)
    unit = models.CharField(max_length=20, default="service", help_text="day, meal, hour, dollars or service")
    delivery_units = models.JSONField(
        default=dict,
        help_text='What one delivery unit is and how many one delivery may hold: {"per": "day", "most": 1, '
        '"over": "day"} (at most `most` units a day of the delivery) or "over": "delivery" (at most `most` in all).',
    )
    retro_authorized = models.BooleanField(default=False, help_text="Authorized after the fact (sobering).")
    streamlined = models.BooleanField(default=False, help_text="Approved at once when requested at discharge.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="cs_service_code_from_uniq")]

    def __str__(self) -> str:
        return self.name


class UnitsFrom(models.TextChoices):
    """How a delivery's billed units are counted for a code."""

    UNITS = "units", "The delivery's units (days, meals, hours or services) times the code's factor"
    DAYS = "days", "Days from the delivery's start to its end, both included (per diem codes)"
    DELIVERY = "delivery", "One per delivery (dollar amounts; the charge is the delivery's cost)"


class CsBillingCode(Dated):
    """One HCPCS code and modifier set that bills a Community Support, in force over its dates (DHCS Coding Options).

    The key is (HCPCS, modifier set, effective_from): one HCPCS bills several services told apart by a modifier, and
    a code that ends keeps its row with an `effective_to`, so older encounters still match (never deleted).
    """

    service_code = models.CharField(max_length=40)
    hcpcs = models.CharField(max_length=5)
    modifiers = models.JSONField(default=list, help_text='In billing order, e.g. ["U8", "GQ"]; any position.')
    modifier_key = models.CharField(max_length=14, help_text="The modifiers sorted and joined by +, e.g. GQ+U8.")
    unit = models.CharField(max_length=80, blank=True, help_text="The billing unit in words, e.g. per diem.")
    units_from = models.CharField(max_length=10, choices=UnitsFrom.choices, default=UnitsFrom.UNITS)
    unit_factor = models.PositiveSmallIntegerField(
        default=1, help_text="Billed units per delivery unit (4 for a per-15-minutes code of an hourly service)."
    )
    for_deliveries = models.BooleanField(
        default=False, help_text="The code a delivery recorded in calaim is reported with, on its dates."
    )
    encounter_only = models.BooleanField(
        default=False, help_text="Encounter submission is required; the plan's reimbursement is optional."
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["hcpcs", "modifier_key", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["hcpcs", "modifier_key", "effective_from"], name="cs_billing_code_uniq")
        ]
        indexes = [models.Index(fields=["service_code", "effective_from"], name="cs_billing_code_service_idx")]

    def __str__(self) -> str:
        return " ".join([self.hcpcs, *self.modifiers]) + f" ({self.service_code} from {self.effective_from})"


class CsOffering(Dated):
    """The plan offers the service in the county from `effective_from` (absent means not offered)."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="cs_offerings")
    county = models.ForeignKey("plans.County", on_delete=models.CASCADE, related_name="cs_offerings")
    service_code = models.CharField(max_length=40)
    delegate_provides = models.BooleanField(
        default=False, help_text="Kaiser also provides this service to its delegated members."
    )

    class Meta:
        ordering = ["plan__code", "county__name", "service_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "county", "service_code", "effective_from"], name="cs_offering_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.county} {self.service_code} from {self.effective_from}"


class CsLimitSettings(Dated):
    """The plan's Community Supports limits in force from `effective_from`: every window, cap and the set of
    room-and-board services the limits engine reads. No number and no service set has a default (`limits.yaml`
    states each one); a nullable cap left empty is not enforced, and a service missing from `dollar_caps` has none."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="cs_limit_settings")
    room_board_services = models.JSONField(
        help_text='Service codes that together count toward the room-and-board cap, e.g. ["recuperative_care"].'
    )
    room_board_max_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Room-and-board days allowed in any rolling window; empty: not enforced."
    )
    room_board_window_days = models.PositiveSmallIntegerField(
        help_text="Width of the rolling room-and-board window in days (365 for 12 months)."
    )
    recuperative_care_max_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Continuous days per stay; empty: not enforced."
    )
    stphh_max_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days per stay; empty: not enforced."
    )
    transitional_rent_max_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days per episode; empty: not enforced."
    )
    sobering_max_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A Sobering Center stay lasts under this many hours; empty: not enforced."
    )
    mtm_max_meals_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Medically Tailored Meals a day; empty: not enforced."
    )
    mtm_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weeks in one course of meals; empty: not enforced."
    )
    mtm_extended_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weeks in one course when an extension is approved; empty: not enforced."
    )
    respite_hours_per_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Respite hours per calendar year; empty: not enforced."
    )
    deposit_approvals = models.PositiveSmallIntegerField(help_text="Housing Deposits approvals in a lifetime.")
    deposit_approvals_with_change = models.PositiveSmallIntegerField(
        help_text="Further Housing Deposits approvals allowed only with a documented change in circumstances."
    )
    dollar_caps = models.JSONField(
        default=dict, help_text='Lifetime dollar cap per service code, e.g. {"housing_deposits": 5000}.'
    )

    class Meta:
        verbose_name_plural = "CS limit settings"
        constraints = [models.UniqueConstraint(fields=["plan", "effective_from"], name="cs_limits_plan_from_uniq")]

    def __str__(self) -> str:
        return f"{self.plan} CS limits v{self.version}"


class CsRequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    LINKED = "linked", "Linked to an open request for the same service"
    ROUTED_TO_DELEGATE = "routed_to_delegate", "Routed to Kaiser"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    PENDING_AUTHORIZATION = "pending_authorization", "Authorization pending"
    AUTHORIZED = "authorized", "Authorized"
    DENIED = "denied", "Not authorized"
    IN_SERVICE = "in_service", "Services being delivered"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"


CS_OPEN_STATUSES = (
    CsRequestStatus.RECEIVED,
    CsRequestStatus.PENDING_AUTHORIZATION,
    CsRequestStatus.AUTHORIZED,
    CsRequestStatus.IN_SERVICE,
)


class CsRequest(ClosedLoop):
    """A request for one Community Support for one member (the CSS referral form, one row per service)."""

    loop_program = Program.CS

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="cs_requests")
    service_code = models.CharField(max_length=40)
    source_type = models.CharField(max_length=40)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cs_requests")
    referrer_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="cs_requests_made"
    )
    ecm_enrollment = models.ForeignKey(
        "ecm.Enrollment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cs_requests",
        help_text="Set when the request comes from an ECM member's care plan.",
    )
    justification = models.TextField()
    criteria_attested = models.JSONField(default=list)
    at_discharge = models.BooleanField(default=False)
    requested_start = models.DateField()
    requested_end = models.DateField()
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0), validators=UNITS)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0), validators=DOLLARS)
    change_in_circumstances = models.BooleanField(default=False)
    extended = models.BooleanField(default=False, help_text="An extension past the standard course (e.g. meals).")
    member_aware = models.BooleanField()
    attested_by = models.CharField(max_length=200)
    attested_on = models.DateField()
    status = models.CharField(max_length=30, choices=CsRequestStatus.choices, default=CsRequestStatus.RECEIVED)
    eligibility = models.JSONField(default=dict, blank=True)
    linked_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="linked")
    authorization = models.ForeignKey(
        "authorizations.AuthorizationRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cs_requests",
    )
    provider = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="cs_assignments"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="A hash of the whole form, so a key reused for another form is refused."
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["member", "service_code", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key", "service_code"],
                condition=~models.Q(idempotency_key=""),
                name="cs_request_idempotency_uniq",
            ),
            _between("quantity", MAX_UNITS),
            _between("amount", MAX_DOLLARS),
        ]

    def __str__(self) -> str:
        return f"CS {self.service_code} for {self.member_id} ({self.status})"


class CsDelivery(DomainModel):
    """A service delivered by the CS provider; it counts against the member's limits."""

    request = models.ForeignKey(CsRequest, on_delete=models.PROTECT, related_name="deliveries")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="cs_deliveries")
    service_code = models.CharField(max_length=40)
    provider = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="cs_deliveries")
    start_date = models.DateField()
    end_date = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    units = models.DecimalField(max_digits=10, decimal_places=2, validators=UNITS)
    cost = models.DecimalField(max_digits=10, decimal_places=2, validators=DOLLARS)
    hours = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal(0), validators=HOURS)
    meals_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_MEALS_PER_DAY)]
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_repeat = models.BooleanField(
        default=False,
        help_text="Another delivery of the service covers one of its days; the provider confirmed it is separate.",
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            _between("units", MAX_UNITS),
            _between("cost", MAX_DOLLARS),
            _between("hours", MAX_HOURS),
            models.CheckConstraint(
                condition=models.Q(meals_per_day__isnull=True) | models.Q(meals_per_day__lte=MAX_MEALS_PER_DAY),
                name="csdelivery_meals_per_day_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.start_date}–{self.end_date}"


class DelegateReassignment(DomainModel):
    """A Kaiser-delegated member chose reassignment to the plan to get a service Kaiser does not offer."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="delegate_reassignments")
    from_delegate = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="+")
    reassigned_on = models.DateField()
    services_wanted = models.JSONField(default=list)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.member_id} reassigned from {self.from_delegate_id} on {self.reassigned_on}"
