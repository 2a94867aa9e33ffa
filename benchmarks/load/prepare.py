"""Inside the app (manage.py shell): who the load's clients act as, and on which members; printed as JSON.

Run by benchmarks/load/run.py after the demo data is loaded. Issues one bearer token per user the load acts as
(through the `api_token` command), gives the page readers a confirmed authenticator with a known key, and picks
the members each kind of client works on, disjoint so no two clients race for the same referral.
"""

from __future__ import annotations

import io
import json
import random
from typing import Any

from django.core.management import call_command
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import User
from calaim.ecm.models import Enrollment
from calaim.members.models import Member

PLANS = {
    "HPSJ": {
        "referrer": "stocktonfh.referrer",
        "intake": "hpsj.intake",
        "um": "hpsj.um",
        "member_services": "hpsj.memberservices",
        "compliance": "hpsj.compliance",
    },
    "HPSM": {
        "referrer": "peninsulacc.referrer",
        "intake": "hpsm.intake",
        "um": "hpsm.um",
        "member_services": "hpsm.memberservices",
        "compliance": "hpsm.compliance",
    },
}
# Community Supports: a hospital's transition-of-care nurse refers recuperative care for a San Joaquin member;
# the plan's UM approves; the recuperative care provider records the stay.
CS = {"plan": "HPSJ", "county": "San Joaquin", "toc": "stocktongen.toc", "provider": "recupcare.coordinator"}
PAGE_USERS = 10


def _token(username: str) -> str:
    out = io.StringIO()
    call_command("api_token", username, name="load run", stdout=out)
    return out.getvalue().split()[0]


def _referable(plan: str, county: str | None = None) -> list[dict[str, str]]:
    """Homeless adults with no referral, request, program or delegate: an A1 referral goes through to enrollment."""
    members = Member.objects.filter(
        plan__code=plan,
        experiencing_homelessness=True,
        delegated_to=None,
        dsnp=False,
        programs=None,
        referrals=None,
        authorizations=None,
        cs_requests=None,
        birth_date__year__lt=2000,
    )
    if county:
        members = members.filter(county__name=county)
    return [
        {"id": str(m.pk), "cin": m.cin, "birth_date": m.birth_date.isoformat(), "plan": plan}
        for m in members.order_by("cin")
    ]


def _providers() -> dict[str, dict[str, Any]]:
    providers: dict[str, dict[str, Any]] = {}
    for user in User.objects.filter(organization__kind="ecm_provider", is_active=True).order_by("username"):
        entry = providers.setdefault(str(user.organization_id), {"supervisor": None, "cms": [], "enrollments": []})
        if user.role == "provider_supervisor":
            entry["supervisor"] = user.username
        elif user.role == "provider_care_manager":
            entry["cms"].append(user.username)
    open_enrollments = Enrollment.objects.filter(status__in=["assigned", "enrolled"])
    for org_id, enrollment_id, member_id in open_enrollments.values_list("provider_id", "pk", "member_id"):
        if str(org_id) in providers:
            providers[str(org_id)]["enrollments"].append({"id": str(enrollment_id), "member_id": str(member_id)})
    return providers


def _page_users() -> list[dict[str, str]]:
    """Staff who read pages through a session: each gets a confirmed authenticator whose key the client knows."""
    users = User.objects.filter(
        Q(role__in=["member_services", "plan_intake", "plan_um"])
        | Q(role="provider_care_manager", username__contains=".cm2")
    ).order_by("username")[:PAGE_USERS]
    out = []
    for user in users:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="load run", confirmed=True)
        organization = user.organization
        plan = organization.plan.code if organization and organization.plan_id else ""
        out.append({"username": user.username, "key": device.key, "plan": plan, "org": str(user.organization_id)})
    return out


def prepare(seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    cs_members = _referable(CS["plan"], CS["county"])
    rng.shuffle(cs_members)
    cs_members = cs_members[: len(cs_members) // 2]
    taken = {m["id"] for m in cs_members}
    ecm = [m for plan in PLANS for m in _referable(plan) if m["id"] not in taken]
    rng.shuffle(ecm)
    providers = _providers()
    sample = list(Member.objects.order_by("?").values("id", "last_name", "cin", "plan__code")[:400])
    usernames = {u for roles in PLANS.values() for u in roles.values()} | {CS["toc"], CS["provider"]}
    for entry in providers.values():
        usernames |= {entry["supervisor"], *entry["cms"]}
    usernames.discard(None)
    return {
        "plans": PLANS,
        "cs": CS,
        "providers": providers,
        "ecm_candidates": ecm,
        "cs_candidates": cs_members,
        "members": [
            {"id": str(m["id"]), "last_name": m["last_name"], "cin": m["cin"], "plan": m["plan__code"]} for m in sample
        ],
        "tokens": {username: _token(username) for username in sorted(usernames)},
        "page_users": _page_users(),
    }


def main(out_path: str) -> None:
    with open(out_path, "w") as out:
        json.dump(prepare(), out)
