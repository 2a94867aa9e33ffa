"""The inbox, in the browser and over the API: the header's unread badge, the list (newest first, unread marked,
paged), opening one (read, then its page), marking one or all read (plain POST and htmx), and nobody seeing or
marking another's: anonymous callers sign in, another user gets 404, and nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from calaim.core.models import AuditEvent
from calaim.notices.models import Notification
from calaim.notices.notify import notification_send

pytestmark = pytest.mark.django_db


def _tell(user: Any, message: str, *, link: str = "/", minutes_ago: int = 0, read: bool = False) -> Notification:
    [notification] = notification_send(users=[user], event="referral.authorized", message=message, link=link)
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=notification.pk).update(created_at=at, read_at=at if read else None)
    notification.refresh_from_db()
    return notification


@pytest.fixture
def inbox(network: Any) -> dict[str, Notification]:
    referrer = network.users["referrer"]
    return {
        "old_read": _tell(referrer, "Oldest, already read.", minutes_ago=30, read=True),
        "older": _tell(referrer, "Older and unread.", link="/referrals/", minutes_ago=20),
        "newest": _tell(referrer, "Newest and unread.", link="/inbox/?from=test", minutes_ago=10),
        "someone_elses": _tell(network.users["cm_a"], "For cm_a only."),
    }


def _state() -> list[tuple[Any, ...]]:
    return list(Notification.objects.order_by("pk").values_list("pk", "read_at", "updated_at"))


def test_the_header_badge_counts_the_users_unread_notifications(web, inbox):
    page = web("referrer").get("/inbox/").content.decode()
    assert '<span class="badge" aria-label="2 unread">2</span>' in page
    assert 'aria-label="1 unread"' in web("cm_a").get("/").content.decode()
    assert "badge" not in web("um").get("/inbox/").content.decode().split("</header>")[0]


def test_the_list_is_the_users_own_newest_first_with_the_unread_marked(web, inbox):
    page = web("referrer").get("/inbox/").content.decode()
    assert page.index("Newest and unread.") < page.index("Older and unread.") < page.index("Oldest, already read.")
    assert "For cm_a only." not in page
    assert page.count('class="badge unread-badge"') == 2 and page.count('<tr id="notification-') == 3
    unread_only = web("referrer").get("/inbox/?unread=1").content.decode()
    assert "Oldest, already read." not in unread_only and "Newer" not in unread_only


def test_the_list_pages_twenty_five_at_a_time(web, network):
    for n in range(30):
        _tell(network.users["referrer"], f"Step {n:02d}.", minutes_ago=n)
    first = web("referrer").get("/inbox/").content.decode()
    assert "Step 00." in first and "Step 24." in first and "Step 25." not in first and "?page=2" in first
    second = web("referrer").get("/inbox/?page=2").content.decode()
    assert "Step 25." in second and "Step 29." in second and "Step 24." not in second and "Page 2 of 2" in second


def test_opening_one_marks_it_read_and_goes_to_its_page(web, network, inbox):
    response = web("referrer").get(f"/inbox/{inbox['older'].pk}/")
    assert response.status_code == 302 and response["Location"] == "/referrals/"
    inbox["older"].refresh_from_db()
    assert inbox["older"].read_at is not None
    event = AuditEvent.objects.get(action="notification.read", object_id=str(inbox["older"].pk))
    assert event.actor == network.users["referrer"]
    web("referrer").get(f"/inbox/{inbox['older'].pk}/")  # again: still read, nothing more recorded
    assert AuditEvent.objects.filter(action="notification.read").count() == 1


def test_a_link_to_another_site_is_never_followed(web, network):
    notification = _tell(network.users["referrer"], "Odd link.", link="//evil.example/phish")
    response = web("referrer").get(f"/inbox/{notification.pk}/")
    assert response["Location"] == "/inbox/"


def test_mark_read_answers_the_row_to_htmx_and_a_redirect_otherwise(web, inbox):
    client = web("referrer")
    row = client.post(f"/inbox/{inbox['newest'].pk}/read/", headers={"HX-Request": "true"}).content.decode()
    assert row.startswith(f'<tr id="notification-{inbox["newest"].pk}"') and "Mark read" not in row
    plain = client.post(f"/inbox/{inbox['older'].pk}/read/", {"page": "2"})
    assert plain.status_code == 302 and plain["Location"] == "/inbox/?page=2"
    assert not Notification.objects.filter(user__username="dr_pcp", read_at__isnull=True).exists()


def test_mark_all_read_marks_only_the_users_own(web, inbox):
    listing = web("referrer").post("/inbox/read-all/", headers={"HX-Request": "true"}).content.decode()
    assert "Mark all read" not in listing and "unread-badge" not in listing
    assert not Notification.objects.filter(user__username="dr_pcp", read_at__isnull=True).exists()
    inbox["someone_elses"].refresh_from_db()
    assert inbox["someone_elses"].read_at is None
    event = AuditEvent.objects.get(action="notification.read_all")
    assert event.after == {"marked": 2} and event.actor_label == "dr_pcp"
    response = web("cm_a").post("/inbox/read-all/", follow=True)
    assert "1 notification marked read." in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/inbox/{id}/"), ("post", "/inbox/{id}/read/")],
)
def test_another_users_notification_is_not_found_and_unchanged(web, inbox, method, path):
    before = _state()
    for name in ("cm_a", "um", "referrer_cbo"):
        response = getattr(web(name), method)(path.format(id=inbox["newest"].pk))
        assert response.status_code == 404 and "Newest and unread." not in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/inbox/"), ("get", "/inbox/{id}/"), ("post", "/inbox/{id}/read/"), ("post", "/inbox/read-all/")],
)
def test_anonymous_and_unverified_callers_sign_in_first_and_change_nothing(network, inbox, method, path):
    before = _state()
    anonymous = getattr(Client(), method)(path.format(id=inbox["newest"].pk))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    unverified = Client()
    unverified.force_login(network.users["referrer"])
    response = getattr(unverified, method)(path.format(id=inbox["newest"].pk))
    assert response.status_code == 302 and "/otp/" in response["Location"]
    assert _state() == before


def test_marking_read_takes_a_post(web, inbox):
    assert web("referrer").get(f"/inbox/{inbox['newest'].pk}/read/").status_code == 405
    assert web("referrer").get("/inbox/read-all/").status_code == 405
    inbox["newest"].refresh_from_db()
    assert inbox["newest"].read_at is None


# ---- The API ----------------------------------------------------------------------------------------------------


def test_the_api_lists_the_callers_own_newest_first_and_the_unread_alone(api, inbox):
    listed = api("referrer").get("/notifications").json()
    assert [n["message"] for n in listed["items"]] == [
        "Newest and unread.",
        "Older and unread.",
        "Oldest, already read.",
    ]
    assert listed["count"] == 3 and listed["items"][1]["url"].endswith("/referrals/")
    unread = api("referrer").get("/notifications", unread="true").json()
    assert [n["id"] for n in unread["items"]] == [str(inbox["newest"].pk), str(inbox["older"].pk)]
    assert [n["message"] for n in api("cm_a").get("/notifications").json()["items"]] == ["For cm_a only."]
    assert api(None).get("/notifications").status_code == 401


def test_the_api_marks_ones_own_read_and_answers_404_for_anothers(api, inbox):
    before = _state()
    assert api("cm_a").post(f"/notifications/{inbox['newest'].pk}/read").status_code == 404
    assert api(None).post(f"/notifications/{inbox['newest'].pk}/read").status_code == 401
    assert _state() == before
    marked = api("referrer").post(f"/notifications/{inbox['newest'].pk}/read")
    assert marked.status_code == 200 and marked.json()["read_at"] is not None


def test_the_api_marks_all_of_ones_own_read(api, inbox):
    assert api("referrer").post("/notifications/read-all").json() == {"marked": 2}
    assert api("referrer").post("/notifications/read-all").json() == {"marked": 0}
    assert api("cm_a").get("/notifications", unread="true").json()["count"] == 1
