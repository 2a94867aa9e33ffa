"""Schemathesis over the identification operations as the plan's data analyst, the one role they answer (the whole
document runs as the other roles in test_openapi_conformance.py, where they answer 404): with a completed run and a
load as path parameters half the time, every answer must be a documented status with a body matching its schema,
never a server error, whatever multipart body, form field or path is sent."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from calaim.accounts.models import ApiToken
from calaim.analytics.models import IdentificationRun
from calaim.workflows.identification_run import (
    identification_load_start,
    identification_load_task,
    identification_run_task,
)
from tests.analytics import identification_data as data
from tests.api.test_openapi_conformance import CHECKS, EXAMPLES, _wsgi_in_test_transaction

pytestmark = pytest.mark.django_db
# The identification fixtures (tests/analytics/identification_data.py), for this module's tests.
analysts, data_dirs, plan_files = data.analysts, data.data_dirs, data.plan_files


def _seed(api: Any, plan_files: Any, analyst: Any) -> dict[str, str]:
    caller = api("analyst")
    with plan_files.members.open("rb") as members, plan_files.claims.open("rb") as claims:
        response = caller.client.post(
            "/api/identification-runs", {"members": members, "claims": claims}, headers=caller.headers
        )
    run_id = response.json()["id"]
    identification_run_task.call(run_id)
    run = caller.get(f"/identification-runs/{run_id}").json()
    assert run["status"] == "completed", run
    load = identification_load_start(actor=analyst, run=IdentificationRun.objects.get(pk=run_id))
    identification_load_task.call(str(load.pk))
    return {"run_id": run_id, "load_id": str(load.pk), "kind": "candidates"}


@pytest.fixture
def identification_schema(request: Any, api: Any, plan_files: Any, analysts: Any) -> Any:
    known = _seed(api, plan_files, analysts["analyst"])
    _, raw = ApiToken.issue(user=analysts["analyst"], name="schemathesis")
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

    request.node._nodeid = request.node.nodeid  # schemathesis 4.32 under pytest 9, as in test_openapi_conformance
    return schema


# The filter goes on the lazy schema: one set on the fixture's schema is not applied to the parametrized cases.
schema = schemathesis.pytest.from_fixture("identification_schema").include(path_regex="^/api/identification-")


@schema.parametrize()
def test_every_identification_answer_is_documented_and_no_server_error(case: Any) -> None:
    case.call_and_validate()
