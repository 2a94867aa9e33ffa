"""The CS provider's worklist as queues: each list filtered by member and service, sorted by its headers, paged,
and downloaded as CSV (the PHI read log notes each member exported); another role or provider gets nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from tests.cs_web.test_worklist import in_service, section
from tests.factories import CsRequestFactory, MemberFactory
from tests.queues.helpers import download, page

pytestmark = pytest.mark.django_db
TODAY = plan_today()
CURRENT = (TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=5))


def test_in_service_is_filtered_and_sorted(web: Any, network: Any, cs_provider: Any) -> None:
    rows = [
        in_service(cs_provider, name, (CURRENT[0], CURRENT[1] + dt.timedelta(days=n)))
        for n, name in enumerate(["Avila", "Baker", "Chen"])
    ]
    meals = CsRequestFactory(
        authorized=True,
        status="in_service",
        provider=cs_provider,
        service_code="medically_tailored_meals",
        member=MemberFactory(last_name="Diaz"),
    )
    client = web("cs")
    html = section(page(client), "svc-h")
    assert "In service (4)" in html and html.index("Avila") < html.index("Baker") < html.index("Chen")
    by_name = section(page(client, **{"cs_in_service-sort": "-name"}), "svc-h")
    assert by_name.index("Diaz") < by_name.index("Chen") < by_name.index("Avila")
    assert 'aria-sort="descending"' in by_name
    only_meals = section(
        page(client, **{"cs_in_service-filtered": "1", "cs_in_service-service": "medically_tailored_meals"}), "svc-h"
    )
    assert "In service (1)" in only_meals and meals.member.cin in only_meals and "Avila" not in only_meals
    by_cin = section(
        page(client, **{"cs_in_service-filtered": "1", "cs_in_service-member": rows[1].member.cin.lower()}), "svc-h"
    )
    assert "Baker" in by_cin and "Avila" not in by_cin
    none = section(page(client, **{"cs_in_service-filtered": "1", "cs_in_service-member": "Zzz"}), "svc-h")
    assert "No requests match these filters." in none


def test_pages_of_a_long_list(web: Any, network: Any, cs_provider: Any, monkeypatch: Any) -> None:
    from calaim.web.views import cs_worklist

    monkeypatch.setattr(cs_worklist, "IN_SERVICE", dataclasses.replace(cs_worklist.IN_SERVICE, page_size=2))
    for name in ("Avila", "Baker", "Chen"):
        in_service(cs_provider, name, CURRENT)
    first = section(page(web("cs"), **{"cs_in_service-sort": "name"}), "svc-h")
    assert "In service (3)" in first and "Avila" in first and "Baker" in first and "Chen" not in first
    assert 'Next<span class="sr-only"> page of requests in service' in first
    second = section(page(web("cs"), **{"cs_in_service-sort": "name", "cs_in_service-page": "2"}), "svc-h")
    assert "Chen" in second and "Avila" not in second


def test_the_csv_lists_what_the_page_lists_and_logs_the_read(web: Any, network: Any, cs_provider: Any) -> None:
    current = in_service(cs_provider, "Current", CURRENT)
    ended = in_service(cs_provider, "Ended", (CURRENT[0], TODAY - dt.timedelta(days=1)))
    _, rows = download(web("cs"), "cs_in_service")
    assert rows[0][:4] == ["CIN", "Last name", "First name", "Service"]
    assert [row[0] for row in rows[1:]] == [current.member.cin]
    assert rows[1][3] == "Recuperative Care (Medical Respite)" and rows[1][5] == CURRENT[1].isoformat()
    _, gone = download(web("cs"), "cs_ended")
    assert [row[0] for row in gone[1:]] == [ended.member.cin]
    reads = PhiRead.objects.filter(user=network.users["cs"], view="web:queue_export")
    assert {read.member_id for read in reads} == {current.member_id, ended.member_id}


@pytest.mark.parametrize("caller", [None, "cm_a", "um", "referrer", "cs_other"])
def test_only_the_provider_exports_its_own(
    web: Any, network: Any, cs_provider: Any, other_cs: Any, caller: Any
) -> None:
    current = in_service(cs_provider, "Current", CURRENT)
    for queue in ("cs_in_service", "cs_ended", "cs_awaiting_first", "cs_deliveries"):
        response = web(caller).get(f"/queues/{queue}.csv")
        if caller is None:
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        elif caller == "cs_other":
            body = b"".join(response.streaming_content).decode()
            assert response.status_code == 200 and current.member.cin not in body
        else:
            assert response.status_code == 404
    assert not PhiRead.objects.filter(member=current.member, view="web:queue_export").exists()
