"""Who may see and do what in the mailroom: member services runs it (makes the day's mail batch, records returned
mail, resolves address flags, reprints a letter); plan compliance sees it read-only; every other role, provider
staff and referrers see no mailroom at all (404). A letter itself is read by whoever may see its notice
(`calaim.notices.selectors.notice_scope`)."""

from __future__ import annotations

from calaim.access.scopes import is_active, plan_of
from calaim.accounts.models import Role, User
from calaim.accounts.policies import role_in
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope
from calaim.notices.models import AddressFlag, Notice, NoticeRecipient, NoticeStatus

# The plan staff who run the mailroom, and those who may look at it.
MAILROOM_ROLES = frozenset({Role.MEMBER_SERVICES})
MAILROOM_VIEW_ROLES = frozenset({Role.MEMBER_SERVICES, Role.PLAN_COMPLIANCE})
# A member letter has its PDF from PRODUCED on.
LETTER_STATUSES = frozenset({NoticeStatus.PRODUCED, NoticeStatus.SENT})


def can_view_mailroom(user: User | None) -> Verdict:
    """Member services and plan compliance see their own plan's mailroom; anyone else finds none (404)."""
    if not is_active(user) or plan_of(user) is None or user.role not in MAILROOM_VIEW_ROLES:
        return out_of_scope("No mailroom here.")
    return ALLOWED


def can_run_mailroom(user: User | None, plan_id: int | None = None) -> Verdict:
    """Member services act in their own plan's mailroom; compliance sees it but may not act (403); another plan's
    mail is not found (404)."""
    if not (verdict := can_view_mailroom(user)):
        return verdict
    assert user is not None  # can_view_mailroom: an active user
    return first_refusal(
        lambda: role_in(user, MAILROOM_ROLES, "run the mailroom"),
        lambda: ALLOWED if plan_id is None or plan_of(user) == plan_id else out_of_scope(),
    )


def can_make_batch(user: User | None, plan_id: int) -> Verdict:
    """The day's mail batch is made by the plan's member services, a superuser, or the command run without --as
    (`user` None: whoever runs manage.py on the server)."""
    if user is None or (is_active(user) and user.is_superuser):
        return ALLOWED
    return can_run_mailroom(user, plan_id)


def can_record_return(user: User | None, notice: Notice) -> Verdict:
    """Returned mail is recorded once, by member services, for a member letter that was mailed."""
    return first_refusal(
        lambda: can_run_mailroom(user, notice.member.plan_id),
        lambda: _mailed(notice),
        lambda: conflict("This letter's return is already recorded.") if notice.returned_at else ALLOWED,
    )


def _mailed(notice: Notice) -> Verdict:
    if notice.recipient != NoticeRecipient.MEMBER or notice.status != NoticeStatus.SENT or notice.mail_batch_id is None:
        return conflict("Only a letter mailed to the member can come back as returned mail.")
    return ALLOWED


def can_resolve_flag(user: User | None, flag: AddressFlag) -> Verdict:
    """Member services resolve an open address flag of their plan's member, once."""
    return first_refusal(
        lambda: can_run_mailroom(user, flag.member.plan_id),
        lambda: conflict("This address flag is already resolved.") if flag.resolved_at else ALLOWED,
    )


def can_reprint(user: User | None, notice: Notice) -> Verdict:
    """Member services reprint a produced letter (the same stored bytes) for their plan's member."""
    return first_refusal(
        lambda: can_run_mailroom(user, notice.member.plan_id),
        lambda: ALLOWED if notice.status in LETTER_STATUSES else conflict("This letter is not produced yet."),
    )
