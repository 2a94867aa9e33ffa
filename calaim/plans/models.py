"""Reference data as dated, versioned configuration: plans, counties, Populations of Focus, go-live
dates, excluded programs, discontinuation reasons, referral source types and program settings."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class Dated(models.Model):
    """A row of configuration in force from `effective_from` up to and including `effective_to`."""

    version = models.CharField(max_length=40, default="2026.1")
    effective_from = models.DateField(default=dt.date(2022, 1, 1))
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def in_force_on(day: dt.date) -> Q:
        return Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class Plan(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    member_services_phone = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.code


class County(models.Model):
    name = models.CharField(max_length=80, unique=True)
    fips = models.CharField(max_length=5, blank=True)
    plans = models.ManyToManyField(Plan, related_name="counties", blank=True)

    class Meta:
        verbose_name_plural = "counties"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgeGroup(models.TextChoices):
    ADULT = "adult", "Adult (21 and over)"
    CHILD = "child", "Children and youth (under 21)"


class PopulationOfFocus(Dated):
    """A DHCS Population of Focus; `criteria` lists what must all be met, each by attestation or data."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=250)
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices)
    # Age limit past 21 for the few POFs that reach further (child welfare: up to 26).
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    referral_only = models.BooleanField(default=False, help_text="Needs facts no claims file holds.")
    legacy = models.BooleanField(default=False, help_text="An early CalAIM POF kept for history.")
    # [{"key": "homeless", "label": "...", "member_fact": "homeless"|null}, ...]
    criteria = models.JSONField(default=list)

    class Meta:
        verbose_name = "Population of Focus"
        verbose_name_plural = "Populations of Focus"
        ordering = ["code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="pof_code_from_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PofGoLive(Dated):
    """The date a POF went live for a plan in a county; absent means not live there."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="go_lives")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="go_lives")
    pof_code = models.CharField(max_length=20)

    class Meta:
        verbose_name = "POF go-live date"
        ordering = ["plan__code", "county__name", "pof_code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "county", "pof_code", "effective_from"], name="golive_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.county} {self.pof_code} from {self.effective_from}"


class ExcludedProgram(Dated):
    """A program whose members may not be in ECM at the same time (non-duplication)."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower is reported first.")

    class Meta:
        ordering = ["priority", "code"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="excl_code_from_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DiscontinuationReason(Dated):
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    dhcs_code = models.CharField(max_length=10, blank=True, help_text="Numeric code reported in the QIMR.")
    is_opt_out = models.BooleanField(default=False)
    other_supports = models.JSONField(default=list, blank=True, help_text="Supports to offer the member.")

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="disc_code_from_uniq")]

    def __str__(self) -> str:
        return self.label


class ReferralSourceType(Dated):
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="src_code_from_uniq")]

    def __str__(self) -> str:
        return self.label


class ProgramSettings(Dated):
    """Per-plan clocks and periods, versioned; the row in force on a date governs that date's work."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="program_settings")
    routine_decision_business_days = models.PositiveSmallIntegerField(default=5)
    expedited_decision_hours = models.PositiveSmallIntegerField(default=72)
    decision_ceiling_calendar_days = models.PositiveSmallIntegerField(default=14)
    extension_calendar_days = models.PositiveSmallIntegerField(default=14)
    authorization_months = models.PositiveSmallIntegerField(default=12)
    reauthorization_months = models.PositiveSmallIntegerField(default=6)
    presumptive_days = models.PositiveSmallIntegerField(default=30)
    member_letter_business_days = models.PositiveSmallIntegerField(default=5)
    welcome_call_business_days = models.PositiveSmallIntegerField(default=3)
    dsnp_excludes_ecm = models.BooleanField(default=False)
    # A Knox-Keene licensed plan's members may also ask the DMHC for an Independent Medical Review; the Notice of
    # Action's "Your Rights" says so only then (domain doc §5.4).
    knox_keene_licensed = models.BooleanField(
        default=False, help_text="Licensed under the Knox-Keene Act (DMHC): members may ask for an IMR."
    )
    # A roster load that would term more than this share of the plan's enrolled members by their absence is refused
    # unless the analyst allows it: a truncated file must not disenroll a county (exchange-spec §1).
    roster_mass_term_percent = models.PositiveSmallIntegerField(
        default=5, validators=[MaxValueValidator(100)], help_text="Roster loads refuse to term more than this %."
    )
    # Providers send their RTF by this day of the month (for the month before); a missing one goes on the worklist.
    rtf_due_day = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(28)], help_text="Day of the month each provider's RTF is due."
    )
    # Each provider's MIF for the month is made on this day of the month.
    mif_production_day = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(28)])
    appeal_rights = models.TextField(blank=True)
    other_supports = models.JSONField(default=list, blank=True, help_text="Offered when not eligible.")

    class Meta:
        verbose_name_plural = "program settings"
        ordering = ["plan__code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["plan", "effective_from"], name="settings_plan_from_uniq")]

    def __str__(self) -> str:
        return f"{self.plan} settings v{self.version} from {self.effective_from}"
