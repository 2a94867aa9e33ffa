"""Lateness is never hidden: an extension asked for once the decision is overdue is refused (it used to be
granted, counted from the ceiling, and the overdue mark cleared, so a request four days late showed "13 d 1 h
left"); a decision recorded after the due time is "decided late"; one never made is denied by operation of law."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.services import authorization_extend
from calaim.core.errors import Conflict
from calaim.core.models import AuditEvent
from calaim.notices.models import Notice, NoticeKind
from calaim.workflows.authorization_clock import authorization_clocks_sweep
from calaim.workflows.authorization_decision import authorization_decide
from tests.factories import AuthorizationFactory
from tests.um.conftest import late

pytestmark = pytest.mark.django_db
FIELDS = ("status", "due_at", "ceiling_at", "extended_at", "extension_reason", "overdue_at", "decided_at")


def _state(authorization: AuthorizationRequest) -> tuple[Any, ...]:
    row = AuthorizationRequest.objects.values_list(*FIELDS).get(pk=authorization.pk)
    return (*row, AuditEvent.objects.count(), Notice.objects.count())


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _words(response: Any) -> str:
    """The page as read, without its markup."""
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def test_an_overdue_request_cannot_be_extended_and_nothing_changes(network):
    authorization = late()
    authorization_clocks_sweep()  # the sweep marks it overdue, as it would have in production
    before = _state(authorization)
    with pytest.raises(Conflict, match="already overdue, so it can no longer be extended") as refused:
        authorization_extend(actor=network.users["um"], authorization=authorization, reason="Awaiting records")
    assert "denied by operation of law" in refused.value.message
    assert _state(authorization) == before
    assert AuthorizationRequest.objects.get(pk=authorization.pk).overdue_at is not None  # the lateness stays


def test_past_its_ceiling_the_refusal_says_the_request_is_denied(network):
    now = timezone.now()
    authorization = late(due_at=now - 2 * dt.timedelta(hours=1), ceiling_at=now - dt.timedelta(hours=1))
    with pytest.raises(Conflict, match="Its time ran out on"):
        authorization_extend(actor=network.users["um"], authorization=authorization, reason="x")


def test_the_extension_page_refuses_an_overdue_request_up_front_and_on_post(web, network):
    authorization = late()
    path = f"/authorizations/{authorization.pk}/extension/"
    response = web("um").get(path)
    assert 'name="reason"' not in _text(response)
    page = _words(response)
    assert "already overdue, so it can no longer be extended" in page
    assert "Overdue — deemed denied if still undecided" in page and "Decide now" in page
    before = _state(authorization)
    refused = web("um").post(path, {"reason": "Waiting for the PCP's notes"})
    assert refused.status_code == 400 and "already overdue" in _text(refused)
    assert _state(authorization) == before
    record = web("um").get(f"/members/{authorization.member_id}/").content.decode()
    assert f'href="{path}"' not in record and f'href="/authorizations/{authorization.pk}/decision/"' in record


def test_the_api_refuses_it_with_409(api, network):
    authorization = late()
    before = _state(authorization)
    response = api("um").post(f"/authorizations/{authorization.pk}/extension", {"reason": "records"})
    assert response.status_code == 409 and "already overdue" in response.content.decode()
    assert _state(authorization) == before


def test_an_extension_in_time_moves_the_due_time_and_shows_extended_with_its_reason(web, network):
    authorization = AuthorizationFactory()
    extended = authorization_extend(actor=network.users["um"], authorization=authorization, reason="Awaiting PCP notes")
    assert extended.due_at == authorization.ceiling_at + dt.timedelta(days=14)
    page = _text(web("um").get(f"/authorizations/{authorization.pk}/decision/"))
    assert "Extended" in page and "(Awaiting PCP notes)" in page and " left)" in page


def test_a_decision_after_the_due_time_is_recorded_as_decided_late(web, network):
    authorization = late()
    response = web("um").post(f"/authorizations/{authorization.pk}/decision/", {"outcome": "approve", "reason": "A1"})
    assert response.status_code == 302
    decided = AuthorizationRequest.objects.get(pk=authorization.pk)
    assert decided.status == "approved" and decided.decided_late and not decided.deemed_denied
    home = _text(web("um").get("/"))
    assert "Decision recorded: Approved (decided late)." in home
    record = _text(web("um").get(f"/members/{authorization.member_id}/"))
    assert "Decided late" in record


def test_a_decision_in_time_is_not_late(web, network):
    authorization = AuthorizationFactory()
    authorization_decide(actor=network.users["um"], authorization=authorization, outcome="approve")
    assert not AuthorizationRequest.objects.get(pk=authorization.pk).decided_late
    assert "Decided late" not in _text(web("um").get(f"/members/{authorization.member_id}/"))


def test_a_late_denial_letter_says_it_was_decided_late(network):
    authorization = late()
    authorization_decide(
        actor=network.users["um"], authorization=authorization, outcome="deny", reason="Not avoidable", criteria="POF 2"
    )
    letter = Notice.objects.get(kind=NoticeKind.NOTICE_OF_ACTION)
    assert letter.content["decided_late"] is True and letter.content["deemed"] is False


def test_a_request_never_decided_is_deemed_denied_and_shown_so(web, network):
    now = timezone.now()
    authorization = late(due_at=now - 2 * dt.timedelta(hours=1), ceiling_at=now - dt.timedelta(hours=1))
    assert authorization_clocks_sweep()["deemed_denied"] == 1
    denied = AuthorizationRequest.objects.get(pk=authorization.pk)
    assert denied.deemed_denied and not denied.decided_late
    record = _text(web("um").get(f"/members/{authorization.member_id}/"))
    assert "Deemed denied" in record and "Decided late" not in record
