"""Loading every file of reference data (plans, closed loop, Community Supports) in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from calaim.community_supports.reference import cs_reference_load
from calaim.plans.reference import reference_load
from calaim.referrals.reference import closed_loop_load
from calaim.roster.fact_services import fact_reasons_load

# Loaders of the layers above this one (calaim.exchange's report configuration), which this layer may not import:
# each registers itself when its app is ready (`reference_loader_register`) and runs in the same transaction.
_LOADERS: list[Callable[[], dict[str, int]]] = []


def reference_loader_register(loader: Callable[[], dict[str, int]]) -> None:
    """Add a loader `reference_data_load` runs after its own (once, however often it is registered)."""
    if loader not in _LOADERS:
        _LOADERS.append(loader)


def reference_data_load(plans_directory: Path | None = None) -> dict[str, int]:
    """Load or refresh all reference data idempotently; a malformed file changes nothing."""
    with transaction.atomic():
        counts = reference_load(plans_directory)
        counts |= closed_loop_load()
        counts |= cs_reference_load()
        counts |= fact_reasons_load()
        for loader in _LOADERS:
            counts |= loader()
    return counts
