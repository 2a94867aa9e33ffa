"""factory_boy factories for the ECM domain; reference data comes from the real reference files."""

from __future__ import annotations

import datetime as dt

import factory

from calaim.accounts.models import User
from calaim.members.models import EnrollmentSpan, Member
from calaim.network.models import Contract, Organization
from calaim.plans.models import County, Plan

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
