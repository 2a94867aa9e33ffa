"""Reference data kept in each process for a minute: the catalog's names, the POFs, the referral sources and the
closed-loop table are read by every intake and on every page, change a few times a year, and cost a query each.

A cached read is dropped when its minute is up, and at once when any reference row (a `Dated` model: plans,
closed loop, Community Supports catalog, roster fact reasons) is saved or deleted in this process, which is how
`load_reference`, the admin and the tests write them. Another process's change is seen within the minute.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

from django.db.models.signals import post_delete, post_save

from calaim.plans.models import Dated

P = ParamSpec("P")
R = TypeVar("R")

TTL_SECONDS = 60.0
_lock = threading.Lock()
_generation = 0
_entries: dict[Hashable, tuple[float, int, Any]] = {}


def reference_cached(func: Callable[P, R]) -> Callable[P, R]:
    """Cache `func`'s answer per arguments (hashable) for TTL_SECONDS, or until reference data changes here.
    The answer is shared between requests and threads: callers must not change it."""

    @functools.wraps(func)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        key = (func.__module__, func.__qualname__, args, tuple(sorted(kwargs.items())))
        now = time.monotonic()
        found = _entries.get(key)
        if found is not None and found[0] > now and found[1] == _generation:
            return found[2]  # type: ignore[no-any-return]
        generation = _generation
        value = func(*args, **kwargs)
        with _lock:
            _entries[key] = (now + TTL_SECONDS, generation, value)
        return value

    return cached


def reference_cache_clear() -> None:
    """Forget every cached answer (reference data changed)."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def _changed(sender: type[Any], **kwargs: Any) -> None:
    if issubclass(sender, Dated):
        reference_cache_clear()


def reference_cache_connect() -> None:
    """Drop the cache whenever a reference row is saved or deleted (connected once by PlansConfig.ready)."""
    post_save.connect(_changed, weak=False, dispatch_uid="reference_cache:save")
    post_delete.connect(_changed, weak=False, dispatch_uid="reference_cache:delete")
