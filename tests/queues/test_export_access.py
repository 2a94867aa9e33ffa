"""Who may download which queue: anonymous callers sign in first, another role's queue is not found, and another
organization's or colleague's rows never appear; nothing is logged as read when nothing was sent."""

from __future__ import annotations

import pytest

from calaim.core.models import PhiRead
from tests.queues.helpers import download

pytestmark = pytest.mark.django_db


def test_anonymous_callers_are_sent_to_sign_in(web, enrolled):
    response = web(None).get("/queues/cm_caseload.csv")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not PhiRead.objects.filter(view="web:queue_export").exists()


@pytest.mark.parametrize(
    ("name", "queue"),
    [
        ("referrer", "cm_caseload"),
        ("um", "cm_tasks"),
        ("sup_a", "cm_caseload"),  # the supervisor's own queues are their worklist's, not the care manager's
        ("member_services", "my_referrals"),
        ("cm_a", "contact_updates"),
        ("cm_a", "no_such_queue"),
    ],
)
def test_another_roles_queue_is_not_found(web, enrolled, name, queue):
    response = web(name).get(f"/queues/{queue}.csv")
    assert response.status_code == 404
    assert not PhiRead.objects.filter(view="web:queue_export").exists()


def test_other_organizations_and_colleagues_export_only_their_own(web, network, enrolled):
    member = enrolled["member"]
    _, own = download(web("cm_a"), "cm_caseload")
    assert [row[2] for row in own[1:]] == [member.cin]
    for name in ("cm_b", "cm_a2"):  # another provider; a colleague who does not lead this member
        _, rows = download(web(name), "cm_caseload")
        assert rows == [own[0]]
        assert not PhiRead.objects.filter(user=network.users[name], member=member).exists()
    _, referrals = download(web("referrer_cbo"), "my_referrals")
    assert member.cin not in str(referrals)  # the PCP's referral, not the CBO's
