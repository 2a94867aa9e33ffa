"""Plan compliance staff read the PHI read log of their own plan's members, by member, by user and by date, in the
web app (paged, with a CSV export) and through the API; reading the log is itself logged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from calaim.core.clock import PLAN_TIME_ZONE, plan_today
from calaim.core.models import PhiRead
from tests.factories import MemberFactory
from tests.phi.conftest import read_members, reads

pytestmark = pytest.mark.django_db
LOG = "/compliance/phi-reads/"


@pytest.fixture
def logged(web, api, network):
    """HPSJ members read by intake and by member services, and an HPSM member read by HPSM intake."""
    alma, bruno = MemberFactory(last_name="Alma"), MemberFactory(last_name="Bruno")
    mateo = MemberFactory(last_name="Mateo", plan_id=network.hpsm.plan_id, county__name="San Mateo")
    web("intake").get(f"/members/{alma.pk}/")
    web("member_services").get(f"/members/{bruno.pk}/")
    api("member_services").get(f"/members/{alma.pk}")
    api("hpsm_intake").get(f"/members/{mateo.pk}")
    assert PhiRead.objects.count() == 4
    return {"alma": alma, "bruno": bruno, "mateo": mateo}


def _rows(response) -> str:
    assert response.status_code == 200, response.content
    return response.content.decode().split("<tbody>")[-1] if b"<tbody>" in response.content else ""


def test_compliance_sees_the_reads_of_their_plans_members_and_nothing_else(web, logged):
    body = _rows(web("compliance").get(LOG))
    assert body.count("<tr>") == 3
    assert "Alma" in body and "Bruno" in body and "Mateo" not in body
    assert "web:member" in body and "api:get_member" in body
    hpsm = _rows(web("hpsm_compliance").get(LOG))
    assert hpsm.count("<tr>") == 1 and "Mateo" in hpsm and "Alma" not in hpsm


def test_the_log_per_member(web, logged):
    body = _rows(web("compliance").get(LOG, {"member": logged["alma"].cin}))
    assert body.count("<tr>") == 2 and "Bruno" not in body
    assert "intake" in body and "ms" in body


def test_the_log_per_user(web, logged):
    body = _rows(web("compliance").get(LOG, {"user": "ms"}))
    assert body.count("<tr>") == 2 and "Alma" in body and "Bruno" in body


def test_another_plans_member_is_not_found_by_cin(web, logged):
    response = web("compliance").get(LOG, {"member": logged["mateo"].cin})
    assert response.status_code == 400
    assert b"No member of your plan has this CIN." in response.content and b"<tbody>" not in response.content


def test_the_date_range_is_in_plan_local_days_both_included(web, logged):
    today = plan_today()
    old = PhiRead.objects.filter(member=logged["bruno"]).get()
    old.at = dt.datetime.combine(today - dt.timedelta(days=40), dt.time(23, 30), tzinfo=PLAN_TIME_ZONE)
    old.save()
    day = (today - dt.timedelta(days=40)).isoformat()
    that_day = _rows(web("compliance").get(LOG, {"start": day, "end": day}))
    assert that_day.count("<tr>") == 1 and "Bruno" in that_day
    # Compliance's own reads are logged too: ask for member services' reads alone.
    recent = _rows(web("compliance").get(LOG, {"user": "ms", "start": (today - dt.timedelta(days=39)).isoformat()}))
    assert "Bruno" not in recent and "Alma" in recent
    backwards = web("compliance").get(LOG, {"start": today.isoformat(), "end": day})
    assert backwards.status_code == 400 and b"on or after the start date" in backwards.content


def test_pages_follow_each_other_without_gaps_or_repeats(web, network):
    members = [MemberFactory() for _ in range(3)]
    now = timezone.now()
    PhiRead.objects.bulk_create(
        PhiRead(
            at=now - dt.timedelta(seconds=n // 2),  # pairs share a time: the id breaks the tie
            request_id=f"r{n}", user=network.users["intake"], user_label="intake", member=members[n % 3],
            plan_id=members[0].plan_id, view="web:member", method="GET", path=f"/p/{n}", status=200,
        )
        for n in range(120)
    )  # fmt: skip
    client, seen, query = web("compliance"), [], {"user": "intake"}
    while True:
        response = client.get(LOG, query)
        assert response.status_code == 200
        page = response.context["page"]
        assert len(page.rows) == (50 if len(seen) < 100 else 20)
        seen += [read.path for read in page.rows]
        if page.next_cursor is None:
            break
        query["before"] = page.next_cursor
    latest_first = sorted(range(120), key=lambda n: (n // 2, -n))  # by time, then the later id first
    assert seen == [f"/p/{n}" for n in latest_first]


def test_the_csv_export_holds_the_reads_and_is_itself_logged(web, network, logged):
    response = web("compliance").get("/compliance/phi-reads.csv", {"user": "ms"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not reads(user=network.users["compliance"])  # written when the stream ends, not before
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {(r["member_cin"], r["view"]) for r in rows} == {
        (logged["alma"].cin, "api:get_member"),
        (logged["bruno"].cin, "web:member"),
    }
    assert all(r["user"] == "ms" and r["ip"] == "127.0.0.1" for r in rows)
    exported = reads(user=network.users["compliance"])
    assert {r.member_id for r in exported} == {logged["alma"].pk, logged["bruno"].pk}
    assert {(r.view, r.query) for r in exported} == {("web:phi_log_csv", "user=ms")}


def test_a_spreadsheet_formula_in_a_search_is_exported_as_text(web, network):
    member = MemberFactory(last_name="Formula")
    PhiRead.objects.create(
        at=timezone.now(), request_id="x", user=network.users["intake"], user_label="intake", member=member,
        plan_id=member.plan_id, view="web:member_search", method="GET", path="/members/search/",
        query='=HYPERLINK("http://evil")', status=200,
    )  # fmt: skip
    content = b"".join(web("compliance").get("/compliance/phi-reads.csv").streaming_content).decode()
    assert "'=HYPERLINK" in content


def test_reading_the_log_is_logged(web, network, logged):
    web("compliance").get(LOG, {"member": logged["alma"].cin})
    assert read_members(user=network.users["compliance"], view="web:phi_log") == {logged["alma"].pk}


def test_the_api_lists_reads_by_member_user_and_date(api, network, logged):
    client = api("compliance")
    alma = client.get("/phi-reads", member_id=str(logged["alma"].pk)).json()["items"]
    assert [(i["username"], i["view"], i["method"]) for i in alma] == [
        ("ms", "api:get_member", "GET"),
        ("intake", "web:member", "GET"),
    ]
    assert alma[0]["ip"] == "127.0.0.1" and alma[0]["path"] == f"/api/members/{logged['alma'].pk}"
    assert alma[0]["member_cin"] == logged["alma"].cin and alma[0]["status"] == 200
    assert client.get("/phi-reads", username="ms").json()["count"] == 2
    everything = client.get("/phi-reads").json()  # compliance's own reads so far are in it too
    assert {i["member_cin"] for i in everything["items"]} == {logged["alma"].cin, logged["bruno"].cin}
    assert {i["username"] for i in everything["items"]} == {"intake", "ms", "hpsj.compliance"}
    tomorrow = (plan_today() + dt.timedelta(days=1)).isoformat()
    assert client.get("/phi-reads", start=tomorrow).json()["count"] == 0


def test_the_api_refuses_other_roles_and_other_plans(api, network, logged):
    alma = str(logged["alma"].pk)
    assert api("hpsm_compliance").get("/phi-reads", member_id=alma).status_code == 404
    assert api("hpsm_compliance").get("/phi-reads").json()["count"] == 1
    assert api("intake").get("/phi-reads").status_code == 403
    assert api("intake").get("/phi-reads", member_id=alma).status_code == 403
    assert api("cm_a").get("/phi-reads").status_code == 403
    assert api(None).get("/phi-reads").status_code == 401


def test_compliance_lands_on_the_log_and_a_record_links_to_its_reads(web, logged):
    home = web("compliance").get("/")
    assert home.status_code == 302 and home["Location"] == LOG
    record = web("compliance").get(f"/members/{logged['alma'].pk}/").content.decode()
    assert f'href="{LOG}?member={logged["alma"].cin}"' in record
    assert LOG not in web("member_services").get(f"/members/{logged['alma'].pk}/").content.decode()
