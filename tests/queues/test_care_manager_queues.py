"""The care manager's worklist: each queue filters, sorts and pages; its CSV holds the filtered rows, safe for a
spreadsheet, and every exported member is in the PHI read log under the care manager's name."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from calaim.careplans.models import CarePlan, OutreachAttempt, Task, TaskKind, TaskStatus
from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from calaim.web.views import care_worklist
from tests.factories import EnrollmentFactory
from tests.queues.helpers import download, page, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(network):
    """Three members cm_a leads (Adams enrolled with a care plan overdue for review, Baker and Cruz assigned),
    one cm_a2 leads, and one with provider B."""
    cm, today = network.users["cm_a"], plan_today()
    made = {}
    for last, enrolled in (("Adams", True), ("Baker", False), ("Cruz", False)):
        made[last] = EnrollmentFactory(enrolled=enrolled, lead_care_manager=cm, referral__member__last_name=last)
    made["Other"] = EnrollmentFactory(lead_care_manager=network.users["cm_a2"], referral__member__last_name="Otherlead")
    made["Bravo"] = EnrollmentFactory(provider=network.provider_b, referral__member__last_name="Bravomember")
    CarePlan.objects.create(
        member=made["Adams"].member, enrollment=made["Adams"], organization=network.provider_a,
        last_reviewed_on=today - dt.timedelta(days=200), next_review_on=today - dt.timedelta(days=3), created_by=cm,
    )  # fmt: skip
    return made


def _task(enrollment, owner, due, kind=TaskKind.OUTREACH, description="", status=TaskStatus.REQUESTED):
    return Task.objects.create(
        member=enrollment.member, enrollment=enrollment, organization=enrollment.provider, owner=owner,
        kind=kind, due_date=due, description=description, status=status,
    )  # fmt: skip


@pytest.fixture
def tasks(network, caseload):
    cm, today = network.users["cm_a"], plan_today()
    return {
        "overdue": _task(caseload["Adams"], cm, today - dt.timedelta(days=2), description="Call back"),
        "today": _task(caseload["Baker"], None, today, kind=TaskKind.ASSESSMENT),
        "next_week": _task(caseload["Cruz"], cm, today + dt.timedelta(days=5), description='=HYPERLINK("x")'),
        "later": _task(caseload["Cruz"], cm, today + dt.timedelta(days=30), description="Far off"),
        "colleague": _task(caseload["Other"], network.users["cm_a2"], today, description="Not mine"),
    }


def test_tasks_start_at_today_or_overdue_and_filter_by_due_kind_and_owner(web, tasks):
    client = web("cm_a")
    whole = page(client)
    assert 'id="top-q"' in whole  # the header's member search
    body = section(whole, "Open tasks", "Caseload")
    assert "Call back" in body and "Comprehensive assessment" in body
    assert "HYPERLINK" not in body and "Far off" not in body and "Not mine" not in body
    week = section(page(client, **{"cm_tasks-filtered": "1", "cm_tasks-due": "week"}), "Open tasks", "Caseload")
    assert "HYPERLINK" in week and "Far off" not in week
    every = section(page(client, **{"cm_tasks-filtered": "1"}), "Open tasks", "Caseload")
    assert "Far off" in every and "Not mine" not in every  # a colleague's task is never in the queue
    unassigned = page(client, **{"cm_tasks-filtered": "1", "cm_tasks-owner": "unassigned"})
    assert "Comprehensive assessment" in section(unassigned, "Open tasks", "Caseload")
    assert "Call back" not in section(unassigned, "Open tasks", "Caseload")
    kind = page(client, **{"cm_tasks-filtered": "1", "cm_tasks-kind": TaskKind.ASSESSMENT})
    assert "Call back" not in section(kind, "Open tasks", "Caseload")
    member = page(client, **{"cm_tasks-filtered": "1", "cm_tasks-member": "cruz"})
    assert "Far off" in section(member, "Open tasks", "Caseload") and "Call back" not in section(member, "Open tasks")


def test_tasks_sort_by_header_with_aria_sort(web, tasks):
    client = web("cm_a")
    rows = section(page(client, **{"cm_tasks-filtered": "1", "cm_tasks-sort": "-due"}), "Open tasks", "Caseload")
    assert rows.index("Far off") < rows.index("HYPERLINK") < rows.index("Call back")
    assert 'aria-sort="descending"' in rows.split("<tbody>")[0]
    by_name = section(page(client, **{"cm_tasks-filtered": "1", "cm_tasks-sort": "name"}), "Open tasks", "Caseload")
    assert by_name.index("Adams") < by_name.index("Baker") < by_name.index("Cruz")
    head = by_name.split("<tbody>")[0]
    assert head.count("aria-sort=") == 1 and 'aria-sort="ascending"' in head
    assert "cm_tasks-sort=-name" in head  # the current column's link reverses it
    assert "cm_tasks-filtered=1" in head  # and keeps the filters


def test_pages_of_a_queue_keep_the_filters_and_the_other_queues(web, tasks, monkeypatch):
    monkeypatch.setattr(care_worklist, "TASKS", dataclasses.replace(care_worklist.TASKS, page_size=2))
    client = web("cm_a")
    params = {"cm_tasks-filtered": "1", "cm_tasks-sort": "due", "cm_caseload-sort": "-name"}
    first = section(page(client, **params), "Open tasks", "Caseload")
    assert "Call back" in first and "Far off" not in first and "Page 1 of 2" in first
    assert "cm_tasks-page=2" in first and "cm_caseload-sort=-name" in first
    second = page(client, **params, **{"cm_tasks-page": "2"})
    assert "Far off" in section(second, "Open tasks", "Caseload") and "Call back" not in section(second, "Open tasks")
    caseload = section(second, "Caseload")
    assert caseload.index("Cruz") < caseload.index("Adams")  # the caseload kept its own order


def test_caseload_filters_by_status_and_review(web, caseload):
    client = web("cm_a")
    body = section(page(client), "Caseload")
    assert all(name in body for name in ("Adams", "Baker", "Cruz")) and "Otherlead" not in body
    enrolled = section(page(client, **{"cm_caseload-filtered": "1", "cm_caseload-status": "enrolled"}), "Caseload")
    assert "Adams" in enrolled and "Baker" not in enrolled
    overdue = section(page(client, **{"cm_caseload-filtered": "1", "cm_caseload-review": "overdue"}), "Caseload")
    assert "Adams" in overdue and "Cruz" not in overdue
    no_plan = section(page(client, **{"cm_caseload-filtered": "1", "cm_caseload-review": "no_plan"}), "Caseload")
    assert "Adams" not in no_plan and "Cruz" in no_plan
    bad = page(client, **{"cm_caseload-filtered": "1", "cm_caseload-status": "bogus"})
    assert "Select a valid choice" in bad and "Cruz" in section(bad, "Caseload")  # the field in error does not filter


def test_outreach_and_new_assignments_filter_and_sort(web, network, caseload):
    today, cm = plan_today(), network.users["cm_a"]
    for n, last in enumerate(("Baker", "Baker", "Cruz")):
        e = caseload[last]
        OutreachAttempt.objects.create(
            member=e.member, enrollment=e, organization=e.provider, attempted_on=today - dt.timedelta(days=n),
            method="phone", reached=False, minutes_spent=5, performed_by=cm,
        )  # fmt: skip
    client = web("cm_a")
    outreach = section(page(client), "Outreach due", "Open tasks")
    assert outreach.index("Cruz") < outreach.index("Baker")  # longest since the last attempt first
    twice = section(page(client, **{"cm_outreach-filtered": "1", "cm_outreach-attempts": "2"}), "Outreach due", "Open")
    assert "Baker" in twice and "Cruz" not in twice
    fresh = EnrollmentFactory(referral__member__last_name="Newcomer")
    new = section(page(client, **{"cm_new-filtered": "1", "cm_new-member": fresh.member.cin.lower()}), "New assign")
    assert "Newcomer" in new.split("Outreach due")[0]


def test_csv_holds_the_filtered_queue_and_the_read_log_names_each_member(web, network, tasks, caseload):
    response, rows = download(web("cm_a"), "cm_tasks", **{"cm_tasks-filtered": "1", "cm_tasks-sort": "-due"})
    assert response["Content-Disposition"] == f'attachment; filename="open-tasks-{plan_today().isoformat()}.csv"'
    assert rows[0] == ["Due", "Task", "Description", "Last name", "First name", "CIN", "Owner", "Status"]
    assert [row[2] for row in rows[1:]] == ["Far off", '\'=HYPERLINK("x")', "", "Call back"]
    assert rows[-1][3] == "Adams" and rows[-1][1] == "Outreach" and rows[2][6] != "" and rows[3][6] == "Unassigned"
    reads = PhiRead.objects.filter(user=network.users["cm_a"], view="web:queue_export")
    exported = {caseload[name].member_id for name in ("Adams", "Baker", "Cruz")}
    assert set(reads.values_list("member_id", flat=True)) == exported
    assert reads.filter(path="/queues/cm_tasks.csv", status=200).count() == 3


def test_caseload_csv_follows_the_filters(web, caseload):
    _, rows = download(web("cm_a"), "cm_caseload", **{"cm_caseload-filtered": "1", "cm_caseload-status": "assigned"})
    assert [row[0] for row in rows[1:]] == ["Baker", "Cruz"]
    assert rows[1][3] == "Assigned; outreach under way" and rows[1][4] == "No care plan yet"
    _, everyone = download(web("cm_a"), "cm_caseload")
    assert [row[0] for row in everyone[1:]] == ["Adams", "Baker", "Cruz"]
    assert everyone[1][4] == (plan_today() - dt.timedelta(days=3)).isoformat()


def test_the_page_links_to_the_export_with_its_filters(web, caseload):
    body = page(web("cm_a"), **{"cm_caseload-filtered": "1", "cm_caseload-status": "enrolled", "cm_caseload-page": "1"})
    assert "/queues/cm_caseload.csv?cm_caseload-filtered=1&amp;cm_caseload-status=enrolled" in body
    assert "cm_caseload.csv?cm_caseload-filtered=1&amp;cm_caseload-status=enrolled&amp;cm_caseload-page" not in body
