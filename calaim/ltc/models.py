"""A member's stays in long-term care facilities, the PASRR screening of each nursing-facility admission, the
Physician Certification Statements NEMT rests on, and how a transportation task's ride travels."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class StaySource(models.TextChoices):
    ROSTER = "roster", "Plan roster"
    STAFF = "staff", "Recorded by plan staff"


class LevelOfCare(models.TextChoices):
    SKILLED = "skilled", "Skilled nursing"
    INTERMEDIATE = "intermediate", "Intermediate care"
    SUBACUTE = "subacute", "Subacute care"
    HABILITATIVE = "habilitative", "Habilitative care"
    CUSTODIAL = "custodial", "Custodial care"


class FacilityStay(DomainModel):
    """One admission to a facility, open until its discharge; the facility type is a code of facility_types.yaml."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="facility_stays")
    facility_name = models.CharField(max_length=200)
    facility_npi = models.CharField(max_length=10, blank=True)
    facility_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facility_type = models.CharField(max_length=20)
    level_of_care = models.CharField(max_length=20, choices=LevelOfCare.choices)
    admitted_on = models.DateField()
    discharged_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=StaySource.choices, default=StaySource.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-admitted_on"]
        indexes = [models.Index(fields=["discharged_on", "admitted_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True) | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="ltc_stay_discharge_after_admission",
            ),
            # A member is in at most one facility at a time.
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(discharged_on__isnull=True), name="ltc_one_open_stay"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_name} from {self.admitted_on}"


class Level1Type(models.TextChoices):
    PAS = "pas", "Preadmission screening (PAS)"
    RR = "rr", "Resident review (RR), significant change"


class Level1By(models.TextChoices):
    GACH = "gach", "General acute care hospital"
    NF = "nf", "Nursing facility"


class Level2Type(models.TextChoices):
    SMI = "smi", "Serious mental illness (SMI)"
    ID_DD_RC = "id_dd_rc", "Intellectual or developmental disability or related condition (ID/DD/RC)"


class Level2Evaluator(models.TextChoices):
    ACENTRA = "acentra", "DHCS contractor (Acentra, formerly Kepro)"
    REGIONAL_CENTER = "regional_center", "DDS Regional Center"


# Who evaluates each Level II (DHCS PASRR FAQ): SMI by DHCS's independent contractor, ID/DD/RC by Regional Centers.
EVALUATOR_FOR = {Level2Type.SMI: Level2Evaluator.ACENTRA, Level2Type.ID_DD_RC: Level2Evaluator.REGIONAL_CENTER}


class PasrrScreening(DomainModel):
    """The PASRR of one nursing-facility admission: Level I, Level II when Level I is positive, the determination."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="pasrr_screenings")
    stay = models.ForeignKey(FacilityStay, on_delete=models.PROTECT, related_name="pasrr_screenings")
    level1_type = models.CharField(max_length=5, choices=Level1Type.choices)
    level1_on = models.DateField()
    level1_by = models.CharField(max_length=5, choices=Level1By.choices)
    level1_positive = models.BooleanField()
    level2_needed = models.BooleanField(default=False)
    level2_type = models.CharField(max_length=10, choices=Level2Type.choices, blank=True)
    level2_evaluator = models.CharField(max_length=20, choices=Level2Evaluator.choices, blank=True)
    level2_on = models.DateField(null=True, blank=True)
    determination_on = models.DateField(null=True, blank=True)
    placement_recommendation = models.TextField(blank=True)
    specialized_services = models.BooleanField(null=True, blank=True)
    authorization = models.ForeignKey(
        "authorizations.AuthorizationRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-level1_on", "-created_at"]


class PhysicianCertification(DomainModel):
    """A Physician Certification Statement (PCS): the written order an NEMT ride in one mode rests on."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="physician_certifications")
    signer_type = models.CharField(max_length=20)
    signer_name = models.CharField(max_length=200)
    signer_npi = models.CharField(max_length=10)
    mode = models.CharField(max_length=20)
    valid_from = models.DateField()
    valid_through = models.DateField()
    form_version = models.CharField(max_length=80)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-valid_through"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_through__gte=models.F("valid_from")), name="ltc_pcs_through_after_from"
            )
        ]


class Ride(DomainModel):
    """How a transportation task's ride travels (NEMT mode or NMT), kept beside the care-plan task it belongs to."""

    task = models.OneToOneField("careplans.Task", on_delete=models.PROTECT, related_name="ride")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=20)
    # A transfer from an emergency room or acute hospital to a SNF needs no prior authorization (APL 22-008).
    transfer_to_snf = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
