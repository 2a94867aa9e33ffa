"""Schemathesis over the roster loads' operations as the plan's data analyst and its compliance officer, the roles
they answer (the whole document runs as the other roles in test_openapi_conformance.py, where they answer 403 and
404): with a previewed, a refused and a rejected load as path parameters half the time, every answer must be a
documented status with a body matching its schema, never a server error, whatever multipart body, form field, JSON
body or path is sent."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from calaim.accounts.models import ApiToken
from calaim.roster.models import LoadStatus
from tests.api.test_openapi_conformance import CHECKS, EXAMPLES, _wsgi_in_test_transaction
from tests.web import test_roster as roster_pages
from tests.web.test_roster import kept, make_load, previewed

pytestmark = pytest.mark.django_db
network = roster_pages.network  # the shared network with each plan's data analyst and HPSJ's compliance officer
data_dir = roster_pages.data_dir  # a data folder of the test's own
ROLES = {"analyst": "data", "compliance": "compliance"}


def _seed(network: Any) -> list[str]:
    """Loads in the states the operations act on: previewed (apply, cancel), refused (apply allowing mass
    termination), rejected with its rejects file."""
    rejects = kept("rejects.csv", b"row,column,value,message\n2,county,Atlantis,Unknown county.\n")
    return [
        str(previewed(network, stored_path=str(kept())).pk),
        str(make_load(network, LoadStatus.REFUSED, stored_path=str(kept()), counts={"termed": 9}).pk),
        str(make_load(network, LoadStatus.REJECTED, rejects_path=str(rejects), error_count=1).pk),
    ]


@pytest.fixture(params=list(ROLES.values()), ids=list(ROLES))
def roster_schema(request: Any, network: Any) -> Any:
    known = _seed(network)
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
        return st.sampled_from([*({**path_parameters, "load_id": load_id} for load_id in known), path_parameters])

    request.node._nodeid = request.node.nodeid  # schemathesis 4.32 under pytest 9, as in test_openapi_conformance
    return schema


# The filter goes on the lazy schema: one set on the fixture's schema is not applied to the parametrized cases.
schema = schemathesis.pytest.from_fixture("roster_schema").include(path_regex="^/api/roster-loads")


@schema.parametrize()
def test_every_roster_load_answer_is_documented_and_no_server_error(case: Any) -> None:
    case.call_and_validate()
