"""Loading every file of reference data (plans, closed loop, Community Supports) in one transaction."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from calaim.community_supports.reference import cs_reference_load
from calaim.plans.reference import reference_load
from calaim.referrals.reference import closed_loop_load
from calaim.roster.fact_services import fact_reasons_load


def reference_data_load(plans_directory: Path | None = None) -> dict[str, int]:
    """Load or refresh all reference data idempotently; a malformed file changes nothing."""
    with transaction.atomic():
        counts = reference_load(plans_directory)
        counts |= closed_loop_load()
        counts |= cs_reference_load()
        counts |= fact_reasons_load()
    return counts
