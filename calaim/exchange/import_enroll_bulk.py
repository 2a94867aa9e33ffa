"""Enrollments reported in an RTF, set-based: for every assigned member the file reports enrolled, the steps of
`calaim.workflows.ecm_enrollment.ecm_enroll` (and `import_enrollment.enroll_reported`, its one-row form), written in
bulk so a month's file of thousands of enrollments stays within the load's time.

Per enrollment, as the workflow writes them: the enrollment enrolled from the reported day; the welcome call opened
for the Lead Care Manager; the open outreach tasks completed; the referral moved to `enrolled` with its closed-loop
step and the mapping of the transition table in force; the referrer's notice and the member's letter the table
says are owed. Each record gets the audit event its service writes. The notices are recorded in the outbox as
`notice_queue` records them; the mailroom's periodic sweep sends them (one task per notice would be thousands of
tasks queued at the commit).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from calaim.careplans.models import OPEN_TASK_STATUSES, Task, TaskKind, TaskStatus
from calaim.careplans.services import TASK_FIELDS
from calaim.core.audit import snapshot
from calaim.core.clock import add_business_days, plan_today
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.ecm.services import ENROLLMENT_FIELDS
from calaim.exchange.bulk_sql import rows_insert, rows_update
from calaim.exchange.import_common import AuditRows, chunks
from calaim.network.models import Program
from calaim.notices.models import Notice, NoticeKind, NoticeRecipient
from calaim.notices.services import NOTICE_FIELDS
from calaim.plans.selectors import program_settings_for
from calaim.referrals.closed_loop import LOOP_FIELDS, referrer_notice_content, transition_for
from calaim.referrals.models import LoopEvent, Referral, ReferralStatus
from calaim.workflows.ecm_enrollment import provider_letter

WELCOME_CALL = "Welcome call: introduce the Lead Care Manager and ECM."


def enrollments_reported(*, reported: dict[uuid.UUID, dt.date], audit: AuditRows, source: str) -> list[Enrollment]:
    """Enroll each still-assigned enrollment of `reported` (id -> enrollment day); returns those enrolled, with their
    referrals as the step left them. Inside the caller's transaction; the enrollments' rows are locked first."""
    enrollments = _locked(reported)
    if not enrollments:
        return []
    now, today = timezone.now(), plan_today()
    for enrollment in enrollments:
        before = snapshot(enrollment, ENROLLMENT_FIELDS)
        enrollment.status, enrollment.enrolled_on = EnrollmentStatus.ENROLLED, reported[enrollment.pk]
        enrollment.updated_at = now
        audit.add(
            "enrollment.enroll", enrollment, enrollment.member_id, before, snapshot(enrollment, ENROLLMENT_FIELDS)
        )
    rows_update(enrollments, ["status", "enrolled_on", "updated_at"])
    _welcome_calls(enrollments, audit, today)
    _outreach_done(enrollments, audit, now)
    _referrals_enrolled(enrollments, audit, now, today, source)
    return enrollments


def _locked(reported: dict[uuid.UUID, dt.date]) -> list[Enrollment]:
    found: list[Enrollment] = []
    for part in chunks(sorted(reported, key=str)):
        rows = (
            Enrollment.objects.select_for_update(of=("self",))
            .filter(pk__in=part, status=EnrollmentStatus.ASSIGNED)
            .select_related("member__plan", "provider", "referral", "lead_care_manager")
            .order_by("pk")
        )
        found.extend(rows)
    return found


def _welcome_calls(enrollments: list[Enrollment], audit: AuditRows, today: dt.date) -> None:
    due = {}
    tasks = []
    for enrollment in enrollments:
        plan = enrollment.member.plan
        if plan.pk not in due:
            due[plan.pk] = add_business_days(today, program_settings_for(plan, today).welcome_call_business_days)
        task = Task(
            member_id=enrollment.member_id,
            enrollment=enrollment,
            organization_id=enrollment.provider_id,
            owner=enrollment.lead_care_manager,
            kind=TaskKind.WELCOME_CALL,
            description=WELCOME_CALL,
            due_date=due[plan.pk],
        )
        tasks.append(task)
        audit.add("task.create", task, enrollment.member_id, None, snapshot(task, TASK_FIELDS))
    rows_insert(tasks)


def _outreach_done(enrollments: list[Enrollment], audit: AuditRows, now: dt.datetime) -> None:
    """The enrollments' open outreach tasks completed, as `tasks_complete_outreach` does."""
    fields = [*TASK_FIELDS, "enrollment", "organization"]
    done = []
    for part in chunks([e.pk for e in enrollments]):
        open_tasks = Task.objects.select_for_update(of=("self",)).filter(
            enrollment_id__in=part, kind=TaskKind.OUTREACH, status__in=OPEN_TASK_STATUSES
        )
        for task in open_tasks:
            before = snapshot(task, fields)
            task.status, task.completed_at, task.updated_at = TaskStatus.COMPLETED, now, now
            audit.add("task.complete", task, task.member_id, before, snapshot(task, fields), "The member enrolled.")
            done.append(task)
    rows_update(done, ["status", "completed_at", "updated_at"])


def _referrals_enrolled(
    enrollments: list[Enrollment], audit: AuditRows, now: dt.datetime, today: dt.date, source: str
) -> None:
    """Each referral's closed-loop step to `enrolled` (`loop_status_set`), with the notices the table owes."""
    rule = transition_for(Program.ECM, ReferralStatus.ENROLLED, "", today)
    label = ReferralStatus.ENROLLED.label
    referrals, events, notices = [], [], []
    letter_due: dict[int, dt.date] = {}
    for enrollment in enrollments:
        referral: Referral = enrollment.referral
        reason = f"Enrolled in ECM with {enrollment.provider.name} from {enrollment.enrolled_on} ({source})."
        before = snapshot(referral, LOOP_FIELDS)
        referral.status, referral.status_changed_at, referral.closure_reason = ReferralStatus.ENROLLED, now, reason
        referral.loop_status, referral.loop_closure_reason = rule.loop_status, rule.loop_closure_reason
        referral.updated_at = now
        referrals.append(referral)
        audit.add("referral.enrolled", referral, enrollment.member_id, before, snapshot(referral, LOOP_FIELDS), reason)
        event = LoopEvent(
            referral=referral,
            program=Program.ECM,
            status=ReferralStatus.ENROLLED,
            status_label=label,
            loop_status=rule.loop_status,
            loop_closure_reason=rule.loop_closure_reason,
            at=now,
            reason=reason,
            actor_label=audit.actor_label,
            table_version=rule.version,
        )
        events.append(event)
        if rule.notify_referrer:
            notices.append(
                Notice(
                    member_id=enrollment.member_id,
                    kind=NoticeKind.REFERRER_OUTCOME,
                    recipient=NoticeRecipient.REFERRER,
                    recipient_name=referral.referrer_name,
                    language="en",
                    due_date=today,
                    referral_id=referral.pk,
                    content=referrer_notice_content(referral, event),
                )
            )
        if rule.member_notice:
            member = enrollment.member
            if member.plan_id not in letter_due:
                days = program_settings_for(member.plan, today).member_letter_business_days
                letter_due[member.plan_id] = add_business_days(today, days)
            content = provider_letter(enrollment, enrolled_on=enrollment.enrolled_on.isoformat())  # type: ignore[union-attr]
            notices.append(
                Notice(
                    member_id=member.pk,
                    kind=rule.member_notice,
                    recipient=NoticeRecipient.MEMBER,
                    recipient_name=member.full_name,
                    language=member.language,
                    due_date=letter_due[member.plan_id],
                    referral_id=referral.pk,
                    content=content,
                )
            )
    rows_update(referrals, [*LOOP_FIELDS, "status_changed_at", "updated_at"])
    rows_insert(events)
    rows_insert(notices)
    for notice in notices:
        audit.add("notice.queue", notice, notice.member_id, None, snapshot(notice, NOTICE_FIELDS))
