"""The UM queue: each request's clock in words (extended and why, overdue and when it is deemed denied, decided
late, deemed denied) with a legend; filters, sort orders, paging and a CSV export noted in the PHI read log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from calaim.authorizations.services import authorization_extend
from calaim.core.models import PhiRead
from calaim.workflows.authorization_clock import authorization_clocks_sweep
from calaim.workflows.authorization_decision import authorization_decide
from tests.factories import AuthorizationFactory, CsRequestFactory, MemberFactory, ReferralFactory
from tests.um.conftest import late

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _words(response: Any) -> str:
    assert response.status_code == 200, response.content[:300]
    return re.sub(r"\s+", " ", unescape(strip_tags(response.content.decode())))


def _named(last_name: str, **fields: Any) -> Any:
    referral = ReferralFactory(member=MemberFactory(last_name=last_name), status="pending_authorization")
    return AuthorizationFactory(referral=referral, **fields)


@pytest.fixture
def mix(network: Any) -> dict[str, Any]:
    """One request in each state the clock can show."""
    um, now = network.users["um"], timezone.now()
    extended = _named("Extendo")
    authorization_extend(actor=um, authorization=extended, reason="Awaiting the hospital's discharge summary")
    overdue = late(referral=ReferralFactory(member=MemberFactory(last_name="Overdew"), status="pending_authorization"))
    decided_late = late(referral=ReferralFactory(member=MemberFactory(last_name="Latedecided")))
    authorization_decide(actor=um, authorization=decided_late, outcome="approve", reason="Meets A1")
    deemed = _named("Deemedson", received_at=now - 20 * DAY, due_at=now - 10 * DAY, ceiling_at=now - DAY)
    authorization_clocks_sweep()
    fresh = _named("Freshly", urgency="expedited", due_at=now + 2 * DAY)
    cs = AuthorizationFactory(referral=None, program="cs", member=MemberFactory(last_name="Csqueue"))
    CsRequestFactory(member=cs.member, authorization=cs, status="pending_authorization")
    return {"extended": extended, "overdue": overdue, "late": decided_late, "deemed": deemed, "fresh": fresh, "cs": cs}


def _row(response: Any, name: str) -> str:
    """The words of the queue's row for the member."""
    rows = re.findall(r"<tr.*?</tr>", response.content.decode(), re.S)
    (row,) = [r for r in rows if f"{name}," in r]
    return re.sub(r"\s+", " ", unescape(strip_tags(row)))


def test_the_queue_shows_extended_overdue_and_a_legend(web, mix):
    response = web("um").get("/")
    page = _words(response)
    assert "Extended on" in _row(response, "Extendo")
    assert "(Awaiting the hospital's discharge summary)" in _row(response, "Extendo")
    assert "Overdue — deemed denied if still undecided at the end of" in _row(response, "Overdew")
    assert "Extended" not in _row(response, "Overdew")
    assert "What the clock says" in page and "Decided late" in page and "Deemed denied" in page  # the legend
    # Until the reviewer filters, the undecided only: the decided ones wait behind the status filter.
    assert "Latedecided" not in page and "Deemedson" not in page
    assert page.index("Overdew") < page.index("Freshly") < page.index("Extendo")  # soonest due first


def test_decided_requests_show_decided_late_and_deemed_denied(web, mix):
    response = web("um").get("/", {"um-filtered": "1", "um-status": "decided"})
    assert "Decided late" in _row(response, "Latedecided") and "Deemed denied" in _row(response, "Deemedson")
    assert "Deemed denied" not in _row(response, "Latedecided")
    page = _words(response)
    assert "Overdew" not in page and "Freshly" not in page


def test_overdue_or_late_only(web, mix):
    page = _words(web("um").get("/", {"um-filtered": "1", "um-late": "on"}))
    assert all(name in page for name in ("Overdew", "Latedecided", "Deemedson"))
    assert not any(f"{name}," in page for name in ("Extendo", "Freshly", "Csqueue"))


@pytest.mark.parametrize(
    ("filters", "shown", "hidden"),
    [
        ({"um-program": "cs"}, ["Csqueue"], ["Freshly", "Extendo"]),
        ({"um-urgency": "expedited"}, ["Freshly"], ["Csqueue", "Extendo"]),
        ({"um-extended": "yes"}, ["Extendo"], ["Freshly", "Overdew"]),
        ({"um-extended": "no", "um-status": "undecided"}, ["Freshly", "Overdew"], ["Extendo"]),
        ({"um-kind": "reauthorization"}, [], ["Freshly", "Extendo", "Overdew"]),
        ({"um-member": "overd"}, ["Overdew"], ["Freshly"]),
    ],
)
def test_filters(web, mix, filters, shown, hidden):
    page = _words(web("um").get("/", {"um-filtered": "1", "um-status": "undecided", **filters}))
    assert all(f"{name}," in page for name in shown), page
    assert not any(f"{name}," in page for name in hidden)


def test_sort_by_member_and_by_received(web, mix):
    by_name = _words(web("um").get("/", {"um-sort": "member"}))
    names = ["Csqueue", "Extendo", "Freshly", "Overdew"]
    assert [by_name.index(f"{n},") for n in names] == sorted(by_name.index(f"{n},") for n in names)
    latest_first = _words(web("um").get("/", {"um-sort": "-received"}))
    assert latest_first.index("Overdew,") > latest_first.index("Freshly,")  # received 8 days ago: last


def test_paging(web, network):
    for n in range(52):
        _named(f"Paged{n:02d}", due_at=timezone.now() + (n + 1) * dt.timedelta(hours=1))
    first = _words(web("um").get("/"))
    assert "Paged00," in first and "Paged49," in first and "Paged50," not in first and "Page 1 of 2" in first
    second = _words(web("um").get("/", {"um-page": "2"}))
    assert "Paged50," in second and "Paged51," in second and "Paged00," not in second


def test_another_plan_sees_none_of_them(web, mix):
    page = _words(web("hpsm_um").get("/"))
    assert "Overdew" not in page and "Extendo" not in page


def test_the_csv_export_has_the_rows_and_their_timeliness_and_is_logged(web, network, mix):
    response = web("um").get("/queues/um.csv", {"um-filtered": "1", "um-late": "on"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["Last name"]: row for row in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {"Overdew", "Latedecided", "Deemedson"}
    assert rows["Latedecided"]["Timeliness"] == "Decided late"
    assert rows["Deemedson"]["Timeliness"] == "Deemed denied: no decision in time"
    assert rows["Overdew"]["Timeliness"].startswith("Overdue — deemed denied")
    assert rows["Overdew"]["CIN"] == mix["overdue"].member.cin
    logged = set(
        PhiRead.objects.filter(user=network.users["um"], view="web:queue_export").values_list("member_id", flat=True)
    )
    assert logged == {mix[k].member_id for k in ("overdue", "late", "deemed")}


@pytest.mark.parametrize("who", ["intake", "cm_a", "referrer", "hpsm_intake"])
def test_only_um_reviewers_export_it(web, mix, who):
    assert web(who).get("/queues/um.csv").status_code == 404
    assert not PhiRead.objects.filter(view="web:queue_export").exists()


def test_another_plans_um_exports_only_its_own(web, mix):
    response = web("hpsm_um").get("/queues/um.csv", {"um-filtered": "1"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 1  # the header alone
