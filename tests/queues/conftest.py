"""The web fixtures (signed-in clients, enrolled members) for the queue tests."""

from tests.web.conftest import enrolled, pending  # noqa: F401
