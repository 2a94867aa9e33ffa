"""Referrers are told by email through a real SMTP server: a referral authorized through the services reaches the
referrer's addresses with the link to their page and without the member's name, CIN or birth date; a failure is
kept on the notification and retried by the sweep; each notification is emailed once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.models import AuditEvent
from calaim.notices.email import notification_email, notification_email_task, notification_emails_sweep_task
from calaim.notices.models import Notice, NoticeKind, Notification
from calaim.notices.notify import notification_send
from tests.conftest import referral_body
from tests.notices.conftest import BASE_URL, free_port, run_queued, text_of

pytestmark = pytest.mark.django_db
CLINIC = "dr.rivera@clinic.example"
OFFICE = "referrals-office@clinic.example"


def _phi_of(member: Any) -> list[str]:
    born = member.birth_date
    return [
        member.first_name,
        member.last_name,
        member.cin,
        born.isoformat(),
        born.strftime("%m/%d/%Y"),
        born.strftime("%Y%m%d"),
    ]


def _authorized_referral(api: Any, member: Any, capture: Any) -> str:
    """The referrer sends a referral naming their office's address; intake determines it eligible; UM approves."""
    created = api("referrer").post("/referrals", referral_body(member, referrer_email=OFFICE))
    assert created.status_code == 201, created.content
    referral_id = created.json()["id"]
    assert api("intake").post(f"/referrals/{referral_id}/eligibility-determination").status_code == 201
    authorization = AuthorizationRequest.objects.get(referral_id=referral_id)
    with capture(execute=True):
        decided = api("um").post(f"/authorizations/{authorization.pk}/decision", {"outcome": "approve"})
    assert decided.status_code == 200, decided.content
    return str(referral_id)


def test_an_authorized_referral_emails_the_referrer_the_link_and_no_phi(
    api, network, member, smtp, django_capture_on_commit_callbacks
):
    referrer = network.users["referrer"]
    referrer.email = CLINIC
    referrer.save(update_fields=["email"])
    referral_id = _authorized_referral(api, member, django_capture_on_commit_callbacks)
    assert smtp.received == []  # nothing is sent before the tasks run

    run_queued(django_capture_on_commit_callbacks)

    link = f"{BASE_URL}/referrals/{referral_id}/"
    for address in (CLINIC, OFFICE):
        [message] = smtp.to(address)
        text = text_of(message)
        assert "was authorized" in text and f"R-{referral_id.replace('-', '')[:8].upper()}" in text
        assert link in text, text
        for phi in _phi_of(member):
            assert phi not in text, (phi, text)
        assert message["From"] == "calaim <no-reply@plan.example>"
    assert len(smtp.received) == 2

    notice = Notice.objects.get(referral_id=referral_id, kind=NoticeKind.REFERRER_OUTCOME)
    assert notice.status == "sent"
    told = Notification.objects.filter(notice=notice)
    inbox = told.get(user=referrer)
    assert (inbox.email, inbox.read_at, inbox.link) == (CLINIC, None, f"/referrals/{referral_id}/")
    assert told.get(user=None).email == OFFICE
    assert all(n.emailed_at is not None and n.email_error == "" for n in told)
    assert AuditEvent.objects.filter(action="notification.email").count() == 2

    # The tasks again, and the sweep: nothing is emailed twice.
    for notification in told:
        assert notification_email_task.call(str(notification.pk)) is False
    assert notification_emails_sweep_task.call() == {"sent": 0, "not_sent": 0}
    assert len(smtp.received) == 2


def test_the_address_of_the_referrer_user_is_emailed_once_when_the_form_names_it_too(network, member, smtp):
    referrer = network.users["referrer"]
    referrer.email = OFFICE
    referrer.save(update_fields=["email"])
    told = notification_send(
        users=[referrer, referrer], emails=[OFFICE.upper(), "not an address"], event="e", message="m", link="/"
    )
    assert [(n.user, n.email) for n in told] == [(referrer, OFFICE)]


def test_a_failed_email_is_kept_and_retried_by_the_sweep_until_sent_once(network, smtp, settings):
    user = network.users["referrer"]
    user.email = CLINIC
    user.save(update_fields=["email"])
    [notification] = notification_send(users=[user], event="referral.authorized", message="It happened.", link="/")

    settings.EMAIL_PORT = free_port()  # nobody listens there
    assert notification_email(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.emailed_at is None and "Connection" in notification.email_error
    assert AuditEvent.objects.filter(action="notification.email_failed", object_id=str(notification.pk)).exists()

    settings.EMAIL_PORT = smtp.port
    assert notification_emails_sweep_task.call() == {"sent": 0, "not_sent": 0}  # too soon after the failure
    _age(notification, minutes=20)
    assert notification_emails_sweep_task.call() == {"sent": 1, "not_sent": 0}
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_error == ""
    assert [m["Subject"] for m in smtp.to(CLINIC)] == ["It happened."]
    _age(notification, minutes=20)
    assert notification_emails_sweep_task.call() == {"sent": 0, "not_sent": 0}
    assert len(smtp.received) == 1


def test_the_sweep_sends_an_email_whose_task_was_lost_and_gives_up_after_three_days(network, smtp):
    user = network.users["referrer"]
    user.email = CLINIC
    user.save(update_fields=["email"])
    lost, fresh, ancient = (
        notification_send(users=[user], emails=[f"{name}@clinic.example"], event="e", message=name, link="/x/")[1]
        for name in ("lost", "fresh", "ancient")
    )
    _age(lost, minutes=5)
    _age(ancient, minutes=5, days=4)
    assert notification_emails_sweep_task.call() == {"sent": 1, "not_sent": 0}
    assert [m["Subject"] for _, m in smtp.received] == ["lost"]
    assert f"{BASE_URL}/x/" in text_of(smtp.received[0][1])
    fresh.refresh_from_db()
    assert fresh.emailed_at is None  # left to its own task


def test_a_user_without_an_address_gets_the_inbox_item_alone(network, smtp, django_capture_on_commit_callbacks):
    user = network.users["sup_a"]
    assert user.email == ""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [notification] = notification_send(users=[user], event="e", message="Assigned.", link="/")
    assert callbacks == [] and notification.email == "" and notification.user == user
    assert notification_emails_sweep_task.call() == {"sent": 0, "not_sent": 0}
    assert smtp.received == []


def _age(notification: Notification, *, minutes: int, days: int = 0) -> None:
    then = timezone.now() - dt.timedelta(days=days, minutes=minutes)
    Notification.objects.filter(pk=notification.pk).update(created_at=then, updated_at=then)
