"""Changes to a member's own record made by the staff of the plan; each atomic and audited."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from calaim.core.audit import audited_update
from calaim.members.models import Member


def member_delegation_end(*, actor: AbstractBaseUser, member: Member, reason: str) -> Member:
    """The member's care moves from the delegated entity (e.g. Kaiser) to the plan itself."""
    changes = {"delegated_to": None}
    fields = ["delegated_to"]
    audited_update(
        member, changes, actor=actor, action="member.delegation_end", fields=fields, member=member, reason=reason
    )
    return member


def member_lock(member: Member) -> Member:
    """The member's row, locked until the end of the caller's transaction: intake for one member is serialised,
    so two referrals cannot both miss each other's open one."""
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("plan", "county", "delegated_to")
        .get(pk=member.pk)
    )
