"""The identification fixtures (tests/analytics/identification_data.py) for every test in this folder."""

from tests.analytics.identification_data import analysts, data_dirs, plan_files  # noqa: F401
