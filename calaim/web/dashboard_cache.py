"""The plan dashboard's figures, kept a while: at a plan's volume (50,000 referrals of a million members) they take
a few seconds to aggregate, so each process keeps them for DASHBOARD_CACHE_SECONDS per plan and filters, and the
page says when they were computed. They are the same for every plan staff member of the plan (the scope is the
plan), and one thread of a process computes them while the others wait for its answer."""

from __future__ import annotations

import datetime as dt
import threading

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.plans.models import Plan
from calaim.web.dashboard import (
    CapacityRow,
    DashboardFilters,
    Funnel,
    Timeliness,
    funnel,
    provider_capacity,
    timeliness,
)

DASHBOARD_CACHE_SECONDS = 300
_computing = threading.Lock()


def _aggregate(user: User, filters: DashboardFilters) -> tuple[Funnel, Timeliness, list[CapacityRow], dt.datetime]:
    """The three aggregates, read in one transaction; on PostgreSQL without JIT compilation, which for these
    queries costs seconds (compiling a plan that then runs in a fraction of that)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return funnel(user, filters), timeliness(user, filters), provider_capacity(user, filters), timezone.now()


def dashboard_figures(
    user: User, plan: Plan, filters: DashboardFilters
) -> tuple[Funnel, Timeliness, list[CapacityRow], dt.datetime]:
    """(funnel, timeliness, capacity, when computed) for the plan and filters, from this process's cache when it
    has them from the last DASHBOARD_CACHE_SECONDS. Figures read inside a caller's transaction (which may hold
    changes not yet committed, as in a test) are neither taken from the cache nor kept in it."""
    if connection.in_atomic_block:
        return _aggregate(user, filters)
    key = f"dashboard:{plan.pk}:{filters.start}:{filters.end}:{filters.county_id}:{filters.pof}"
    figures = cache.get(key)
    if figures is None:
        with _computing:  # one thread computes, the others of this process wait for its figures
            figures = cache.get(key)
            if figures is None:
                figures = _aggregate(user, filters)
                cache.set(key, figures, DASHBOARD_CACHE_SECONDS)
    return figures  # type: ignore[no-any-return]
