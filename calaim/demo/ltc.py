"""The demo's long-term care: per plan, some members in nursing facilities and ICF/DD homes (and some discharged),
their PASRR complete, late, missing or awaiting a Level II determination; Physician Certification Statements on file
for some NEMT rides and missing for others. Everything goes through the ltc services as the plan's intake staff and
the providers' care managers would record it, so it is checked and audited like real entries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from random import Random

from calaim.accounts.models import Role, User
from calaim.careplans.models import OPEN_TASK_STATUSES, Task, TaskKind
from calaim.core.clock import plan_today
from calaim.demo.network import npi_for
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.ltc import nemt, services
from calaim.ltc.models import FacilityStay
from calaim.ltc.reference import facility_types_on, nemt_rules_on
from calaim.members.models import Member
from calaim.plans.models import Plan

FACILITIES = {
    "HPSJ": [
        ("Delta Skilled Nursing Center", "SNF/NF-B"),
        ("Valley Oaks Care Center", "NF-A"),
        ("Stockton Subacute", "Subacute-Adult"),
        ("Lodi ICF/DD Home", "ICF/DD-H"),
    ],
    "HPSM": [
        ("Bayside Skilled Nursing", "SNF/NF-B"),
        ("Peninsula Pediatric Subacute", "Subacute-Peds"),
        ("Coastside ICF/DD-N", "ICF/DD-N"),
    ],
}
NPIS = [npi_for(9_000 + n) for n in range(8)]  # well-formed NPIs (check digit over 80840)
STAYS_PER_PLAN = 8


def demo_ltc_create(*, seed: int = 2026, as_of: dt.date | None = None) -> Counter[str]:
    """Create the LTC demo data for every plan; returns counts by kind of record."""
    rng = Random(seed)
    today = min(as_of or plan_today(), plan_today())
    counts: Counter[str] = Counter()
    for plan in Plan.objects.order_by("code"):
        staff = User.objects.filter(role=Role.PLAN_INTAKE, organization__plan=plan, is_active=True).first()
        if staff is None or plan.code not in FACILITIES:
            continue
        _stays(plan, staff, rng, today, counts)
        _rides(plan, staff, rng, today, counts)
    return counts


def _stays(plan: Plan, staff: User, rng: Random, today: dt.date, counts: Counter[str]) -> None:
    members = list(
        Member.objects.filter(plan=plan, birth_date__lte=today - dt.timedelta(days=365 * 60))
        .exclude(pk__in=FacilityStay.objects.values("member_id"))
        .order_by("cin")[: STAYS_PER_PLAN * 3]
    )
    for n, member in enumerate(rng.sample(members, k=min(STAYS_PER_PLAN, len(members)))):
        name, kind = FACILITIES[plan.code][n % len(FACILITIES[plan.code])]
        admitted = today - dt.timedelta(days=rng.randint(3, 200))
        stay = services.stay_record(
            actor=staff,
            member=member,
            facility_name=name,
            facility_type=kind,
            admitted_on=admitted,
            facility_npi=NPIS[n % len(NPIS)],
        )
        counts["facility stays"] += 1
        _pasrr(staff, stay, n, counts)
        if n % 5 == 4:
            services.stay_discharge(
                actor=staff, stay=stay, discharged_on=min(today, admitted + dt.timedelta(days=rng.randint(1, 30)))
            )
            counts["discharges"] += 1


def _pasrr(staff: User, stay: FacilityStay, n: int, counts: Counter[str]) -> None:
    """By turns: on time and negative; late by a weekend; none yet; positive awaiting the Level II determination."""
    if stay.facility_type not in facility_types_on(stay.admitted_on).nursing_facility_codes():
        return
    case = n % 4
    if case == 2:
        counts["nursing-facility stays without a PASRR Level I"] += 1
        return
    level1_on = stay.admitted_on + dt.timedelta(days=2) if case == 1 else stay.admitted_on - dt.timedelta(days=1)
    level1_on = min(level1_on, plan_today())
    facts: dict[str, object] = {
        "level1_type": "pas",
        "level1_on": level1_on,
        "level1_by": "gach" if case != 1 else "nf",
        "level1_positive": case == 3,
    }
    if case == 3:
        facts.update(level2_needed=True, level2_type="smi", level2_evaluator="acentra")
    services.pasrr_record(actor=staff, stay=stay, **facts)
    counts[["PASRR on time", "PASRR late", "", "PASRR awaiting a Level II determination"][case]] += 1


def _rides(plan: Plan, staff: User, rng: Random, today: dt.date, counts: Counter[str]) -> None:
    """Open transportation tasks get a mode from their care manager; every other NEMT ride's member gets a PCS."""
    tasks = (
        Task.objects.filter(member__plan=plan, kind=TaskKind.TRANSPORTATION, status__in=OPEN_TASK_STATUSES)
        .filter(enrollment__status__in=ACTIVE_ENROLLMENT_STATUSES)
        .select_related("member", "member__plan")
        .order_by("due_date", "id")[:12]
    )
    modes = [code for code, _ in nemt_rules_on(today).nemt_modes()]
    forms = nemt_rules_on(today).forms_for(plan.code, today)
    for n, task in enumerate(tasks):
        worker = User.objects.filter(
            role=Role.PROVIDER_CARE_MANAGER, organization_id=task.organization_id, is_active=True
        ).first()
        if worker is None:
            continue
        mode = "nmt" if n % 4 == 3 else modes[n % len(modes)]
        nemt.ride_record(actor=worker, task=task, mode=mode)
        counts["rides (NMT)" if mode == "nmt" else "rides (NEMT)"] += 1
        if mode != "nmt" and n % 2 == 0 and forms:
            nemt.pcs_record(
                actor=staff,
                member=task.member,
                signer_type="physician",
                signer_name=rng.choice(["Dr. Ana Rivera", "Dr. Minh Tran", "Dr. Harpreet Gill"]),
                signer_npi=NPIS[n % len(NPIS)],
                mode=mode,
                valid_from=today - dt.timedelta(days=rng.randint(0, 60)),
                valid_through=today + dt.timedelta(days=rng.randint(30, 200)),
                form_version=forms[0],
            )
            counts["PCS on file"] += 1
        elif mode != "nmt":
            counts["NEMT rides without a PCS"] += 1
