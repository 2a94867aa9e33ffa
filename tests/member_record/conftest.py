"""The member record's fixtures: the web tests' members at each stage, and staff with names (as people know them)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import enrolled, pending  # noqa: F401  (fixtures shared with tests/web)


@pytest.fixture
def named(network: Any) -> Any:
    """cm_a is Cara Mendes and sup_a is Sam Ortiz, as the record should name them."""
    for key, (first, last) in {"cm_a": ("Cara", "Mendes"), "sup_a": ("Sam", "Ortiz")}.items():
        user = network.users[key]
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return network
