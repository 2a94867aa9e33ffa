"""Deploy tests: production settings in subprocesses, logs, and the server under concurrent writes."""

# web: a signed-in browser client, from the web suite's fixtures.
from tests.web.conftest import web  # noqa: F401
