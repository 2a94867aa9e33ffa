"""Schemathesis over the whole OpenAPI document (/api/openapi.json), as plan staff, provider staff and a referrer,
each with their own bearer token: every operation is called with the document's examples, its boundary values
(the coverage phase: empty and over-long text, huge numbers, wrong types, unexpected methods) and fuzzed input,
valid and invalid. Every answer must be a documented status with a body matching its schema, never a server error.

Path parameters are drawn half from real objects (a member enrolled with provider A, with a care plan, goal,
intervention, task, care team and an authorized Community Supports request) so the calls reach the services, and
half generated. The run is derandomized (a fixed seed) and bounded: CALAIM_SCHEMATHESIS_EXAMPLES fuzzed examples per
operation and mode (default 6). Run it alone with `pytest tests/api/test_openapi_conformance.py -s` to see how many
requests each role made and how long they took.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import strategies as st

from calaim.accounts.models import ApiToken
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from tests.community_supports.test_cs_flow import cs_provider, form, service  # noqa: F401 - fixture
from tests.conftest import referral_body

pytestmark = pytest.mark.django_db
TODAY = plan_today().isoformat()
LATER = (plan_today() + dt.timedelta(days=60)).isoformat()
ROLES = {"plan staff": "intake", "provider staff": "cm_a", "referrer": "referrer"}
EXAMPLES = int(os.environ.get("CALAIM_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = {
    "not_a_server_error": True,
    "status_code_conformance": True,
    "content_type_conformance": True,
    "response_schema_conformance": True,
    "response_headers_conformance": True,
    "negative_data_rejection": True,
    "unsupported_method": True,
    # Business rules refuse much schema-valid input (an unknown member, a step out of order): not a defect.
    "positive_data_acceptance": False,
    # Stateful checks need links between operations the document does not declare.
    "use_after_free": False,
    "ensure_resource_availability": False,
}
CALLS: Counter[str] = Counter()
PHASES: Counter[str] = Counter()


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.content
    return response.json()


def _seed(api: Any, network: Any, member: Any) -> dict[str, str]:
    """Real objects of every kind a path names, so generated calls reach the services behind them."""
    rid = _ok(api("referrer").post("/referrals", referral_body(member)))["id"]
    _ok(api("intake").post(f"/referrals/{rid}/eligibility-determination"))
    auth = AuthorizationRequest.objects.get(referral_id=rid)
    _ok(api("um").post(f"/authorizations/{auth.pk}/decision", {"outcome": "approve"}))
    eid = _ok(api("intake").post(f"/referrals/{rid}/assignment", {"provider_id": str(network.provider_a.pk)}))["id"]
    _ok(api("sup_a").post(f"/enrollments/{eid}/lead-care-manager", {"care_manager": "cm_a"}))
    _ok(api("cm_a").post(f"/enrollments/{eid}/enroll", {"enrolled_on": TODAY}))
    plan = _ok(api("cm_a").post(f"/enrollments/{eid}/care-plan", {"next_review_on": LATER}))
    goal = _ok(
        api("cm_a").post(
            f"/care-plans/{plan['id']}/goals", {"description": "Stay housed", "domain": "housing", "target_date": LATER}
        )
    )
    step = {"description": "Call the landlord", "responsible_name": "Ana", "frequency": "weekly"}
    intervention = _ok(api("cm_a").post(f"/goals/{goal['id']}/interventions", step))
    task = _ok(api("cm_a").post(f"/enrollments/{eid}/tasks", {"kind": "appointment", "due_date": LATER}))
    person = _ok(api("cm_a").post(f"/members/{member.pk}/care-team", {"role": "pcp", "name": "Dr. Lee"}))
    body = form(member, service("recuperative_care", at_discharge=True), source="hospital_concurrent_review")
    cs = _ok(api("intake").post("/community-supports/requests", body))[0]
    return {
        "referral_id": rid,
        "member_id": str(member.pk),
        "enrollment_id": eid,
        "authorization_id": str(auth.pk),
        "care_plan_id": plan["id"],
        "goal_id": goal["id"],
        "intervention_id": intervention["id"],
        "task_id": task["id"],
        "person_id": person["id"],
        "request_id": cs["id"],
    }


def _wsgi_in_test_transaction(request: Any) -> Any:
    """Django's WSGI handler inside this test's database transaction, as the test client runs it: the handler's
    request signals would otherwise close the connection the transaction lives on. (The test client connects them
    again after each request, so this comes after the last one.)"""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
        request.addfinalizer(lambda signal=signal: signal.connect(close_old_connections))
    return get_wsgi_application()


@pytest.fixture(params=list(ROLES.values()), ids=list(ROLES))
def api_schema(request: Any, api: Any, network: Any, member: Any, cs_provider: Any) -> Any:  # noqa: F811
    known = _seed(api, network, member)
    _, raw = ApiToken.issue(user=network.users[request.param], name="schemathesis")
    config = schemathesis.Config.from_dict(
        {
            "seed": 11,
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "checks": {name: {"enabled": on} for name, on in CHECKS.items()},
            "headers": {"Authorization": f"Bearer {raw}"},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _wsgi_in_test_transaction(request), config=config)

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        if not path_parameters:
            return st.just(path_parameters)
        return st.sampled_from([{k: known.get(k, v) for k, v in path_parameters.items()}, path_parameters])

    # schemathesis 4.32 renames the test node per operation through an attribute pytest 9 no longer has.
    request.node._nodeid = request.node.nodeid
    CALLS.clear()
    PHASES.clear()
    started = time.monotonic()
    yield schema
    print(
        f"\n{request.param}: {len(CALLS)} operations, {sum(CALLS.values())} requests "
        f"in {time.monotonic() - started:.0f} s ({', '.join(f'{n} {p}' for p, n in PHASES.most_common())})"
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_answer_is_documented_and_no_server_error(case: Any) -> None:
    CALLS[case.operation.label] += 1
    PHASES[case.meta.phase.name.value if case.meta else "explicit"] += 1
    case.call_and_validate()
