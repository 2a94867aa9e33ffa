"""The authorization matrix for the PHI read log, in the style of tests/api/test_access_matrix.py: anonymous, wrong
role, other organization or plan, and allowed callers of every compliance page, export and endpoint. A refused
caller learns nothing about the member or the reads and changes no row of any table (the log included: a refusal is
no read); an allowed caller sees the read, and their reading of it is on record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session

from calaim.accounts.models import ApiToken
from calaim.core.models import PhiRead
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def every_table() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, but what any signed-in request moves on: its session's expiry, its token's last
    use."""
    tables = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session
    }
    for token in tables[ApiToken._meta.label]:
        token.pop("last_used_at")
    return tables


@dataclass(frozen=True)
class Row:
    name: str
    kind: str  # "web" or "api"
    path: str
    params: Callable[[Any], dict[str, str]]
    expected: dict[str | None, int]  # None: anonymous


def _none(member: Any) -> dict[str, str]:
    return {}


MATRIX = [
    Row("log", "web", "/compliance/phi-reads/", _none,
        {None: 302, "intake": 403, "um": 403, "member_services": 403, "cm_a": 403, "referrer": 403,
         "hpsm_intake": 403, "compliance": 200}),
    Row("log_member", "web", "/compliance/phi-reads/", lambda m: {"member": m.cin},
        {None: 302, "intake": 403, "cm_a": 403, "cm_b": 403, "referrer": 403, "hpsm_intake": 403,
         "hpsm_compliance": 400, "compliance": 200}),
    Row("export", "web", "/compliance/phi-reads.csv", _none,
        {None: 302, "intake": 403, "member_services": 403, "cm_a": 403, "referrer": 403, "hpsm_intake": 403,
         "compliance": 200}),
    Row("api_log", "api", "/phi-reads", _none,
        {None: 401, "intake": 403, "um": 403, "cm_a": 403, "referrer": 403, "hpsm_intake": 403, "compliance": 200}),
    Row("api_member", "api", "/phi-reads", lambda m: {"member_id": str(m.pk)},
        {None: 401, "intake": 403, "member_services": 403, "cm_a": 403, "cm_b": 404, "referrer": 404,
         "hpsm_intake": 404, "hpsm_compliance": 404, "compliance": 200}),
]  # fmt: skip
CASES = [(row, caller, status) for row in MATRIX for caller, status in row.expected.items()]


@pytest.mark.parametrize(("row", "caller", "status"), CASES, ids=[f"{r.name}-{c or 'anonymous'}" for r, c, _ in CASES])
def test_access(web, api, network, row, caller, status):
    member = EnrollmentFactory(provider=network.provider_a, enrolled=True).member
    assert web("intake").get(f"/members/{member.pk}/").status_code == 200  # the read on record
    client = web(caller) if row.kind == "web" else api(caller)  # signed in before the tables are compared
    before = every_table()
    if row.kind == "web":
        response = client.get(row.path, row.params(member))
        content = b"".join(response.streaming_content) if response.streaming else response.content
    else:
        response = client.get(row.path, **row.params(member))
        content = response.content
    assert response.status_code == status, content
    if status == 400:  # another plan's CIN answers as an unknown one would, the form showing what was typed
        assert b"No member of your plan has this CIN." in content
    elif status != 200:
        assert member.cin.encode() not in content
    if status != 200:
        assert member.last_name.encode() not in content
        assert b"web:member" not in content
        assert every_table() == before
        return
    assert member.cin.encode() in content and b"web:member" in content
    after = every_table()
    assert {label for label in after if after[label] != before[label]} == {PhiRead._meta.label}
    caller_reads = PhiRead.objects.filter(user=network.users[caller])
    assert {read.member_id for read in caller_reads} == {member.pk}
