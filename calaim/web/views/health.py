"""`/healthz`: is the database answering, and is a worker taking tasks? For a load balancer or a monitor: no sign-in,
and no member data, only counts and ages."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from calaim.jobs.selectors import database_check, worker_status

logger = logging.getLogger("calaim.health")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and a worker ran the heartbeat job recently enough; 503 otherwise."""
    max_silence = dt.timedelta(seconds=settings.CALAIM_WORKER["HEALTH_MAX_SILENCE_SECONDS"])
    try:
        database_check()
        worker = worker_status(max_silence=max_silence)
    except DatabaseError as error:
        logger.warning("Health check: the database is unavailable (%s)", type(error).__name__)
        body = {"status": "unavailable", "database": {"ok": False}, "worker": None}
        return JsonResponse(body, status=503)
    body = {"status": "ok" if worker.ok else "unavailable", "database": {"ok": True}, "worker": worker.as_json()}
    return JsonResponse(body, status=200 if worker.ok else 503)
