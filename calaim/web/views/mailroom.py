"""The mailroom (`/mailroom/`): the plan's member letters due today and overdue, produced and awaiting mail, planned
and not yet produced (a stuck one is an alert), mailed recently and returned; the open address flags; the day's mail
batch and each batch's letters, downloadable as a ZIP of the PDFs and manifest.csv.

Member services run it; plan compliance see it read-only (an action answers 403); anyone else finds no mailroom
(404). Every read goes through calaim.notices' selectors; the letters a page or a ZIP shows put their members on
the PHI read log.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import NotFound
from calaim.core.paging import page_number, page_of, shown
from calaim.core.policy import Verdict
from calaim.notices.batch import MailBatchResult, mail_batch_create
from calaim.notices.batch_files import batch_zip_open
from calaim.notices.mailroom_worklist import LetterList, is_stuck, mailroom_alerts, mailroom_counts, mailroom_letters
from calaim.notices.models import MailBatch
from calaim.notices.policies import can_run_mailroom
from calaim.notices.selectors import (
    mail_batch_exceptions,
    mail_batch_get,
    mail_batch_letters,
    mail_batch_members,
    mail_batch_scope,
    mailroom_flags,
    mailroom_plan,
)
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_mailroom import MailBatchForm, MailroomFilterForm
from calaim.web.views.actions import Action, act, posted

PAGE_SIZE = 50
BATCH_PAGE_SIZE = 100
SHOWN_FLAGS = 50
SHOWN_BATCHES = 10


def refuse_unless(verdict: Verdict) -> None:
    """A refusal as a page answers it: 404 outside the caller's scope, 403 for a role that may look but not act."""
    if isinstance(verdict.error, NotFound):
        raise Http404(verdict.reason)
    if verdict.error is not None:
        raise PermissionDenied(verdict.reason)


@require_GET
@verified_required
def mailroom(request: HttpRequest) -> HttpResponse:
    """The plan's letters by where they stand, with the alerts, the open address flags and the latest batches."""
    user = staff(request)
    plan = or_404(lambda: mailroom_plan(user))
    form = MailroomFilterForm(request.GET or None)
    show, kind = LetterList.DUE.value, ""
    if form.is_bound and form.is_valid():
        show, kind = form.cleaned_data["show"] or show, form.cleaned_data["kind"]
    today, now = plan_today(), timezone.now()
    page = page_of(mailroom_letters(user, show, kind, today, now), page_number(request.GET.get("page")), PAGE_SIZE)
    context: dict[str, Any] = {
        "plan": plan,
        "form": form,
        "show": show,
        "kind": kind,
        "lists": _lists(mailroom_counts(user, kind, today, now)),
        "alerts": mailroom_alerts(user, today, now),
        "page": page,
        "stuck": {notice.pk for notice in page.object_list if is_stuck(notice, now)},
        "flags": shown(mailroom_flags(user), SHOWN_FLAGS),
        "batches": shown(mail_batch_scope(user).select_related("created_by__organization"), SHOWN_BATCHES),
        "may_run": can_run_mailroom(user, plan.pk),
        "batch_form": MailBatchForm(auto_id="batch-%s"),
        "today": today,
    }
    return render(request, "web/mailroom/mailroom.html", context, status=400 if form.errors else 200)


def _lists(counts: dict[str, str]) -> list[tuple[str, str, str]]:
    """Each list's value, label and size, for the tabs."""
    return [(choice.value, choice.label, counts[choice.value]) for choice in LetterList]


def _runner(request: HttpRequest) -> User:
    """Member services of the plan; compliance is refused (403), anyone else finds nothing (404)."""
    user = staff(request)
    refuse_unless(can_run_mailroom(user))
    return user


@require_http_methods(["GET", "POST"])
@verified_required
def batch_create(request: HttpRequest) -> HttpResponse:
    """Make the day's mail batch, then open it; letters left out (no address) are said on the next page."""
    user = _runner(request)
    plan = mailroom_plan(user)
    return act(
        request,
        Action(
            form=MailBatchForm(posted(request), auto_id="batch-%s"),
            call=lambda d: mail_batch_create(actor=user, plan=plan, mail_date=d["mail_date"]),
            title=f"Make the mail batch for {plan.name}",
            submit="Make the mail batch",
            done=_batch_done,
            next_url=_batch_next,
            context={"back_url": reverse("web:mailroom")},
            template="web/mailroom/action_form.html",
        ),
    )


def _batch_done(result: MailBatchResult) -> str:
    left_out = len(result.exceptions)
    plural = "s" if left_out != 1 else ""
    said = f" {left_out} letter{plural} not mailed: no mailing address (see the mailroom's alerts)." if left_out else ""
    if result.batch is None:
        return f"No letter is ready to mail.{said}"
    count = result.batch.letter_count
    return f"Mail batch made: {count} letter{'s' if count != 1 else ''}, now marked sent.{said}"


def _batch_next(result: MailBatchResult) -> str:
    if result.batch is None:
        return reverse("web:mailroom")
    return reverse("web:mail_batch", args=[result.batch.pk])


def _batch(request: HttpRequest, batch_id: uuid.UUID) -> MailBatch:
    return or_404(lambda: mail_batch_get(staff(request), batch_id))


@require_GET
@verified_required
def batch(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    """One batch: its letters (a hundred a page), the letters it left out, and its ZIP."""
    user = staff(request)
    mail_batch = _batch(request, batch_id)
    letters = mail_batch_letters(mail_batch)
    context = {
        "batch": mail_batch,
        "page": page_of(letters, page_number(request.GET.get("page")), BATCH_PAGE_SIZE),
        "exceptions": mail_batch_exceptions(user, mail_batch),
        "kept": bool(mail_batch.out_dir) and Path(mail_batch.out_dir).is_dir(),
    }
    return render(request, "web/mailroom/batch.html", context)


@require_GET
@verified_required
def batch_zip(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    """The batch's PDFs and manifest.csv as one ZIP, as they were written; every member it names is on the PHI read
    log."""
    mail_batch = _batch(request, batch_id)
    archive, name = or_404(lambda: batch_zip_open(mail_batch))
    mail_batch_members(mail_batch)  # the members it names, on the PHI read log
    response = FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
    return cast(HttpResponse, response)  # verified_required's views answer HttpResponse; Django takes a stream too
