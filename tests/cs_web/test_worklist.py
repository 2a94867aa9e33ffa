"""The CS provider's worklist: "In service" lists only authorizations in force on the plan's today; one that has
ended is listed apart until the provider closes it; another provider sees neither."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.core.clock import plan_today
from tests.factories import CsRequestFactory, MemberFactory

pytestmark = pytest.mark.django_db
TODAY = plan_today()


def section(html: str, heading_id: str) -> str:
    """The worklist section headed by `heading_id`, up to the next section."""
    return html.split(f'<section aria-labelledby="{heading_id}"', 1)[1].split("</section>", 1)[0]


def in_service(provider: Any, last_name: str, period: tuple[dt.date, dt.date] | None) -> Any:
    request = CsRequestFactory(
        authorized=True,
        status="in_service",
        provider=provider,
        member=MemberFactory(last_name=last_name, experiencing_homelessness=True),
        requested_start=TODAY - dt.timedelta(days=20),
        requested_end=TODAY - dt.timedelta(days=7) if period is None else period[1],
    )
    authorization = request.authorization
    authorization.period_start, authorization.period_end = period or (None, None)
    authorization.save(update_fields=["period_start", "period_end"])
    return request


def test_in_service_excludes_an_ended_authorization(web: Any, network: Any, cs_provider: Any, other_cs: Any) -> None:
    current = in_service(cs_provider, "Current", (TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=5)))
    last_day = in_service(cs_provider, "Lastday", (TODAY - dt.timedelta(days=20), TODAY))
    ended = in_service(cs_provider, "Ended", (TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=1)))
    asked_only = in_service(cs_provider, "Askedonly", None)  # no period on the authorization: the dates asked for
    html = web("cs").get("/").content.decode()
    serving, gone = section(html, "svc-h"), section(html, "ended-h")
    assert "In service (2)" in serving
    assert current.member.cin in serving and last_day.member.cin in serving
    assert ended.member.cin not in serving and asked_only.member.cin not in serving
    assert "Authorization ended, not yet closed (2)" in gone
    assert ended.member.cin in gone and asked_only.member.cin in gone and current.member.cin not in gone
    assert f'href="/community-supports/requests/{ended.pk}/"' in gone
    assert f"{(TODAY - dt.timedelta(days=20)):%Y-%m-%d} to {(TODAY - dt.timedelta(days=1)):%Y-%m-%d}" in gone
    other = web("cs_other").get("/").content.decode()
    assert "In service (0)" in other and "Authorization ended, not yet closed (0)" in other
    assert ended.member.cin not in other and current.member.cin not in other


def test_a_closed_request_leaves_the_ended_list(web: Any, network: Any, cs_provider: Any) -> None:
    ended = in_service(cs_provider, "Ended", (TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=1)))
    assert ended.member.cin in section(web("cs").get("/").content.decode(), "ended-h")
    closed = web("cs").post(f"/community-supports/requests/{ended.pk}/close/", {"reason": "Stay completed"})
    assert closed.status_code == 302
    assert ended.member.cin not in web("cs").get("/").content.decode()
