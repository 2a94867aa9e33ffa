"""factory_boy factories: members, the network, and referrals, authorizations, enrollments and Community Supports
requests in the states tests need; reference data comes from the real reference files."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationKind, AuthorizationRequest, AuthorizationStatus
from calaim.community_supports.models import CsRequest, CsRequestStatus
from calaim.core.clock import plan_today
from calaim.ecm.models import AssignmentMethod, Enrollment, EnrollmentStatus
from calaim.members.models import EnrollmentSpan, Member
from calaim.network.models import Contract, Organization
from calaim.plans.models import County, Plan
from calaim.referrals.closed_loop import loop_start
from calaim.referrals.models import Referral, ReferralStatus

PASSWORD = "test-password-123"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = "ecm_provider"
    phone = "+12095550100"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    cin = factory.Sequence(lambda n: f"{10000000 + n:08d}A")
    first_name = "Ana"
    last_name = factory.Sequence(lambda n: f"Member{n}")
    birth_date = dt.date(1980, 5, 17)
    language = "en"
    plan = factory.LazyFunction(lambda: Plan.objects.get(code="HPSJ"))
    county = factory.LazyFunction(lambda: County.objects.get(name="San Joaquin"))

    @factory.post_generation
    def enrolled(obj: Member, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            EnrollmentSpan.objects.create(member=obj, plan=obj.plan, start_date=dt.date(2020, 1, 1))


def ecm_contract(
    org: Organization,
    plan_code: str,
    counties: list[str],
    *,
    capacity: int = 50,
    pofs: list[str] | None = None,
    languages: list[str] | None = None,
) -> Contract:
    contract = Contract.objects.create(
        plan=Plan.objects.get(code=plan_code),
        organization=org,
        program="ecm",
        capacity=capacity,
        pof_codes=pofs if pofs is not None else ["A1", "A2", "A3", "A4", "A7", "C1", "C2", "C3"],
        languages=languages or ["en"],
        start_date=dt.date(2022, 1, 1),
    )
    contract.counties.set(County.objects.filter(name__in=counties))
    return contract


# ---- Referrals, authorizations, enrollments and Community Supports requests, in the states tests need --------------
# Each is written straight to the database (fast) with its closed loop started at the state it is in, the way the
# workflows would have left it. Tests that exercise the path itself drive the workflows instead.


def _now() -> dt.datetime:
    return timezone.now()


class ReferralFactory(factory.django.DjangoModelFactory):
    """An ECM referral from the PCP's referrer; `status` is any ReferralStatus (received by default)."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory, experiencing_homelessness=True)
    submitted_by = factory.LazyFunction(lambda: User.objects.get(username="dr_pcp"))
    referrer_organization = factory.LazyAttribute(lambda r: r.submitted_by.organization)
    source_type = "pcp"
    form = "ecm_adult"
    referrer_name = "Dr. Rivera"
    pof_attestations = factory.LazyFunction(
        lambda: [{"pof": "A1", "criteria": ["homeless", "complex_need"], "facts": "Sleeping in car; CHF"}]
    )
    member_aware = True
    attested_by = "Dr. Rivera"
    attested_on = factory.LazyFunction(plan_today)
    received_at = factory.LazyFunction(_now)
    status_changed_at = factory.LazyFunction(_now)
    status = ReferralStatus.RECEIVED

    @factory.post_generation
    def loop(obj: Referral, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            loop_start(obj, at=obj.status_changed_at)


class AuthorizationFactory(factory.django.DjangoModelFactory):
    """An authorization request on the referral's member; pending by default, `approved=True` for a decided one
    with a year's period from today."""

    class Meta:
        model = AuthorizationRequest

    class Params:
        approved = factory.Trait(
            status=AuthorizationStatus.APPROVED,
            decided_at=factory.LazyFunction(_now),
            period_start=factory.LazyFunction(plan_today),
            period_end=factory.LazyFunction(lambda: plan_today() + dt.timedelta(days=364)),
        )

    referral = factory.SubFactory(ReferralFactory, status=ReferralStatus.PENDING_AUTHORIZATION)
    member = factory.LazyAttribute(lambda a: a.referral.member if a.referral else MemberFactory())
    program = "ecm"
    kind = AuthorizationKind.INITIAL
    received_at = factory.LazyFunction(_now)
    due_at = factory.LazyFunction(lambda: _now() + dt.timedelta(days=5))
    ceiling_at = factory.LazyFunction(lambda: _now() + dt.timedelta(days=14))
    status = AuthorizationStatus.PENDING
    settings_version = "2026.1"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """A member assigned to `provider` under an approved authorization; `enrolled=True` for enrolled today."""

    class Meta:
        model = Enrollment

    class Params:
        enrolled = factory.Trait(
            status=EnrollmentStatus.ENROLLED,
            enrolled_on=factory.LazyFunction(plan_today),
            referral__status=ReferralStatus.ENROLLED,
        )

    referral = factory.SubFactory(ReferralFactory, status=ReferralStatus.ASSIGNED)
    member = factory.LazyAttribute(lambda e: e.referral.member)
    authorization = factory.LazyAttribute(
        lambda e: AuthorizationFactory(referral=e.referral, member=e.referral.member, approved=True)
    )
    provider = factory.LazyFunction(lambda: Organization.objects.get(name="Alpha Care Partners"))
    status = EnrollmentStatus.ASSIGNED
    assignment_method = AssignmentMethod.AUTOMATIC
    assignment_reasons = factory.LazyFunction(lambda: ["assigned automatically"])
    assigned_at = factory.LazyFunction(_now)


class CsRequestFactory(factory.django.DjangoModelFactory):
    """A Community Supports request for recuperative care over the next two weeks; received by default,
    `authorized=True` for one approved and assigned to `provider`."""

    class Meta:
        model = CsRequest
        skip_postgeneration_save = True

    class Params:
        authorized = factory.Trait(
            status=CsRequestStatus.AUTHORIZED,
            authorization=factory.LazyAttribute(
                lambda r: AuthorizationFactory(referral=None, member=r.member, program="cs", approved=True)
            ),
        )

    member = factory.SubFactory(MemberFactory, experiencing_homelessness=True)
    service_code = "recuperative_care"
    source_type = "hospital_transition_of_care"
    submitted_by = factory.LazyFunction(lambda: User.objects.get(username="intake"))
    referrer_name = "RN Okafor"
    justification = "IV antibiotics, no home"
    criteria_attested = factory.LazyFunction(lambda: ["needs_recovery_care"])
    requested_start = factory.LazyFunction(plan_today)
    requested_end = factory.LazyFunction(lambda: plan_today() + dt.timedelta(days=13))
    member_aware = True
    attested_by = "RN Okafor"
    attested_on = factory.LazyFunction(plan_today)
    received_at = factory.LazyFunction(_now)
    status_changed_at = factory.LazyFunction(_now)
    status = CsRequestStatus.RECEIVED

    @factory.post_generation
    def loop(obj: CsRequest, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            loop_start(obj, at=obj.status_changed_at)
