"""Demo population: deterministic for a seed, with the network, member variety and logins the demo needs."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from calaim.accounts.models import Role, User
from calaim.core.errors import Conflict, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.demo.population import demo_population_create
from calaim.demo.staff import DEMO_PASSWORD, demo_logins
from calaim.members.models import CIN_PATTERN, EnrollmentSpan, Member, MemberProgram
from calaim.network.models import Contract, Organization, OrganizationKind, Program
from calaim.plans.models import ExcludedProgram
from calaim.plans.reference import reference_load
from calaim.roster.models import LoadStatus, RosterLoad

AS_OF = dt.date(2026, 6, 30)
SIZE = 300
MemberRow = tuple[str, str, str, dt.date, str, str]


class _Rollback(Exception):
    """Raised to undo one demo run so the next starts from the same empty database."""


def _members_of_one_run(seed: int) -> list[MemberRow]:
    """The members a run creates, read back and then rolled back."""
    rows: list[MemberRow] = []
    try:
        with transaction.atomic():
            demo_population_create(seed=seed, members=SIZE, as_of=AS_OF)
            rows = sorted(
                Member.objects.values_list("cin", "first_name", "last_name", "birth_date", "county__name", "phone")
            )
            raise _Rollback
    except _Rollback:
        pass
    assert not Member.objects.exists()
    return rows


@pytest.fixture
def reference(db: None) -> None:
    reference_load()


@pytest.fixture
def population(reference: None) -> dict[str, int]:
    return demo_population_create(seed=7, members=SIZE, as_of=AS_OF)


def test_same_seed_gives_the_same_members_and_another_seed_does_not(reference: None) -> None:
    first, second = _members_of_one_run(2026), _members_of_one_run(2026)
    assert len(first) == SIZE
    assert first == second
    assert _members_of_one_run(2027) != first


def test_counts_and_valid_unique_cins(population: dict[str, int]) -> None:
    assert population["members"] == SIZE == Member.objects.count()
    cins = list(Member.objects.values_list("cin", flat=True))
    assert len(set(cins)) == SIZE
    assert all(re.fullmatch(CIN_PATTERN, cin) for cin in cins)
    phones = [p for p in Member.objects.values_list("phone", flat=True) if p]
    assert phones and all(re.fullmatch(r"\+1(209|650)555[0-9]{4}", p) for p in phones)


def test_members_spread_over_plans_counties_ages_and_languages(population: dict[str, int]) -> None:
    members = list(Member.objects.select_related("plan", "county"))
    by_county = Counter((m.plan.code, m.county.name) for m in members)
    assert set(by_county) == {("HPSJ", "San Joaquin"), ("HPSJ", "Stanislaus"), ("HPSM", "San Mateo")}
    assert 0.6 <= (by_county["HPSJ", "San Joaquin"] + by_county["HPSJ", "Stanislaus"]) / SIZE <= 0.8
    ages = [m.age_on(AS_OF) for m in members]
    assert min(ages) >= 0 and max(ages) <= 95
    assert 0.15 <= sum(age < 21 for age in ages) / SIZE <= 0.35
    languages = Counter(m.language for m in members)
    assert languages.most_common(2)[0][0] == "en" and languages["es"] >= SIZE * 0.15
    assert len(languages) >= 5
    assert {"black", "aian", "pacific_islander"} & {m.race_ethnicity for m in members}


def test_members_have_the_variety_ecm_rules_need(population: dict[str, int]) -> None:
    members = Member.objects
    assert members.filter(experiencing_homelessness=True, address_line="").exists()
    assert members.filter(delegated_to__code="KAISER", delegated_to__kind=OrganizationKind.DELEGATE).exists()
    assert members.filter(dsnp=True, plan__code="HPSM").exists() or members.filter(dsnp=True).count() >= 3
    assert members.filter(release_date__gt=AS_OF - dt.timedelta(days=365)).exists()
    assert members.filter(ccs_enrolled=True).exists()
    assert members.exclude(foster_care="").exists()
    assert members.filter(pcp_organization__ecm_affiliate__isnull=False).exists()
    assert members.filter(behavioral_health_organization__isnull=False).exists()
    current = MemberProgram.objects.filter(end_date__isnull=True)
    assert current.exists()
    assert set(current.values_list("program_code", flat=True)) <= set(
        ExcludedProgram.objects.values_list("code", flat=True)
    )
    open_spans = EnrollmentSpan.objects.filter(end_date__isnull=True).count()
    assert EnrollmentSpan.objects.count() == SIZE and open_spans >= SIZE * 0.9
    assert not EnrollmentSpan.objects.filter(start_date__gt=AS_OF).exists()


def test_network_has_ecm_providers_with_varied_contracts(population: dict[str, int]) -> None:
    ecm = Contract.objects.filter(program=Program.ECM, end_date__isnull=True).prefetch_related("counties")
    providers = {c.organization_id for c in ecm}
    assert len(providers) >= 6
    assert {c.organization.county.name for c in ecm} == {"San Joaquin", "Stanislaus", "San Mateo"}
    assert any(c.counties.count() == 2 for c in ecm)
    assert any(c.plan.code == "HPSM" and [x.name for x in c.counties.all()] == ["San Mateo"] for c in ecm)
    plans_by_provider = Counter(org for org, _ in {(c.organization_id, c.plan_id) for c in ecm})
    assert max(plans_by_provider.values()) == 2
    assert len({tuple(c.pof_codes) for c in ecm}) >= 5
    assert {"vi", "zh", "tl", "pa", "hmn"} <= {lang for c in ecm for lang in c.languages}
    assert min(c.capacity for c in ecm) <= 40 and max(c.capacity for c in ecm) >= 400
    assert Contract.objects.filter(program=Program.CS).count() >= 2
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds[OrganizationKind.PLAN] == 2 and kinds[OrganizationKind.CS_PROVIDER] >= 2
    for kind in (
        OrganizationKind.PCP_CLINIC,
        OrganizationKind.BEHAVIORAL_HEALTH,
        OrganizationKind.CBO,
        OrganizationKind.HOSPITAL,
        OrganizationKind.DELEGATE,
    ):
        assert kinds[kind] >= 1, kind
    assert Organization.objects.filter(kind=OrganizationKind.PCP_CLINIC, ecm_affiliate__kind="ecm_provider").exists()


def test_demo_logins_exist_with_every_role_and_the_demo_password(population: dict[str, int]) -> None:
    logins = demo_logins()
    usernames = [username for username, _, _ in logins]
    assert len(usernames) == len(set(usernames))
    users = {u.username: u for u in User.objects.select_related("organization")}
    assert set(usernames) <= set(users)
    assert {u.role for u in users.values() if u.role} == set(Role.values)
    assert users["admin"].is_superuser and users["admin"].check_password(DEMO_PASSWORD)
    assert users["hpsj.intake"].is_plan_staff and users["hpsm.um"].organization.plan.code == "HPSM"
    assert users["delta.cm1"].is_provider_staff and users["delta.cm1"].check_password(DEMO_PASSWORD)
    for user in users.values():
        if user.role in (Role.PROVIDER_CARE_MANAGER, Role.PROVIDER_SUPERVISOR):
            assert user.organization.kind in (OrganizationKind.ECM_PROVIDER, OrganizationKind.CS_PROVIDER)
    referrer_kinds = {u.organization.kind for u in users.values() if u.role == Role.REFERRER}
    assert referrer_kinds == {OrganizationKind.PCP_CLINIC, OrganizationKind.CBO, OrganizationKind.HOSPITAL}


def test_second_population_is_refused(population: dict[str, int]) -> None:
    with pytest.raises(Conflict):
        demo_population_create(members=10, as_of=AS_OF)
    assert Member.objects.count() == SIZE


@pytest.mark.django_db
def test_population_needs_reference_data() -> None:
    # The test database holds the reference data (tests/conftest.py); this test's transaction removes a part of it.
    ExcludedProgram.objects.all().delete()
    with pytest.raises(ValidationFailed):
        demo_population_create(members=10, as_of=AS_OF)
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_demo_seed_command_runs_once() -> None:
    out = io.StringIO()
    call_command("demo_seed", "--members", "40", "--as-of", "2026-06-30", stdout=out)
    assert Member.objects.count() == 40
    assert "hpsj.intake" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    again = io.StringIO()
    call_command("demo_seed", "--members", "40", stdout=again)
    assert Member.objects.count() == 40
    assert "not created again" in again.getvalue()


def test_members_enter_through_each_plans_first_roster_load(population: dict[str, int]) -> None:
    loads = list(RosterLoad.objects.select_related("plan").order_by("plan__code"))
    assert [(load.plan.code, load.status, load.as_of) for load in loads] == [
        ("HPSJ", LoadStatus.APPLIED, dt.date(2025, 6, 30)),
        ("HPSM", LoadStatus.APPLIED, dt.date(2025, 6, 30)),
    ]
    assert sum(load.counts["created"] for load in loads) == SIZE == population["roster_created"]
    assert {load.actor_label for load in loads} == {"hpsj.data", "hpsm.data"}
    assert AuditEvent.objects.filter(action="member.roster_created").count() == SIZE
    # Hmong (hmn), which has no two-letter code, came through the roster like every other language.
    assert Member.objects.filter(language="hmn").exists()
