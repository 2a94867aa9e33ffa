"""The demo's members enter as a plan's do: through roster files loaded by the real roster load.

Each plan's first roster is dated a year before the demo's day (the month the plan moved to calaim), so the past
year's referrals find the members and the programs they were in. After the lifecycle has made referrals,
enrollments and Community Supports requests, this month's roster arrives with what a month changes: a few members
left the plan, some moved or changed phone, some entered hospice or were delegated, a few joined. Members with
open ECM or Community Supports work among them raise roster facts on the providers' and the plan's worklists.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from random import Random
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings

from calaim.accounts.models import User
from calaim.core.errors import ValidationFailed
from calaim.demo.member_facts import MemberDraft
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.plans.models import Plan
from calaim.roster.models import LoadSource, LoadStatus, RosterLoad
from calaim.roster.services import roster_load_apply, roster_load_create

COLUMNS = (
    "member_id", "first_name", "last_name", "birth_date", "sex", "race_ethnicity", "language", "county",
    "plan_code", "enrollment_start", "enrollment_end", "delegated_to", "dsnp", "other_programs", "homeless_flag",
    "release_date", "ccs_enrolled", "foster_care", "phone", "address_line", "city", "zip_code", "pcp_npi",
    "pcp_name", "bh_provider_npi", "bh_provider_name",
)  # fmt: skip
# The demo's first roster: a year before its day.
FIRST_ROSTER_MONTHS = 12


def first_roster_day(as_of: dt.date) -> dt.date:
    return as_of - relativedelta(months=FIRST_ROSTER_MONTHS)


def _day(value: dt.date | None, us_format: bool) -> str:
    if value is None:
        return ""
    return value.strftime("%m/%d/%Y") if us_format else value.isoformat()


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def _org_npi(org: Organization | None) -> str:
    return org.npi if org is not None else ""


def draft_row(draft: MemberDraft, on: dt.date) -> dict[str, Any]:
    """A roster row of a drawn member as the plan's extract shows it on `on` (its programs open that day). The
    release date is the member's latest, even when after `on`: the demo's A4 and C6 members need it from the start."""
    f = draft.fields
    programs = [code for code, start, end in draft.programs if start <= on and (end is None or end >= on)]
    delegate = f.get("delegated_to")
    return {
        "member_id": f["cin"], "first_name": f["first_name"], "last_name": f["last_name"],
        "birth_date": f["birth_date"], "sex": f["sex"], "race_ethnicity": f["race_ethnicity"],
        "language": f["language"], "county": draft.county, "plan_code": draft.plan,
        "enrollment_start": draft.enrollment[0], "enrollment_end": draft.enrollment[1],
        "delegated_to": delegate.code if delegate is not None else "", "dsnp": f["dsnp"],
        "other_programs": programs, "homeless_flag": f["experiencing_homelessness"],
        "release_date": f["release_date"],
        "ccs_enrolled": f["ccs_enrolled"], "foster_care": f["foster_care"], "phone": f["phone"],
        "address_line": f["address_line"], "city": f["city"], "zip_code": f["zip_code"],
        "pcp_npi": _org_npi(f.get("pcp_organization")), "pcp_name": f.get("pcp_name", ""),
        "bh_provider_npi": _org_npi(f.get("behavioral_health_organization")),
        "bh_provider_name": f.get("behavioral_health_provider_name", ""),
    }  # fmt: skip


def member_row(member: Member, on: dt.date) -> dict[str, Any]:
    """A roster row of a member calaim holds, as this month's extract repeats it."""
    spans = [s for s in member.enrollment_spans.all() if s.plan_id == member.plan_id]
    span = max(spans, key=lambda s: s.start_date)
    programs = [p.program_code for p in member.programs.all() if p.covers(on)]
    return {
        "member_id": member.cin, "first_name": member.first_name, "last_name": member.last_name,
        "birth_date": member.birth_date, "sex": member.sex, "race_ethnicity": member.race_ethnicity,
        "language": member.language, "county": member.county.name, "plan_code": member.plan.code,
        "enrollment_start": span.start_date, "enrollment_end": span.end_date,
        "delegated_to": member.delegated_to.code if member.delegated_to else "", "dsnp": member.dsnp,
        "other_programs": programs, "homeless_flag": member.experiencing_homelessness,
        "release_date": member.release_date, "ccs_enrolled": member.ccs_enrolled,
        "foster_care": member.foster_care, "phone": member.phone, "address_line": member.address_line,
        "city": member.city, "zip_code": member.zip_code, "pcp_npi": _org_npi(member.pcp_organization),
        "pcp_name": member.pcp_name, "bh_provider_npi": _org_npi(member.behavioral_health_organization),
        "bh_provider_name": member.behavioral_health_provider_name,
    }  # fmt: skip


def roster_write(rows: Iterable[dict[str, Any]], path: Path, *, us_dates: bool) -> Path:
    """The roster as the plan's warehouse exports it: CSV, one header row, flags Y/N, `;`-lists."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            out = dict(row)
            for name in ("birth_date", "enrollment_start", "enrollment_end", "release_date"):
                out[name] = _day(row[name], us_dates)
            for name in ("dsnp", "homeless_flag", "ccs_enrolled"):
                out[name] = _flag(row[name])
            out["other_programs"] = ";".join(row["other_programs"])
            writer.writerow(out)
    os.replace(partial, path)
    return path


def roster_file_load(*, plan: Plan, rows: list[dict[str, Any]], as_of: dt.date, us_dates: bool) -> RosterLoad:
    """Write one plan's roster and load it through the roster load, as the plan's data analyst."""
    analyst = User.objects.get(username=f"{plan.code.lower()}.data")
    path = Path(settings.CALAIM_DATA_DIR) / "demo" / f"roster-{plan.code}-{as_of.isoformat()}.csv"
    roster_write(rows, path, us_dates=us_dates)
    load = roster_load_create(
        actor=analyst, plan=plan, path=path, file_name=path.name, as_of=as_of, source=LoadSource.COMMAND
    )
    load = roster_load_apply(load_id=load.pk, actor=analyst)
    if load.status != LoadStatus.APPLIED:
        raise ValidationFailed(f"The demo roster {path.name} was not applied: {load.status}. {load.message}")
    return load


def demo_rosters_first(drafts: list[MemberDraft], as_of: dt.date) -> dict[str, int]:
    """Each plan's first roster, a year before `as_of`, holding every drawn member."""
    on = first_roster_day(as_of)
    counts: dict[str, int] = {"roster_loads": 0}
    for plan in Plan.objects.filter(code__in={d.plan for d in drafts}).order_by("code"):
        rows = [draft_row(d, on) for d in drafts if d.plan == plan.code]
        load = roster_file_load(plan=plan, rows=rows, as_of=on, us_dates=False)
        counts["roster_loads"] += 1
        for key in ("created", "updated", "termed"):
            counts[f"roster_{key}"] = counts.get(f"roster_{key}", 0) + int(load.counts.get(key, 0))
    return counts


def _enrolled_cins(plan: Plan) -> list[str]:
    """Members of the plan with an ECM enrollment in progress, in CIN order."""
    rows = Enrollment.objects.filter(member__plan=plan, status__in=ACTIVE_ENROLLMENT_STATUSES)
    return sorted(set(rows.values_list("member__cin", flat=True)))


def _month_changes(rng: Random, plan: Plan, rows: dict[str, dict[str, Any]], new: list[dict[str, Any]]) -> None:
    """What a month changes in `rows` (by CIN): a few leave, enter hospice or are delegated (among them members in
    ECM, so their providers see it), about 1% change phone or address, and the `new` members join."""
    enrolled = [cin for cin in _enrolled_cins(plan) if cin in rows]
    rng.shuffle(enrolled)
    kaiser = Organization.objects.filter(code="KAISER").first()
    for cin in enrolled[:2]:
        del rows[cin]  # left the plan: termed by absence
    for cin in enrolled[2:4]:
        rows[cin]["other_programs"] = sorted({*rows[cin]["other_programs"], "HOSPICE"})
    if kaiser is not None:
        for cin in enrolled[4:5]:
            rows[cin]["delegated_to"] = kaiser.code
    others = sorted(set(rows) - set(enrolled))
    for cin in rng.sample(others, max(1, len(others) // 200)):
        del rows[cin]
    for cin in rng.sample(sorted(rows), max(1, len(rows) // 100)):
        row = rows[cin]
        row["phone"] = f"{row['phone'][:-4]}{rng.randrange(10_000):04d}" if row["phone"] else ""
        row["address_line"] = f"{rng.randint(100, 9999)} {row['address_line'].split(' ', 1)[-1]}".strip()
    for row in new:
        rows[row["member_id"]] = row


def demo_roster_month_create(*, seed: int, as_of: dt.date, new_members: list[MemberDraft]) -> dict[str, int]:
    """This month's roster for each plan, loaded once: the members calaim holds with a month's changes."""
    if RosterLoad.objects.filter(as_of=as_of, status=LoadStatus.APPLIED).exists():
        return {}
    rng = Random(seed + 1)
    reached: dict[str, int] = {}
    for plan in Plan.objects.filter(code__in=["HPSJ", "HPSM"]).order_by("code"):
        members = (
            Member.objects.filter(plan=plan)
            .select_related("plan", "county", "delegated_to", "pcp_organization", "behavioral_health_organization")
            .prefetch_related("enrollment_spans", "programs")
            .order_by("cin")
        )
        rows = {m.cin: member_row(m, as_of) for m in members}
        joining = [draft_row(d, as_of) for d in new_members if d.plan == plan.code]
        _month_changes(rng, plan, rows, joining)
        load = roster_file_load(plan=plan, rows=list(rows.values()), as_of=as_of, us_dates=True)
        for key, value in load.counts.items():
            if isinstance(value, int) and key in {"created", "updated", "termed", "excluded", "delegated"}:
                reached[key] = reached.get(key, 0) + value
        reached["facts"] = reached.get("facts", 0) + load.facts.count()
    return reached
