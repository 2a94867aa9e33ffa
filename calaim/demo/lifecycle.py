"""Demo referrals in every lifecycle state, created through the real service functions so the audit
trail, clocks, notices and tasks are exactly what production would record."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from random import Random

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.services import authorization_extend
from calaim.careplans.services import care_team_add, outreach_record
from calaim.core.clock import plan_today
from calaim.demo.careplans import demo_care_plan_create
from calaim.ecm.assignment import provider_candidates
from calaim.ecm.models import Enrollment
from calaim.ecm.selectors import qualified_pofs
from calaim.members.models import Member
from calaim.network.selectors import contracts_in_force
from calaim.plans.models import Plan
from calaim.referrals.models import Referral
from calaim.referrals.policies import SOURCES_BY_ORG_KIND
from calaim.referrals.services import PofAttestationInput, ReferralInput
from calaim.workflows import ecm_enrollment as ecm
from calaim.workflows.authorization_decision import authorization_decide
from calaim.workflows.eligibility import eligibility_determine
from calaim.workflows.referral_intake import referral_submit

# Target states, cycled over the chosen members so every state appears for every plan.
TARGETS = (
    "received",
    "linked",
    "not_eligible",
    "pending_authorization",
    "overdue",
    "pended",
    "extended",
    "denied",
    "authorized",
    "assigned",
    "enrolled",
    "enrolled",
    "enrolled",
    "declined",
    "closed",
    "transferred",
    "presumptive",
    "expedited",
)


def _attestation(member: Member, day: dt.date, complete: bool = True) -> PofAttestationInput:
    adult = member.age_on(day) >= 21
    if member.experiencing_homelessness:
        return PofAttestationInput(
            pof="A1" if adult else "C1",
            criteria=["homeless", "complex_need"] if adult else ["homeless"],
            facts="Sleeping in a vehicle; uncontrolled diabetes.",
        )
    if not complete:
        return PofAttestationInput(pof="A3", criteria=["smhs_or_dmc_eligible"], facts="Depression, no other facts.")
    return PofAttestationInput(
        pof="A2" if adult else "C2",
        criteria=["avoidable_utilization"],
        facts="6 ED visits in the last 6 months for asthma and chest pain.",
    )


def _submit(
    member: Member,
    submitter: User,
    rng: Random,
    complete: bool = True,
    form: str | None = None,
    urgency: str = "routine",
) -> Referral:
    day = plan_today()
    attestation = _attestation(member, day, complete)
    adult_form = "ecm_adult" if attestation.pof.startswith("A") else "ecm_child"
    if submitter.role in (Role.PLAN_INTAKE, Role.MEMBER_SERVICES):
        source = "member_self_family_phone" if submitter.role == Role.MEMBER_SERVICES else "hospital_concurrent_review"
    else:
        assert submitter.organization is not None
        source = sorted(SOURCES_BY_ORG_KIND[submitter.organization.kind])[0]
    data = ReferralInput(
        member_cin=member.cin,
        member_birth_date=member.birth_date,
        source_type=source,
        form=form or adult_form,
        referrer_name=submitter.get_full_name() or submitter.username,
        attested_by=submitter.username,
        attested_on=day,
        member_aware=rng.random() < 0.9,
        pof_attestations=[attestation],
        urgency=urgency,
    )
    # One key per referral made: a member referred again (a duplicate, a second source) gets a new one.
    key = f"demo-{member.cin}-{source}-{member.referrals.count()}"
    referral, _ = referral_submit(actor=submitter, data=data, idempotency_key=key)
    return referral


def _backdate(referral: Referral, days: int) -> None:
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - dt.timedelta(days=days))
    referral.refresh_from_db()


class _Driver:
    def __init__(self, rng: Random, intake: User, um: User, ms: User) -> None:
        self.rng = rng
        self.intake = intake
        self.um = um
        self.ms = ms
        self.referrers = list(User.objects.filter(role=Role.REFERRER).order_by("username"))

    @classmethod
    def for_plan(cls, plan: Plan, rng: Random) -> _Driver | None:
        """A driver acting as the plan's first intake, UM and member-services users; None if one is missing."""
        intake = User.objects.filter(role=Role.PLAN_INTAKE, organization__plan=plan).order_by("username").first()
        um = User.objects.filter(role=Role.PLAN_UM, organization__plan=plan).order_by("username").first()
        ms = User.objects.filter(role=Role.MEMBER_SERVICES, organization__plan=plan).order_by("username").first()
        if intake is None or um is None or ms is None:
            return None
        return cls(rng, intake, um, ms)

    def submitter(self) -> User:
        return self.rng.choice([self.intake, self.ms, *self.referrers])

    def authorization(self, referral: Referral) -> AuthorizationRequest:
        return referral.authorizations.exclude(kind="presumptive").order_by("-created_at").first()  # type: ignore[return-value]

    def staff(self, enrollment: Enrollment) -> list[User]:
        return list(
            User.objects.filter(
                organization_id=enrollment.provider_id, role__in=PROVIDER_ROLES, is_active=True
            ).order_by("username")
        )

    def drive(self, member: Member, target: str) -> str:
        """Take one member's referral to `target`; returns the state reached."""
        if target == "presumptive":
            return self._presumptive(member)
        if target == "not_eligible":
            eligibility_determine(
                actor=self.intake, referral=_submit(member, self.submitter(), self.rng, complete=False)
            )
            return target
        referral = _submit(
            member, self.submitter(), self.rng, urgency="expedited" if target == "expedited" else "routine"
        )
        if target == "linked":
            _submit(member, self.ms, self.rng)
            return target
        if target == "received":
            return target
        if target == "overdue":
            _backdate(referral, self.rng.randint(9, 20))
        determination = eligibility_determine(actor=self.intake, referral=referral)
        if determination.outcome != "eligible" or target in ("pending_authorization", "overdue", "expedited"):
            return determination.outcome if determination.outcome != "eligible" else target
        return self._decide(referral, target)

    def _decide(self, referral: Referral, target: str) -> str:
        auth = self.authorization(referral)
        if target == "pended":
            authorization_decide(
                actor=self.um,
                authorization=auth,
                outcome="pend",
                information_requested="Discharge summary from the last admission.",
            )
            return target
        if target == "extended":
            authorization_extend(actor=self.um, authorization=auth, reason="Awaiting records from the PCP.")
            return target
        if target == "denied":
            authorization_decide(
                actor=self.um,
                authorization=auth,
                outcome="deny",
                reason="ED visits were not avoidable; member is in active oncology care.",
                criteria="ECM Policy Guide, adult POF 2 (avoidable utilization).",
            )
            return target
        authorization_decide(actor=self.um, authorization=auth, outcome="approve", reason="Meets the POF criteria.")
        if target == "authorized":
            return target
        chosen = self.rng.random() < 0.3
        member = referral.member
        today = plan_today()
        # The member chooses among the providers that fit them (county, Populations of Focus, free places).
        options = [c.organization_id for c, _ in provider_candidates(member, qualified_pofs(referral.pk), today)]
        enrollment = ecm.ecm_provider_assign(
            actor=self.ms if chosen else self.intake,
            referral=referral,
            provider_id=self.rng.choice(options) if chosen and options else None,
        )
        return self._provider_work(enrollment, target)

    def _provider_work(self, enrollment: Enrollment, target: str) -> str:
        staff = self.staff(enrollment)
        if not staff:
            return "assigned"
        worker = self.rng.choice(staff)
        today = plan_today()
        for attempt in range(self.rng.randint(1, 3)):
            outreach_record(
                actor=worker,
                enrollment=enrollment,
                attempted_on=today,
                minutes_spent=self.rng.randint(5, 60),
                method=self.rng.choice(["phone", "in_person", "text"]),
                reached=attempt > 0,
            )
        if target == "assigned":
            return target
        if target == "closed":
            ecm.ecm_disenroll(
                actor=worker,
                enrollment=enrollment,
                reason_code="unable_to_reach",
                note="Five attempts over three weeks; no working phone.",
            )
            return target
        # The provider's supervisor names the Lead Care Manager (none is named when the provider has no supervisor).
        supervisor = next((user for user in staff if user.role == Role.PROVIDER_SUPERVISOR), None)
        if supervisor is not None:
            ecm.ecm_lead_care_manager_assign(actor=supervisor, enrollment=enrollment, care_manager=worker.username)
        enrollment = ecm.ecm_enroll(actor=worker, enrollment=enrollment, enrolled_on=today)
        care_team_add(actor=worker, member=enrollment.member, role="pcp", name=enrollment.member.pcp_name or "Dr. Lee")
        if target == "enrolled":
            demo_care_plan_create(worker=worker, enrollment=enrollment)
        if target == "declined":
            ecm.ecm_disenroll(
                actor=worker,
                enrollment=enrollment,
                reason_code="opted_out",
                note="Member opted out by phone.",
            )
        elif target == "transferred":
            try:
                ecm.ecm_provider_change(actor=self.ms, enrollment=enrollment, reason="Member prefers a closer office.")
            except Exception:
                return "enrolled"
        return target

    def _presumptive(self, member: Member) -> str:
        contract = (
            contracts_in_force(member.plan_id, member.county_id, plan_today()).order_by("organization__name").first()
        )
        staff = (
            User.objects.filter(organization_id=contract.organization_id, role__in=PROVIDER_ROLES).first()
            if contract
            else None
        )
        if staff is None:
            return "received"
        _submit(member, staff, self.rng, form="eligibility_verification")
        return "presumptive"


def _candidates(plan: Plan, rng: Random, count: int) -> list[Member]:
    members = list(
        Member.objects.filter(
            plan=plan,
            delegated_to__isnull=True,
            dsnp=False,
            programs__isnull=True,
            enrollment_spans__end_date__isnull=True,
        )
        .order_by("cin")
        .distinct()[:2000]
    )
    rng.shuffle(members)
    return members[:count]


def demo_lifecycle_create(*, seed: int = 2026, per_plan: int = 72) -> dict[str, int]:
    """Drive members of each plan through every lifecycle state, plus delegated and excluded members."""
    rng = Random(seed)
    reached: Counter[str] = Counter()
    for plan in Plan.objects.order_by("code"):
        driver = _Driver.for_plan(plan, rng)
        if driver is None:
            continue
        for index, member in enumerate(_candidates(plan, rng, per_plan)):
            with transaction.atomic():
                reached[driver.drive(member, TARGETS[index % len(TARGETS)])] += 1
        for special in (
            Member.objects.filter(plan=plan)
            .exclude(delegated_to__isnull=True, programs__isnull=True)
            .order_by("cin")
            .distinct()[:6]
        ):
            with transaction.atomic():
                referral = _submit(special, driver.intake, rng)
                if referral.status == "received":
                    reached[eligibility_determine(actor=driver.intake, referral=referral).outcome] += 1
    return dict(reached)
