"""What the mailroom's tests share: members with and without a mailing address, member letters in each state with a
real PDF made by WeasyPrint, and the users of the mailroom's role matrix."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from typing import Any

import weasyprint
from django.utils import timezone

from calaim.accounts.models import Role, User
from calaim.core.clock import plan_today
from calaim.members.models import Member
from calaim.notices.models import Notice, NoticeKind, NoticeLetter, NoticeRecipient, NoticeStatus
from calaim.plans.models import County, Plan
from tests.factories import MemberFactory, UserFactory

ADDRESS = {"address_line": "1200 N El Dorado St", "city": "Stockton", "zip_code": "95202"}


@cache
def sample_pdf(text: str) -> bytes:
    """A small real PDF (one per text, made once per test process: WeasyPrint takes a moment)."""
    return bytes(weasyprint.HTML(string=f"<p>{text}</p>").write_pdf())


def addressed_member(**fields: Any) -> Member:
    return MemberFactory(**{**ADDRESS, **fields})


def hpsm_member(**fields: Any) -> Member:
    plan, county = Plan.objects.get(code="HPSM"), County.objects.get(name="San Mateo")
    address = {"address_line": "1 Main St", "city": "San Mateo", "zip_code": "94401"}
    return MemberFactory(plan=plan, county=county, **{**address, **fields})


def letter_notice(
    member: Member,
    *,
    status: str = NoticeStatus.PRODUCED,
    kind: str = NoticeKind.ECM_ASSIGNMENT_LETTER,
    due_date: dt.date | None = None,
    produced_at: dt.datetime | None = None,
    language: str = "en",
    text: str = "Your ECM provider",
    content: dict[str, Any] | None = None,
) -> Notice:
    """A member letter; from PRODUCED on it has its stored PDF, as `letter_produce` leaves it."""
    notice = Notice.objects.create(
        member=member,
        kind=kind,
        recipient=NoticeRecipient.MEMBER,
        recipient_name=member.full_name,
        language=member.language,
        status=status,
        due_date=due_date or plan_today(),
        content=content or {},
        sent_at=timezone.now() if status == NoticeStatus.SENT else None,
    )
    if status != NoticeStatus.PLANNED:
        pdf = sample_pdf(text)
        NoticeLetter.objects.create(
            notice=notice,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            page_count=1,
            template_key=kind,
            template_version="1",
            language=language,
            preferred_language=member.language,
            in_preferred_language=language == member.language,
            data={"member": {"name": member.full_name}},
            produced_at=produced_at or timezone.now(),
        )
    return notice


def mailroom_users(network: Any) -> dict[str, User]:
    """Plan compliance of HPSJ and member services of HPSM, added to the network's users (and its web/api clients)."""
    extra = {
        "compliance": UserFactory(username="compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj),
        "hpsm_ms": UserFactory(username="hpsm_ms", role=Role.MEMBER_SERVICES, organization=network.hpsm),
    }
    network.users.update(extra)
    return extra
