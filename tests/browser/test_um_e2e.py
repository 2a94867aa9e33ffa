"""A UM reviewer in Chromium: finds a Community Supports request in the queue by filtering, reads the service,
the units and what remains of the member's limits on the decision page, and approves it; an overdue request offers
no extension, and its extension page says why."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.models import AuditEvent
from tests.community_supports.test_cs_flow import cs_provider  # noqa: F401 - fixture
from tests.factories import MemberFactory, ReferralFactory
from tests.um.conftest import cs_pending, late  # noqa: F401 - fixture and helper


def test_um_opens_a_cs_request_from_the_queue_reads_units_and_limits_and_decides(
    signed_in,
    network,
    cs_provider,  # noqa: F811
    cs_pending,  # noqa: F811
    shot,
):
    overdue = late(referral=ReferralFactory(member=MemberFactory(last_name="Overdew"), status="pending_authorization"))
    page = signed_in("um")
    page.get_by_label("Program").select_option(label="Community Supports")
    page.get_by_role("button", name=re.compile("^Filter")).click()
    expect(page.get_by_role("row").filter(has_text="Overdew")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Csreview")
    expect(row).to_have_count(1)
    shot(page, "queue-filtered")
    row.get_by_role("link", name=re.compile("^Decide")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("UM decision for")
    expect(page.get_by_role("heading", name=re.compile("Recuperative Care"))).to_be_visible()
    expect(page.locator("#cs-units")).to_have_text("14 days")
    expect(page.get_by_text("Discharged after pneumonia with IV antibiotics")).to_be_visible()
    expect(page.get_by_text(re.compile(r"10 of 183 days used.*may cover up to 173 days"))).to_be_visible()
    expect(page.get_by_text("Approving as asked fits the member's limits.")).to_be_visible()
    shot(page, "decision-cs")
    page.get_by_role("radio", name="Approve", exact=True).check()
    page.get_by_label("Reason").fill("Recovering from pneumonia; 14 days fit the limits")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded: Approved.")
    decided = AuthorizationRequest.objects.get(pk=cs_pending.pk)
    assert decided.status == "approved" and not decided.decided_late
    assert (
        AuditEvent.objects.get(action="authorization.approve", object_id=str(cs_pending.pk)).actor
        == network.users["um"]
    )

    # The overdue request: no Extend link in the queue; its extension page refuses and offers the decision.
    overdue_row = page.get_by_role("row").filter(has_text="Overdew")
    expect(overdue_row).to_contain_text("Overdue — deemed denied if still undecided")
    expect(overdue_row.get_by_role("link", name=re.compile("^Extend"))).to_have_count(0)
    page.goto(f"/authorizations/{overdue.pk}/extension/")
    expect(page.get_by_role("alert")).to_contain_text("already overdue, so it can no longer be extended")
    expect(page.get_by_label("Reason for the extension")).to_have_count(0)
    shot(page, "extension-refused")
    page.get_by_role("link", name="Decide now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("UM decision for")
    assert AuthorizationRequest.objects.get(pk=overdue.pk).extended_at is None
