"""Provider file loads run as background tasks (`manage.py calaim_worker`): the web app and the API record a load
(`exchange_load_create`) and enqueue `exchange_load_task` once that commits; the command runs the same service in
its own process.

A task may run more than once (a retry, a worker lost and its task rescued): `exchange_load_run` locks the load and
returns a finished one as it is, so a second run changes nothing. Progress is written on the load's row as the load
goes (`calaim.exchange.imports_progress`), where the pages read it.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial

from django.db import transaction
from django_tasks import task

from calaim.core.errors import DomainError
from calaim.exchange.models import ExchangeLoad, LoadStatus
from calaim.exchange.services import exchange_load_run

logger = logging.getLogger("calaim.exchange")


@task()
def exchange_load_task(load_id: str) -> str:
    """Read, check and apply an uploaded RTF or OTF; returns the load's status."""
    load = ExchangeLoad.objects.filter(pk=uuid.UUID(str(load_id))).first()
    if load is None:
        logger.info("Exchange load %s is gone; nothing to run", load_id)
        return "missing"
    try:
        load = exchange_load_run(load)
    except DomainError as refusal:  # already running in another worker: nothing to retry
        logger.info("Exchange load %s was not run: %s", load_id, refusal.message)
        return "refused"
    return str(load.status)


def _enqueue(load_id: str) -> None:
    result = exchange_load_task.enqueue(load_id)
    ExchangeLoad.objects.filter(pk=load_id).update(task_id=str(result.id)[:64])


def exchange_load_enqueue(load: ExchangeLoad) -> None:
    """Run the load in the background once the transaction that recorded it commits (a duplicate runs nothing)."""
    if load.status == LoadStatus.UPLOADED:
        transaction.on_commit(partial(_enqueue, str(load.pk)), robust=True)
