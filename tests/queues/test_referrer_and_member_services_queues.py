"""The referrer's lists and member services' contact updates: filters, sorting, paging and CSV, each in scope."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from calaim.exchange.models import ContactUpdate
from calaim.referrals.models import ReferralStatus
from calaim.web.views import worklists
from tests.factories import CsRequestFactory, MemberFactory, ReferralFactory
from tests.queues.helpers import download, page, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(network):
    """Three referrals by the PCP's referrer (sent 10, 5 and 0 days ago), one by the CBO, and a CS request each."""
    now = timezone.now()
    made = {}
    for days, last, cin in ((10, "Alvarez", "93000001A"), (5, "Brooks", "93000002B"), (0, "Chen", "93000003C")):
        made[last] = ReferralFactory(
            member=MemberFactory(last_name=last, cin=cin), received_at=now - dt.timedelta(days=days)
        )
    ReferralFactory(  # Brooks twice
        status=ReferralStatus.DECLINED, member=made["Brooks"].member, received_at=now - dt.timedelta(days=7)
    )
    made["Cbo"] = ReferralFactory(
        member=MemberFactory(last_name="Cbomember"), submitted_by=network.users["referrer_cbo"]
    )
    for user in ("referrer", "referrer_cbo"):
        CsRequestFactory(member=made["Chen"].member, submitted_by=network.users[user])
    return made


def test_referrer_filters_by_member_name_or_cin_status_and_date(web, sent):
    client = web("referrer")
    body = section(page(client), "ECM referrals", "Community Supports requests")
    assert body.index("Chen") < body.index("Brooks") < body.index("Alvarez")  # newest first
    assert "Cbomember" not in body
    by_cin = section(page(client, **{"my_referrals-filtered": "1", "my_referrals-member": "9300 0002b"}), "ECM refer")
    assert "Brooks" in by_cin and "Alvarez" not in by_cin.split("Community Supports")[0]
    by_name = section(page(client, **{"my_referrals-filtered": "1", "my_referrals-member": "alv"}), "ECM referrals")
    assert "Alvarez" in by_name.split("Community Supports")[0] and "Chen (" not in by_name.split("Community")[0]
    declined = page(client, **{"my_referrals-filtered": "1", "my_referrals-status": ReferralStatus.DECLINED})
    assert section(declined, "ECM referrals", "Community Supports").count("Brooks") == 2  # the row and its link
    since = (plan_today() - dt.timedelta(days=6)).isoformat()
    recent = section(
        page(client, **{"my_referrals-filtered": "1", "my_referrals-sent_from": since}), "ECM", "Community"
    )
    assert "Brooks" in recent and "Alvarez" not in recent
    nobody = page(client, **{"my_referrals-filtered": "1", "my_referrals-member": "zzz"})
    assert "No referrals match these filters" in nobody


def test_referrer_sorts_and_pages(web, sent, monkeypatch):
    monkeypatch.setattr(worklists, "REFERRALS", dataclasses.replace(worklists.REFERRALS, page_size=2))
    client = web("referrer")
    first = section(page(client, **{"my_referrals-sort": "name"}), "ECM referrals", "Community Supports")
    assert first.index("Alvarez") < first.index("Brooks") and "Chen" not in first
    assert 'aria-sort="ascending"' in first and "Page 1 of 2" in first
    second = section(page(client, **{"my_referrals-sort": "name", "my_referrals-page": "2"}), "ECM referrals", "Comm")
    assert "Chen" in second and "Alvarez" not in second


def test_referrer_csv_lists_only_their_own(web, network, sent):
    _, rows = download(web("referrer"), "my_referrals", **{"my_referrals-sort": "sent"})
    assert rows[0][:4] == ["Sent", "Last name", "First name", "CIN"]
    assert [row[1] for row in rows[1:]] == ["Alvarez", "Brooks", "Brooks", "Chen"]
    assert "Cbomember" not in str(rows)
    reads = PhiRead.objects.filter(user=network.users["referrer"], view="web:queue_export")
    assert reads.count() == 3
    _, cs_rows = download(web("referrer"), "my_cs_requests")
    assert len(cs_rows) == 2 and cs_rows[1][1] == "Chen" and "Recuperative" in cs_rows[1][4]


def test_cs_requests_filter_by_service(web, sent):
    client = web("referrer")
    body = page(client, **{"my_cs_requests-filtered": "1", "my_cs_requests-service": "recuperative_care"})
    assert "Chen" in section(body, "Community Supports requests (")
    other = page(client, **{"my_cs_requests-filtered": "1", "my_cs_requests-service": "medically_tailored_meals"})
    assert "No requests match these filters" in other


def _update(member, provider, days_ago, **fields):
    return ContactUpdate.objects.create(
        member=member, plan=member.plan, provider=provider, reported_on=plan_today() - dt.timedelta(days=days_ago),
        **fields,
    )  # fmt: skip


@pytest.fixture
def updates(network):
    a, b = MemberFactory(last_name="Addressy"), MemberFactory(last_name="Phoney")
    hpsm = network.hpsm.plan
    elsewhere = MemberFactory(last_name="Matean", plan=hpsm, county=hpsm.counties.first())
    return [
        _update(a, network.provider_a, 3, new_address=True, address="=1+1 Main St", city="Stockton"),
        _update(b, network.provider_b, 1, new_phone=True, phone="+12095550100"),
        _update(elsewhere, network.provider_m, 2, new_phone=True, phone="+16505550100"),
    ]


def test_member_services_contact_updates_filter_sort_and_export(web, network, updates):
    client = web("member_services")
    body = section(page(client), "Contact updates from providers")
    assert body.index("Addressy") < body.index("Phoney") and "Matean" not in body  # oldest first, own plan only
    assert "(209) 555-0100" in body
    phones = section(page(client, **{"contact_updates-filtered": "1", "contact_updates-change": "phone"}), "Contact up")
    assert "Phoney" in phones and "Addressy" not in phones
    newest = section(page(client, **{"contact_updates-sort": "-reported"}), "Contact updates from providers")
    assert newest.index("Phoney") < newest.index("Addressy")
    _, rows = download(client, "contact_updates")
    assert [row[0] for row in rows[1:]] == ["Addressy", "Phoney"]
    assert rows[1][5] == "'=1+1 Main St, Stockton" and rows[2][7] == "'+12095550100"
    reads = PhiRead.objects.filter(user=network.users["member_services"], view="web:queue_export")
    assert set(reads.values_list("member_id", flat=True)) == {updates[0].member_id, updates[1].member_id}
