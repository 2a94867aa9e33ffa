"""Scoped reads of notices."""

from __future__ import annotations

from django.db.models import QuerySet

from calaim.access.scopes import member_scope
from calaim.accounts.models import User
from calaim.notices.models import Notice


def notice_scope(user: User | None) -> QuerySet[Notice]:
    return Notice.objects.filter(member__in=member_scope(user))
