"""The demo's letters, mail, appeals and notifications, through the real paths: each plan's appeals coordinator files
appeals of Notices of Action (one overturned, which authorizes the service; one upheld, with the State Fair Hearing
deadline; one open and expedited; one late, extended once) and grievances (one resolved, one open); the referrers'
and providers' notices become inbox items and emails (the mailroom's `notice_send`); member letters are produced as
PDFs; past days' mail batches are made by member services, so older letters show as mailed (the files under
settings.CALAIM_DATA_DIR), while today's letters wait on the mailroom's worklist; one mailed letter per plan came
back, which flags the member's address.

A letter takes WeasyPrint 0.3 to 0.5 s to produce on a quiet machine (over 1 s on a busy one), and the default demo
owes about 500: minutes of work. So the demo produces the letters of its past four weeks (mailed in past batches)
and, of today's, one of each kind for each plan and one in each language the members read, in their threshold
counties and elsewhere: about 45 letters, 15 s on a quiet machine, 45 s on a busy one. The rest (about 470) stay
planned for the background worker the demo starts: their tasks are queued, and it produces them in its first
minutes. Letters of the demo's older history are among them: produced today, as a backlog.

The past is made the way calaim.demo.history makes it: through the services today, then moved back in time (the
notices, the letters' production and mailing, a late appeal's Notice of Action). A letter's PDF, like the audit
events, keeps the day the demo was built.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from random import Random

from django.db.models import F

from calaim.accounts.models import User
from calaim.appeals.grievances import GrievanceInput, grievance_file, grievance_resolve
from calaim.appeals.models import Appeal, Channel
from calaim.appeals.services import AppealInput, appeal_extend, appeal_file, appeal_resolve
from calaim.authorizations.models import AuthorizationStatus, NoticeOfAction
from calaim.core.clock import PLAN_TIME_ZONE, is_business_day, local_date
from calaim.core.errors import DomainError
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.members.models import Member
from calaim.network.models import Program
from calaim.notices.batch import mail_batch_create
from calaim.notices.inbox import notifications_mark_all_read
from calaim.notices.mailroom import notice_send
from calaim.notices.models import MailBatch, Notice, NoticeLetter, NoticeRecipient, NoticeStatus
from calaim.notices.reference import languages_config
from calaim.notices.returned import notice_return_record
from calaim.plans.models import Plan

# History this recent (days back) has its letters produced and mailed in past batches; the mailroom lists 30 days.
PAST_DAYS = (14, 28)
# A denial decided this long ago is appealed late (the filing window is 60 days).
LATE_AFTER_DAYS = 75
# The languages a sample letter is chosen for, besides English, where they are threshold languages and where not
# (Vietnamese is no plan's threshold language: its speakers' letters are in English with the taglines).
SAMPLE_LANGUAGES = ("es", "zh", "tl", "vi")
MAILED_AT = dt.time(16, 0)
RETURN_REASON = "Moved, left no forwarding address (returned by USPS)"


def demo_letters_create(*, seed: int, as_of: dt.date) -> dict[str, int]:
    """Appeals, grievances, notifications, letters, past mail batches and returned mail; once: nothing is made
    again when the demo has a mail batch or an appeal."""
    if MailBatch.objects.exists() or Appeal.objects.exists():
        return {}
    rng = Random(seed + 17)
    reached: Counter[str] = Counter()
    # What the referrers and providers were told of the past year: sent, and read by now.
    reached["notifications_read"] = _notifications_send(lambda days: days >= PAST_DAYS[0], mark_read=True)
    moved: dict[uuid.UUID, int] = {}
    for plan in Plan.objects.order_by("code"):
        moved |= _appeals_file(plan, rng, as_of, reached)
        _grievances_file(plan, rng, reached)
    reached["notifications_unread"] = _notifications_send(lambda days: True, mark_read=False)
    past, today, left = _letters_chosen(moved, as_of)
    for notice, days in past:
        notice_send(notice_id=notice.pk)
        _move_back(notice.pk, days)
    reached["letters_produced"] = len(past) + sum(notice_send(notice_id=notice.pk) for notice in today)
    reached["letters_left_for_worker"] = left
    for plan in Plan.objects.order_by("code"):
        batches = _past_batches(plan, as_of, {notice.pk: days for notice, days in past})
        reached["mail_batches"] += len(batches)
        reached["letters_mailed"] += sum(batch.letter_count for batch in batches)
        reached["letters_returned"] += _returned_record(plan, batches)
    return dict(reached)


def _days_back(notice: Notice) -> int:
    """How far back the demo's history moved the notice's referral (0 for today's)."""
    referral = notice.referral
    if referral is None or referral.status_changed_at is None:
        return 0
    return max(0, (local_date(notice.created_at) - local_date(referral.status_changed_at)).days)


def _notifications_send(when: Callable[[int], bool], *, mark_read: bool) -> int:
    """Send the planned notices to referrers and providers whose referral is `when(days back)`; the people told mark
    them all read when `mark_read` (what they were told long ago)."""
    planned = (
        Notice.objects.filter(status=NoticeStatus.PLANNED)
        .exclude(recipient=NoticeRecipient.MEMBER)
        .select_related("referral")
        .order_by("created_at", "id")
    )
    sent = sum(notice_send(notice_id=notice.pk) for notice in planned if when(_days_back(notice)))
    if mark_read:
        for user in User.objects.filter(notifications__read_at__isnull=True).distinct().order_by("pk"):
            notifications_mark_all_read(actor=user)
    return sent


def _language_cell(notice: Notice, as_of: dt.date) -> tuple[str, bool]:
    """The member's language (English for the rarer ones), and whether it is a threshold language where they live
    (their letter is in it) or not (in English with the taglines)."""
    member = notice.member
    language = notice.language if notice.language in SAMPLE_LANGUAGES else "en"
    return language, language in languages_config().thresholds_for(member.plan.code, member.county.name, as_of)


def _letters_chosen(moved: dict[uuid.UUID, int], as_of: dt.date) -> tuple[list[tuple[Notice, int]], list[Notice], int]:
    """The planned member letters to produce now: the past weeks' (with how many days back) and a sample of
    today's, one of each kind for each plan and one in each language; and how many are left."""
    planned = (
        Notice.objects.filter(status=NoticeStatus.PLANNED, recipient=NoticeRecipient.MEMBER)
        .select_related("referral", "member__plan", "member__county")
        .order_by("member__plan__code", "kind", "member__cin", "created_at", "id")
    )
    past: list[tuple[Notice, int]] = []
    today: list[Notice] = []
    covered: set[tuple[str, object]] = set()
    left = 0
    for notice in planned:
        days = moved.get(notice.pk, _days_back(notice))
        if notice.pk in moved or PAST_DAYS[0] <= days <= PAST_DAYS[1]:
            past.append((notice, days))
            continue
        cells = {(notice.member.plan.code, notice.kind), _language_cell(notice, as_of)}
        if days < PAST_DAYS[0] and not cells <= covered:
            today.append(notice)
            covered |= cells
        else:
            left += 1
    return past, today, left


def _move_back(notice_id: uuid.UUID, days: int) -> None:
    """The notice owed, and its letter produced, `days` earlier."""
    shift = dt.timedelta(days=days)
    Notice.objects.filter(pk=notice_id).update(created_at=F("created_at") - shift, due_date=F("due_date") - shift)
    NoticeLetter.objects.filter(notice_id=notice_id).update(produced_at=F("produced_at") - shift)


def _mail_day(day: dt.date) -> dt.date:
    """The mailroom's next working day on or after `day`."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def _past_batches(plan: Plan, as_of: dt.date, past: dict[uuid.UUID, int]) -> list[MailBatch]:
    """Each past mail day's batch of the plan's past letters, made by member services (files under
    settings.CALAIM_DATA_DIR), mailed that afternoon."""
    member_services = User.objects.get(username=f"{plan.code.lower()}.memberservices")
    letters = Notice.objects.filter(pk__in=past, member__plan=plan, status=NoticeStatus.PRODUCED)
    days = sorted({_mail_day(as_of - dt.timedelta(days=past[pk])) for pk in letters.values_list("pk", flat=True)})
    batches = []
    for mail_date in (day for day in days if day < as_of):
        result = mail_batch_create(actor=member_services, plan=plan, mail_date=mail_date)
        if result.batch is None:
            continue
        mailed_at = dt.datetime.combine(mail_date, MAILED_AT, tzinfo=PLAN_TIME_ZONE)
        Notice.objects.filter(mail_batch=result.batch).update(sent_at=mailed_at)
        MailBatch.objects.filter(pk=result.batch.pk).update(created_at=mailed_at)
        batches.append(result.batch)
    return batches


def _returned_record(plan: Plan, batches: list[MailBatch]) -> int:
    """The first letter of the plan's first past batch came back: its member's address is flagged."""
    first = Notice.objects.filter(mail_batch__in=batches).order_by("mail_batch__mail_date", "member__cin").first()
    if first is None:
        return 0
    member_services = User.objects.get(username=f"{plan.code.lower()}.memberservices")
    notice_return_record(actor=member_services, notice=first, reason=RETURN_REASON)
    return 1


def _denials(plan: Plan) -> list[NoticeOfAction]:
    """The plan's Notices of Action of denied requests with no appeal yet, in a stable order."""
    return list(
        NoticeOfAction.objects.filter(
            member__plan=plan, authorization__status=AuthorizationStatus.DENIED, appeals__isnull=True
        )
        .select_related("member", "authorization")
        .order_by("member__cin", "issued_at")
    )


def _pick(pool: list[NoticeOfAction], language: str) -> NoticeOfAction | None:
    """A notice to a member who reads `language` if there is one, else the first; taken out of the pool."""
    chosen = next((noa for noa in pool if noa.member.language == language), pool[0] if pool else None)
    if chosen is not None:
        pool.remove(chosen)
    return chosen


def _appeals_file(plan: Plan, rng: Random, as_of: dt.date, reached: Counter[str]) -> dict[uuid.UUID, int]:
    """The plan's coordinator files and works four appeals; the late one's Notice of Action is moved back to the
    day its denial was decided (its letter id, with the days back, is returned)."""
    coordinator = User.objects.get(username=f"{plan.code.lower()}.appeals")
    denials = _denials(plan)
    rng.shuffle(denials)
    cutoff = as_of - dt.timedelta(days=LATE_AFTER_DAYS)
    ecm = [noa for noa in denials if noa.authorization.program == Program.ECM]
    recent = [noa for noa in ecm if local_date(noa.authorization.decided_at or noa.issued_at) >= as_of]
    old = [noa for noa in ecm if local_date(noa.authorization.decided_at or noa.issued_at) <= cutoff]
    cs = [noa for noa in denials if noa.authorization.program == Program.CS] or recent
    moved: dict[uuid.UUID, int] = {}
    steps = (
        ("overturned", _pick(recent, "es")),
        ("upheld", _pick(cs, "zh")),
        ("open_expedited", _pick(recent, "tl")),
        ("late", _pick(old, "vi")),
    )
    for outcome, noa in steps:
        if noa is None:
            continue
        if outcome == "late":
            moved |= _noa_move_back(noa, as_of)
        try:
            _appeal_work(coordinator, noa, outcome)
        except DomainError as exc:  # a demo denial that does not fit the path is simply left out
            reached[f"appeals_skipped ({exc.code})"] += 1
            continue
        reached[f"appeals_{outcome}"] += 1
    return moved


def _appeal_work(coordinator: User, noa: NoticeOfAction, outcome: str) -> None:
    expedited = outcome == "open_expedited"
    appeal = appeal_file(
        actor=coordinator,
        notice=noa,
        data=AppealInput(
            channel=Channel.MAIL if outcome == "late" else Channel.PHONE,
            expedited=expedited,
            description=(
                "The member cannot wait: she is losing her housing this week."
                if expedited
                else "The member says the decision missed her recent hospital stays."
            ),
        ),
    )
    if outcome == "overturned":
        reason = "The hospital records show three avoidable admissions; the criteria are met."
        appeal_resolve(actor=coordinator, appeal=appeal, outcome="overturned", reason=reason)
    elif outcome == "upheld":
        reason = "The records sent do not show the condition the service requires."
        appeal_resolve(actor=coordinator, appeal=appeal, outcome="upheld", reason=reason)
    elif outcome == "late":
        reason = "Waiting for the member's records from the hospital."
        appeal_extend(actor=coordinator, appeal=appeal, extension_days=14, reason=reason)


def _noa_move_back(noa: NoticeOfAction, as_of: dt.date) -> dict[uuid.UUID, int]:
    """Issue the notice on the day its denial was decided (the history moved the decision, not the notice), and its
    letter with it."""
    decided = noa.authorization.decided_at or noa.issued_at
    days = (local_date(noa.issued_at) - local_date(decided)).days
    deadline = noa.appeal_deadline - dt.timedelta(days=days)
    NoticeOfAction.objects.filter(pk=noa.pk).update(issued_at=decided, appeal_deadline=deadline)
    noa.issued_at, noa.appeal_deadline = decided, deadline
    letters = Notice.objects.filter(content__notice_of_action_id=str(noa.pk), status=NoticeStatus.PLANNED)
    moved = {}
    for letter in letters:
        letter.content |= {"decision_date": local_date(decided).isoformat(), "appeal_deadline": deadline.isoformat()}
        letter.save(update_fields=["content"])
        moved[letter.pk] = (as_of - local_date(decided)).days
    return moved


GRIEVANCES: tuple[tuple[str, str, str], ...] = (
    (
        "ecm_provider",
        "Her care manager missed two home visits and did not call back.",
        "Spoke with the provider's supervisor: a new care manager visits this week.",
    ),
    ("language_access", "No interpreter was offered at the member's last visit.", ""),
)


def _grievances_file(plan: Plan, rng: Random, reached: Counter[str]) -> None:
    """Two grievances of members enrolled in ECM, filed by the coordinator by phone; the first resolved."""
    coordinator = User.objects.get(username=f"{plan.code.lower()}.appeals")
    members = _enrolled_members(plan)
    chosen = rng.sample(members, min(len(GRIEVANCES), len(members)))
    for (category, description, resolution), member in zip(GRIEVANCES[: len(chosen)], chosen, strict=True):
        grievance = grievance_file(
            actor=coordinator,
            member=member,
            data=GrievanceInput(category=category, description=description, channel=Channel.PHONE),
        )
        reached["grievances"] += 1
        if resolution:
            grievance_resolve(actor=coordinator, grievance=grievance, resolution=resolution)


def _enrolled_members(plan: Plan) -> list[Member]:
    rows = (
        Enrollment.objects.filter(member__plan=plan, status=EnrollmentStatus.ENROLLED)
        .select_related("member")
        .order_by("member__cin")
    )
    return list({enrollment.member_id: enrollment.member for enrollment in rows}.values())
