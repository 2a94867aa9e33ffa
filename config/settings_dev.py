"""Development settings (the demo, the tests, a developer's machine): production's, with CALAIM_MODE=development."""

import os

os.environ.setdefault("CALAIM_MODE", "development")

from config.settings import *  # noqa: F403  (the same settings, read in development mode)
