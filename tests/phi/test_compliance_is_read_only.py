"""Plan compliance staff are plan staff (they open their plan's members' records, which is then logged), yet they
change nothing in the domain: every policy refuses them by role or scope, every API write answers 403 or 404 and
changes no table, and no staff page's form changes a domain row when they post it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from calaim.careplans.care_plan_services import care_plan_create, goal_add, intervention_add
from calaim.careplans.services import care_team_add, task_create
from calaim.core.clock import plan_today
from calaim.core.errors import Forbidden, NotFound
from calaim.core.models import PhiRead
from calaim.plans.models import ReferralSourceType
from calaim.referrals.models import ReferralStatus
from calaim.referrals.policies import can_refer_as
from calaim.web.templatetags.policy_tags import POLICIES
from tests.api.test_access_matrix import MATRIX as API_MATRIX
from tests.factories import AuthorizationFactory, CsRequestFactory, EnrollmentFactory, MemberFactory, ReferralFactory
from tests.phi.test_compliance_matrix import every_table
from tests.roster.test_facts import roster_facts_of

pytestmark = pytest.mark.django_db
SOON = plan_today() + dt.timedelta(days=30)


def _world(network: Any) -> dict[str, Any]:
    """One object of each kind a staff action works on, each in a state where the right role could act."""
    cm_a = network.users["cm_a"]
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True, lead_care_manager=cm_a)
    assigned = EnrollmentFactory(provider=network.provider_a)
    care_plan = care_plan_create(actor=cm_a, enrollment=enrollment, next_review_on=SOON)
    goal = goal_add(actor=cm_a, care_plan=care_plan, description="Stable housing", domain="housing", target_date=SOON)
    authorized = ReferralFactory(status=ReferralStatus.AUTHORIZED)
    AuthorizationFactory(referral=authorized, member=authorized.member, approved=True)
    cs_request = CsRequestFactory(authorized=True, provider=network.provider_a)
    return {
        "member": enrollment.member,
        "delegated_member": MemberFactory(delegated_to=network.kaiser),
        "referral": ReferralFactory(),
        "authorized_referral": authorized,
        "authorization": AuthorizationFactory(),
        "approved_authorization": enrollment.authorization,
        "enrollment": enrollment,
        "assigned_enrollment": assigned,
        "care_plan": care_plan,
        "goal": goal,
        "intervention": intervention_add(
            actor=cm_a, goal=goal, description="Apply for housing", responsible_name="Pat", due_date=SOON
        ),
        "task": task_create(actor=cm_a, enrollment=enrollment, kind="appointment", due_date=SOON),
        "person": care_team_add(actor=cm_a, member=enrollment.member, role="pcp", name="Dr. Lee"),
        "cs_request": cs_request,
        **roster_facts_of(enrollment),
    }


# Each policy the staff pages and services share, with the object it is asked about.
POLICY_OBJECTS = {
    "determine_eligibility": "referral",
    "assign_provider": "authorized_referral",
    "review_duplicate": "referral",
    "decide": "authorization",
    "extend": "authorization",
    "reauthorize": "approved_authorization",
    "enroll": "assigned_enrollment",
    "change_provider": "enrollment",
    "end_ecm": "enrollment",
    "assign_lead_care_manager": "enrollment",
    "record_outreach": "enrollment",
    "add_task": "enrollment",
    "work_task": "task",
    "change_care_team": "member",
    "edit_care_plan": "care_plan",
    "record_delivery": "cs_request",
    "close_cs_request": "cs_request",
    "reassign_from_delegate": "delegated_member",
    "resolve_roster_fact": "roster_fact",
}


def test_every_policy_is_named_here():
    assert set(POLICIES) == set(POLICY_OBJECTS)


@pytest.mark.parametrize("policy", sorted(POLICY_OBJECTS))
def test_every_policy_refuses_compliance_by_role_or_scope(network, policy):
    world = _world(network)
    verdict = POLICIES[policy](network.users["compliance"], world[POLICY_OBJECTS[policy]])
    # A role or scope refusal, never a state one (409) that a state change could lift.
    assert isinstance(verdict.error, Forbidden | NotFound), (policy, verdict)


def test_compliance_may_refer_as_no_source(network):
    codes = set(ReferralSourceType.objects.values_list("code", flat=True))
    assert codes
    assert not any(can_refer_as(network.users["compliance"], code) for code in codes)


WRITES = [row for row in API_MATRIX if row.method != "get"]


@pytest.mark.parametrize("row", WRITES, ids=[row.name for row in WRITES])
def test_every_api_write_refuses_compliance_and_changes_nothing(api, network, row):
    state = row.setup(network)
    url = row.path.format(**{k: v.pk for k, v in state.items()})
    client = api("compliance")
    before = every_table()
    response = client.post(url, row.body)
    assert response.status_code in (403, 404), response.content
    assert every_table() == before  # not even a read on record


def _staff_action_routes() -> list[tuple[str, list[str]]]:
    """Every staff route taking an object's id, with its parameters."""
    routes: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "web" and pattern.pattern.converters:
                routes.append((str(pattern.pattern), list(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return routes


PARAMETERS = {
    "member_id": "member",
    "referral_id": "referral",
    "authorization_id": "authorization",
    "enrollment_id": "enrollment",
    "care_plan_id": "care_plan",
    "goal_id": "goal",
    "intervention_id": "intervention",
    "task_id": "task",
    "person_id": "person",
    "request_id": "cs_request",
    "fact_id": "roster_fact",
    "load_id": "roster_load",
    # Identification runs: only the plan's data analysts find any, so any id is a 404 to the roles posting here.
    "run_id": "member",
    # Provider files' exports and contact updates: any id is a 404 to compliance (and to intake) here.
    "export_id": "member",
    "update_id": "member",
    # Appeals and grievances: none exists here, so any id is a 404 to compliance (and to intake).
    "appeal_id": "member",
    "grievance_id": "member",
    # The mailroom and a member's letters: any id is a 404 here (tests/web/test_mailroom*.py post real ones).
    "batch_id": "member",
    "notice_id": "member",
    "flag_id": "member",
    "section": None,
    # Letter templates: an unknown template, version and language are a 404 (compliance's own translation review is
    # tested in tests/notices/test_translation*.py).
    "key": None,
    "version": None,
    "language": None,
    # Notifications: only their own user's, so any id is a 404 here.
    "notification_id": "member",
    # Queue exports and care managers' languages: an unknown queue or user is a 404.
    "name": None,
    "username": None,
    # Documents: a member's id is no record's or document's, so any of these is a 404 here (tests/documents post real
    # ones); an unknown record kind is a 404 too.
    "kind": None,
    "record_id": "member",
    "document_id": "member",
    # Long-term care: only plan intake, UM and member services change stays and certifications (tests/ltc).
    "stay_id": "member",
    "pcs_id": "member",
}


def _post_every_action(client: Any, world: dict[str, Any]) -> None:
    routes = _staff_action_routes()
    assert len(routes) > 20
    for route, parameters in routes:
        path = route
        for name in parameters:
            value = "identity" if PARAMETERS[name] is None else world[PARAMETERS[name]].pk
            path = re.sub(rf"<\w+:{name}>", str(value), path)
        response = client.post(f"/{path}", {"reason": "r", "outcome": "approve", "note": "n"})
        # Record pages answer a POST like a GET (200); actions refuse, show their form's errors or redirect.
        assert response.status_code in (200, 302, 400, 403, 404, 405), (path, response.status_code)


def test_no_staff_page_form_changes_the_domain_when_compliance_posts_it(web, network):
    world = _world(network)
    client = web("compliance")
    before = every_table()
    _post_every_action(client, world)
    after = every_table()
    assert {label for label in after if after[label] != before[label]} <= {PhiRead._meta.label}


def test_the_same_posts_by_intake_do_change_the_domain(web, network):
    """The posts above are real enough to act: plan intake's change referrals, authorizations and the care team."""
    world = _world(network)
    client = web("intake")
    before = every_table()
    _post_every_action(client, world)
    after = every_table()
    changed = {label for label in after if after[label] != before[label]}
    assert {"referrals.Referral", "careplans.CareTeamMember", "core.AuditEvent"} <= changed
