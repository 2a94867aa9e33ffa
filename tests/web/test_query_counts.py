"""Every main page, the UM queue, member search and the referral intake make a fixed number of queries: as many
for three rows as for one (no query per row, which at a plan's volume is a query per member), and no more than
the ceiling below, so a change that adds a query to a page fails here before it slows the plan's staff
(benchmarks/scale/run.py measures the pages at 1,000,000 members)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calaim.accounts.models import Role
from calaim.careplans.models import OutreachAttempt, Task, TaskKind
from calaim.core.clock import plan_today
from tests.conftest import referral_body
from tests.factories import (
    AuthorizationFactory,
    CsRequestFactory,
    EnrollmentFactory,
    MemberFactory,
    OrganizationFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The most queries each page may make, a couple above today's on SQLite (PostgreSQL adds one: the PHI read log's
# asynchronous commit). The session, the user, the second factor, the page's own reads, roster facts, the PHI read
# log, the inbox badge's unread count and the session's save are all in them.
PAGES: dict[str, tuple[str, str, int]] = {
    "intake worklist": ("intake", "/", 18),
    "UM worklist": ("um", "/", 13),
    "member services search": ("member_services", "/members/search/?q=Scaling", 14),
    "care manager worklist": ("cm_a", "/", 18),
    "supervisor worklist": ("sup_a", "/", 19),  # + the care managers' languages and caseloads (#15)
    "CS provider worklist": ("cs_coordinator", "/", 17),  # four queues, one bounded count each when full (#15)
    "referrer worklist": ("referrer", "/", 14),
    "compliance PHI read log": ("compliance", "/compliance/phi-reads/", 13),
    "plan dashboard": ("intake", "/dashboard/", 25),
}
API: dict[str, tuple[str, str, int]] = {
    "API member search": ("member_services", "/members?q=Scaling", 8),
    "API UM queue": ("um", "/authorizations?status=pending", 8),
}
RECORD_QUERIES = 42
INTAKE_QUERIES = 20


def _cases(network: Any, cs_provider: Any, how_many: int) -> None:
    """`how_many` members at each stage the worklists show, all named Scaling..."""
    cm, today = network.users["cm_a"], plan_today()
    for n in range(how_many):
        ReferralFactory(member=MemberFactory(last_name=f"Scaling{n}", experiencing_homelessness=True))
        AuthorizationFactory(referral__member=MemberFactory(last_name=f"Scalingauth{n}"))
        enrollment = EnrollmentFactory(enrolled=True, lead_care_manager=cm, member__last_name=f"Scalingcase{n}")
        for due in (today - dt.timedelta(days=2), today):
            Task.objects.create(
                member=enrollment.member, enrollment=enrollment, organization=enrollment.provider, owner=cm,
                kind=TaskKind.OUTREACH, due_date=due,
            )  # fmt: skip
        assigned = EnrollmentFactory(member__last_name=f"Scalingnew{n}")
        OutreachAttempt.objects.create(
            member=assigned.member, enrollment=assigned, organization=assigned.provider, attempted_on=today,
            method="phone", reached=False, minutes_spent=5, performed_by=cm,
        )  # fmt: skip
        EnrollmentFactory(member__last_name=f"Scalingfresh{n}")
        CsRequestFactory(authorized=True, provider=cs_provider, member__last_name=f"Scalingcs{n}")


@pytest.fixture
def staff(network: Any) -> Any:
    cs_provider = OrganizationFactory(name="Valley Recuperative Care", kind="cs_provider")
    network.users["cs_coordinator"] = UserFactory(
        username="cs_coord", role=Role.PROVIDER_CARE_MANAGER, organization=cs_provider
    )
    network.users["compliance"] = UserFactory(
        username="compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj
    )
    return cs_provider


def _queries(client: Any, path: str, **params: Any) -> tuple[int, int]:
    """A steady request's status and queries: after a first one, which fills the reference cache."""
    client.get(path, **params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **params)
    return response.status_code, len(queries)


def _api_queries(client: Any, path: str) -> tuple[int, int]:
    return _queries(client.client, f"/api{path}", headers=client.headers)


def test_each_page_makes_the_same_queries_for_one_row_or_three(web, network, staff):
    _cases(network, staff, 1)
    one = {name: _queries(web(user), path) for name, (user, path, _) in PAGES.items()}
    _cases(network, staff, 2)
    three = {name: _queries(web(user), path) for name, (user, path, _) in PAGES.items()}
    for name, (_, _, ceiling) in PAGES.items():
        assert one[name][0] == 200 and three[name][0] == 200, name
        assert three[name][1] == one[name][1], f"{name}: {one[name][1]} queries for one row, {three[name][1]} for three"
        assert three[name][1] <= ceiling, f"{name}: {three[name][1]} queries, at most {ceiling}"


def test_api_lists_make_the_same_queries_for_one_row_or_three(api, network, staff):
    _cases(network, staff, 1)
    one = {name: _api_queries(api(user), path) for name, (user, path, _) in API.items()}
    _cases(network, staff, 2)
    for name, (user, path, ceiling) in API.items():
        status, count = _api_queries(api(user), path)
        assert status == 200 and count == one[name][1] and count <= ceiling, (name, one[name], count)


def test_member_record_queries_do_not_grow_with_the_record(web, network, staff):
    _cases(network, staff, 1)
    enrollment = EnrollmentFactory(enrolled=True, lead_care_manager=network.users["cm_a"])
    member = enrollment.member
    path = f"/members/{member.pk}/"
    status, before = _queries(web("intake"), path)
    for day in range(3):
        Task.objects.create(
            member=member, enrollment=enrollment, organization=enrollment.provider, kind=TaskKind.OUTREACH,
            due_date=plan_today() + dt.timedelta(days=day),
        )  # fmt: skip
        CsRequestFactory(member=member, service_code="respite")
    status_after, after = _queries(web("intake"), path)
    assert status == status_after == 200
    assert after == before and after <= RECORD_QUERIES, (before, after)


def test_referral_intake_queries(api, network, django_assert_max_num_queries):
    member = MemberFactory(experiencing_homelessness=True)
    api("referrer").post("/referrals", referral_body(MemberFactory(experiencing_homelessness=True)))  # warm caches
    with django_assert_max_num_queries(INTAKE_QUERIES):
        response = api("referrer").post("/referrals", referral_body(member), headers={"Idempotency-Key": "scale-1"})
    assert response.status_code == 201
