"""Tasks for the tests only: each drives real services, and stops or fails where a test needs it to."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.db import transaction
from django_tasks import TaskContext, task

from calaim.workflows.authorization_clock import authorization_deem_denied


def _hang(marker: str) -> None:
    Path(marker).write_text("hanging")
    time.sleep(120)  # the test kills the worker here


@task(takes_context=True)
def deem_denied_then_hang(context: TaskContext, authorization_id: str, marker: str, hang: str) -> bool:
    """The clock's denial of one request; on its first attempt it hangs with the denial still inside its open
    transaction (`hang="inside"`) or just committed (`hang="after"`)."""
    first = context.attempt == 1
    with transaction.atomic():
        denied = authorization_deem_denied(authorization_id=uuid.UUID(authorization_id))
        if first and hang == "inside":
            _hang(marker)
    if first and hang == "after":
        _hang(marker)
    return denied is not None


@task(takes_context=True)
def fail_until(context: TaskContext, succeed_on: int) -> int:
    """Raises on every attempt before `succeed_on`."""
    if context.attempt < succeed_on:
        raise RuntimeError(f"attempt {context.attempt} fails on purpose")
    return context.attempt
