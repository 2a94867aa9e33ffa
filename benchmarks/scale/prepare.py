"""Inside the app (manage.py shell, with the server's settings and secret key): who the scale run acts as, on which
members, and how many database queries each endpoint makes.

`prepare` signs each page reader in as django_otp records it (a session that passed the second factor), issues
bearer tokens to the API callers, and picks members: records to open, CINs to look up, and members with no
referral for the intake (one each, so every POST is a new referral, not a duplicate linked to an open one).
`count_queries` asks each endpoint once more through Django's test client and counts its queries
(CaptureQueriesContext), after one warming request, so the figure is a steady-state request's.
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import Role, User
from calaim.community_supports.models import CsRequest
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.members.models import Member

PLAN = "HPSJ"
PLAN_USERS = {"intake": "hpsj.intake", "um": "hpsj.um", "member_services": "hpsj.memberservices"}
PLAN_USERS |= {"compliance": "hpsj.compliance", "referrer": "stocktonfh.referrer"}
SAMPLE = 400
INTAKE_MEMBERS = 40_000
HOST = {"HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}


def _busiest_provider_staff() -> dict[str, str]:
    """The care manager leading the most open enrollments, their organization's supervisor, and the coordinator of
    the Community Supports provider with the most requests: the longest worklists of their roles."""
    lead = (
        Enrollment.objects.filter(status__in=ACTIVE_ENROLLMENT_STATUSES, lead_care_manager__isnull=False)
        .values("lead_care_manager__username", "provider_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert lead is not None, "no enrollment has a Lead Care Manager: seed the database first"
    supervisor = User.objects.get(organization_id=lead["provider_id"], role=Role.PROVIDER_SUPERVISOR)
    cs = CsRequest.objects.filter(provider__isnull=False).values("provider_id").annotate(n=Count("id")).order_by("-n")
    coordinator = User.objects.filter(organization_id=cs[0]["provider_id"]).order_by("username").first()
    assert coordinator is not None
    return {
        "care_manager": lead["lead_care_manager__username"],
        "supervisor": supervisor.username,
        "cs_coordinator": coordinator.username,
    }


def _session(user: User) -> str:
    client = Client()
    device = TOTPDevice.objects.filter(user=user, name="scale run").first() or TOTPDevice.objects.create(
        user=user, name="scale run", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return str(session.session_key)


def _token(username: str) -> str:
    out = io.StringIO()
    call_command("api_token", username, name="scale run", days=1, stdout=out)
    return out.getvalue().split()[0]


def prepare() -> dict[str, Any]:
    users = PLAN_USERS | _busiest_provider_staff()
    plan_members = Member.objects.filter(plan__code=PLAN)
    with_referrals = plan_members.filter(referrals__isnull=False).distinct().order_by("?")
    fresh = plan_members.filter(referrals=None, birth_date__year__lt=2004).order_by("?")
    return {
        "users": users,
        "cookie": settings.SESSION_COOKIE_NAME,
        "sessions": {role: _session(User.objects.get(username=name)) for role, name in users.items()},
        "tokens": {role: _token(users[role]) for role in ("member_services", "um", "referrer")},
        "members": [str(pk) for pk in with_referrals.values_list("pk", flat=True)[:SAMPLE]],
        "cins": list(plan_members.order_by("?").values_list("cin", flat=True)[:SAMPLE]),
        "intake": [[cin, born.isoformat()] for cin, born in fresh.values_list("cin", "birth_date")[:INTAKE_MEMBERS]],
    }


def main(out_path: str) -> None:
    with open(out_path, "w") as out:
        json.dump(prepare(), out)


def _client(config: dict[str, Any], endpoint: dict[str, Any]) -> tuple[Client, dict[str, str]]:
    client = Client(**HOST)
    headers = {}
    if endpoint.get("session"):
        client.cookies[config["cookie"]] = config["sessions"][endpoint["session"]]
    if endpoint.get("token"):
        headers["Authorization"] = f"Bearer {config['tokens'][endpoint['token']]}"
    return client, headers


def _ask(client: Client, headers: dict[str, str], endpoint: dict[str, Any], index: int) -> int:
    if endpoint["method"] == "POST":
        body = endpoint["bodies"][index]
        response = client.post(endpoint["path"], body, content_type="application/json", headers=headers)
    else:
        response = client.get(endpoint["paths"][index % len(endpoint["paths"])], headers=headers)
    return int(response.status_code)


def count_queries(config_path: str, endpoints_path: str) -> None:
    """Print {endpoint: queries of one request} as JSON, after a warming request of each."""
    with open(config_path) as f:
        config = json.load(f)
    with open(endpoints_path) as f:
        endpoints = json.load(f)
    counts: dict[str, Any] = {}
    for endpoint in endpoints:
        client, headers = _client(config, endpoint)
        _ask(client, headers, endpoint, 0)
        with CaptureQueriesContext(connection) as queries:
            status = _ask(client, headers, endpoint, 1)
        counts[endpoint["name"]] = {"queries": len(queries), "status": status}
    print(json.dumps(counts))
