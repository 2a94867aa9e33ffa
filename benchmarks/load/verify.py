"""Inside the app (manage.py shell), after a load run: is every acknowledged write in the database, has every task
run, and has none applied its effect twice? Prints a JSON report for benchmarks/load/run.py."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calaim.authorizations.models import AuthorizationRequest
from calaim.careplans.models import CareTeamMember, OutreachAttempt, Task
from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.core.models import AuditEvent
from calaim.ecm.models import EligibilityDetermination, Enrollment
from calaim.notices.models import Notice, NoticeStatus
from calaim.referrals.models import Referral

EXISTS: dict[str, Any] = {
    "referral": Referral,
    "determination": EligibilityDetermination,
    "assignment": Enrollment,
    "outreach": OutreachAttempt,
    "care_team": CareTeamMember,
    "task": Task,
    "cs_request": CsRequest,
    "cs_delivery": CsDelivery,
}


def _decided(ids: list[str], records: list[dict[str, Any]]) -> set[str]:
    status = {str(pk): s for pk, s in AuthorizationRequest.objects.filter(pk__in=ids).values_list("pk", "status")}
    return {r["id"] for r in records if status.get(r["id"]) == r["status"]}


def _lead_care_manager(ids: list[str], records: list[dict[str, Any]]) -> set[str]:
    rows = Enrollment.objects.filter(pk__in=ids).values_list("pk", "lead_care_manager__username")
    managers = {str(pk): username for pk, username in rows}
    return {r["id"] for r in records if managers.get(r["id"]) == r["username"]}


def _enrolled(ids: list[str], records: list[dict[str, Any]]) -> set[str]:
    rows = Enrollment.objects.filter(pk__in=ids, enrolled_on__isnull=False).values_list("pk", flat=True)
    return {str(pk) for pk in rows}


def _cs_closed(ids: list[str], records: list[dict[str, Any]]) -> set[str]:
    status = {str(pk): s for pk, s in CsRequest.objects.filter(pk__in=ids).values_list("pk", "status")}
    return {r["id"] for r in records if status.get(r["id"]) == r["status"]}


STATE: dict[str, Callable[[list[str], list[dict[str, Any]]], set[str]]] = {
    "decision": _decided,
    "cs_close": _cs_closed,
    "lead_care_manager": _lead_care_manager,
    "enroll": _enrolled,
}


def writes_found(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per kind of write: how many were acknowledged, and how many the database shows."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], []).append(record)
    report = {}
    for kind, rows in sorted(by_kind.items()):
        ids = [r["id"] for r in rows]
        if kind in EXISTS:
            found = {str(pk) for pk in EXISTS[kind].objects.filter(pk__in=ids).values_list("pk", flat=True)}
        else:
            found = STATE[kind](ids, rows)
        report[kind] = {"acknowledged": len(ids), "found": sum(1 for i in ids if i in found)}
    return report


def tasks_report(since: dt.datetime) -> dict[str, Any]:
    """Tasks enqueued since the run began, by status; notices still unsent; effects recorded twice."""
    results = DBTaskResult.objects.filter(enqueued_at__gte=since)
    statuses = Counter(dict(results.values_list("status").annotate(n=Count("id")).values_list("status", "n")))
    by_path = Counter(dict(results.values_list("task_path").annotate(n=Count("id")).values_list("task_path", "n")))
    due = results.filter(status="READY", run_after__lte=timezone.now()).count()
    retried = sum(1 for ids in results.values_list("worker_ids", flat=True) if len(ids) > 1)
    # A background step (no actor) that ran twice would leave two identical audit events for one object.
    twice = (
        AuditEvent.objects.filter(at__gte=since, actor=None)
        .values("action", "object_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    notices = Notice.objects.filter(created_at__gte=since)
    return {
        "tasks_by_status": dict(statuses),
        "tasks_by_path": dict(by_path),
        "tasks_due_not_run": due,
        "tasks_run_by_more_than_one_worker": retried,
        "notices_created": notices.count(),
        "notices_sent": notices.filter(status=NoticeStatus.SENT).count(),
        "notices_unsent": notices.filter(status=NoticeStatus.PLANNED).count(),
        "notice_sends_audited": AuditEvent.objects.filter(
            action="notice.send", object_id__in=[str(pk) for pk in notices.values_list("pk", flat=True)]
        ).count(),
        "background_effects_applied_twice": [dict(row) for row in twice[:20]],
    }


def main(writes_path: str, since_iso: str) -> None:
    with open(writes_path) as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    since = dt.datetime.fromisoformat(since_iso)
    print(json.dumps({"writes": writes_found(records), "tasks": tasks_report(since)}))
