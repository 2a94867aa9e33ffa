"""A member's letters: the member record's notices section (each letter's kind, language, dates and status; View PDF,
Reprint, returned mail, File an appeal for a Notice of Action; the open address flags), the letter's PDF as stored
(`/notices/<id>/letter.pdf`, inline), its reprint (the same bytes as an attachment, recorded), returned mail and
resolving an address flag.

A letter is read by whoever may see its notice (`notice_scope`), and the notice's row puts its member on the PHI read
log; member services act (calaim.notices.policies), anyone else is refused (403) or finds nothing (404).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calaim.accounts.models import User
from calaim.members.models import Member
from calaim.notices.models import Notice, NoticeLetter
from calaim.notices.policies import can_reprint, can_run_mailroom
from calaim.notices.returned import address_flag_resolve, notice_letter_reprint, notice_return_record
from calaim.notices.selectors import address_flag_get, member_letters, member_open_flags, notice_get, notice_letter_get
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_mailroom import AddressFlagResolveForm, ReturnedMailForm
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.mailroom import refuse_unless


def appeal_create_url() -> str | None:
    """The appeal form's address, when the appeals pages are there to take one."""
    try:
        return reverse("web:appeal_create")
    except NoReverseMatch:
        return None


def notices_section(user: User, member: Member) -> dict[str, Any]:
    """The member record's notices and letters, with the open address flags (also the record's alert)."""
    return {
        "notices": list(member_letters(user, member)),
        "address_flags": member_open_flags(user, member),
        "may_run_mailroom": bool(can_run_mailroom(user, member.plan_id)),
        "appeal_url": appeal_create_url(),
    }


def _pdf(notice: Notice, letter: NoticeLetter, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="letter-{notice.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"  # member data: never kept by a shared cache or the browser
    return response


@require_GET
@verified_required
def letter_pdf(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    """The letter exactly as produced, shown in the browser."""
    notice, letter = or_404(lambda: notice_letter_get(staff(request), notice_id))
    return _pdf(notice, letter, attachment=False)


@require_POST
@verified_required
def letter_reprint(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    """The same stored bytes as a download to print again; the reprint is recorded, the letter never changes."""
    user = staff(request)
    notice, letter = or_404(lambda: notice_letter_get(user, notice_id))
    refuse_unless(can_reprint(user, notice))
    notice_letter_reprint(actor=user, notice=notice)
    return _pdf(notice, letter, attachment=True)


def _back(request: HttpRequest, member: Member) -> str:
    """Back where the action started: the mailroom, or by default the member's record."""
    return reverse("web:mailroom") if request.GET.get("from") == "mailroom" else reverse("web:member", args=[member.pk])


@require_http_methods(["GET", "POST"])
@verified_required
def notice_returned(request: HttpRequest, notice_id: uuid.UUID) -> HttpResponse:
    """Record that a mailed letter came back; the member's address is flagged for member services."""
    user = staff(request)
    notice = or_404(lambda: notice_get(user, notice_id))
    refuse_unless(can_run_mailroom(user, notice.member.plan_id))
    member = notice.member
    return act(
        request,
        Action(
            form=ReturnedMailForm(posted(request)),
            call=lambda d: notice_return_record(actor=user, notice=notice, reason=d["reason"]),
            title=f"Returned mail: {notice.get_kind_display()} to {member.first_name} {member.last_name}",
            submit="Record returned mail",
            done=f"Returned mail recorded; {member.first_name} {member.last_name}'s address is flagged.",
            next_url=_back(request, member),
            context={"member": member, "notice": notice, "back_url": _back(request, member)},
            template="web/mailroom/action_form.html",
        ),
    )


@require_http_methods(["GET", "POST"])
@verified_required
def flag_resolve(request: HttpRequest, flag_id: uuid.UUID) -> HttpResponse:
    """Close an address flag with what member services found or did."""
    user = staff(request)
    flag = or_404(lambda: address_flag_get(user, flag_id))
    refuse_unless(can_run_mailroom(user, flag.member.plan_id))
    member = flag.member
    return act(
        request,
        Action(
            form=AddressFlagResolveForm(posted(request)),
            call=lambda d: address_flag_resolve(actor=user, flag=flag, note=d["note"]),
            title=f"Resolve the address flag of {member.first_name} {member.last_name}",
            submit="Resolve the flag",
            done=f"Address flag of {member.first_name} {member.last_name} resolved.",
            next_url=_back(request, member),
            context={"member": member, "flag": flag, "back_url": _back(request, member)},
            template="web/mailroom/action_form.html",
        ),
    )
