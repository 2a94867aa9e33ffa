"""Issue #14's "done when", tried in a real browser as a member, a referrer and plan staff would: an assignment, an
enrollment and an opt-out (Spanish), a denial and its appeal, overturned (Chinese), and a Community Supports
authorization (a Vietnamese reader: English with the taglines) each produce the right letter in the member's
language, on the member record (the PDF opens) and in the day's mail batch made on the mailroom page; the referrer
gets the email (a real SMTP server on this machine) and the inbox item (badge, opened, marked read); the overturned
appeal authorizes and the referral moves on; the public page shows the plan's live offer.

The state changes a letter is owed for are made through the pages; what comes before them (a referral sent, found
eligible) through the API. The live server runs no worker: the mailroom's and the email's tasks are run here, where
the worker would have run them.
"""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from playwright.sync_api import expect

from calaim.accounts.models import Role, User
from calaim.appeals.models import Appeal
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from calaim.ecm.models import Enrollment
from calaim.members.models import Member
from calaim.notices.email import notification_email_task
from calaim.notices.mailroom import notice_send_task
from calaim.notices.models import MailBatch, Notice, NoticeKind, Notification
from calaim.referrals.models import Referral
from tests.community_supports import test_cs_flow as cs_flow
from tests.conftest import referral_body
from tests.factories import MemberFactory, UserFactory
from tests.notices import conftest as notices_fixtures
from tests.notices.conftest import Mailbox, text_of

# Fixtures of other suites: a real SMTP server on this machine, and a Community Supports provider with its staff.
smtp = notices_fixtures.smtp
cs_provider = cs_flow.cs_provider

TODAY = plan_today()
REFERRER_EMAIL = "dr.pcp@clinic.example"
ASSIGNMENT = NoticeKind.ECM_ASSIGNMENT_LETTER.label
ENROLLMENT = NoticeKind.ECM_ENROLLMENT_LETTER.label
OPT_OUT = NoticeKind.ECM_DISENROLLMENT_LETTER.label
DENIAL = NoticeKind.NOTICE_OF_ACTION.label
ACKNOWLEDGMENT = NoticeKind.APPEAL_ACKNOWLEDGMENT.label
RESOLUTION = NoticeKind.APPEAL_RESOLUTION.label
CS_AUTHORIZATION = NoticeKind.CS_AUTHORIZATION_LETTER.label


@pytest.fixture
def people(network: Any) -> dict[str, User]:
    """The network's users, the plan's appeals coordinator, and an email address for the PCP's referrer."""
    network.users["appeals"] = UserFactory(username="appeals", role=Role.PLAN_APPEALS, organization=network.hpsj)
    referrer = network.users["referrer"]
    referrer.email = REFERRER_EMAIL
    referrer.save(update_fields=["email"])
    return network.users  # type: ignore[no-any-return]


def _member(language: str) -> Member:
    return cast(
        Member,
        MemberFactory(
            experiencing_homelessness=True,
            language=language,
            address_line="1200 N El Dorado St",
            city="Stockton",
            zip_code="95202",
        ),
    )


def _eligible(api: Any, member: Member) -> tuple[str, AuthorizationRequest]:
    """The PCP's referrer refers the member for ECM and intake finds them eligible: the UM's request waits."""
    created = api("referrer").post("/referrals", referral_body(member))
    assert created.status_code == 201, created.content
    referral_id = created.json()["id"]
    assert api("intake").post(f"/referrals/{referral_id}/eligibility-determination").status_code == 201
    return referral_id, AuthorizationRequest.objects.get(referral_id=referral_id)


def run_tasks() -> None:
    """What the worker would have done by now: the mailroom's task for each planned notice (a member's letter
    produced; a referrer's or provider's notice put in their inboxes), then the email task for each notification."""
    for notice_id in Notice.objects.filter(status="planned").values_list("pk", flat=True):
        notice_send_task.call(str(notice_id))
    for notification_id in Notification.objects.filter(emailed_at=None).exclude(email="").values_list("pk", flat=True):
        notification_email_task.call(str(notification_id))


def letters_on_record(page: Any, member: Member, letters: dict[str, str]) -> None:
    """On the member record's Notices, each letter (its kind's label: the language it is written in) is produced
    and its PDF opens."""
    page.goto(f"/members/{member.pk}/")
    notices = page.get_by_role("region", name="Notices", exact=True)
    for label, language in letters.items():
        row = notices.get_by_role("row").filter(has_text=label)
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell").nth(3)).to_contain_text(language)
        expect(row.get_by_role("cell").nth(4)).to_have_text("Produced, to be mailed")
        href = row.get_by_role("link", name=re.compile("^View PDF")).get_attribute("href")
        response = page.request.get(href)
        assert response.status == 200, (label, response.status)
        assert response.headers["content-type"] == "application/pdf" and response.body()[:5] == b"%PDF-"


def mail_batch_made(page: Any, member: Member, labels: list[str]) -> None:
    """Member services make the day's mail batch on the mailroom page; its page lists the member's letters."""
    page.goto("/mailroom/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mailroom")
    expect(page.get_by_label("Mail date")).to_have_value(TODAY.strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Make the mail batch").click()
    expect(page.get_by_role("status")).to_contain_text(f"Mail batch made: {len(labels)} letter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Mail batch of {TODAY:%m/%d/%Y}")
    rows = page.get_by_role("row").filter(has_text=member.cin)
    for label in labels:
        expect(rows.filter(has_text=label)).to_have_count(1)
    batch = MailBatch.objects.get()
    assert set(Notice.objects.filter(mail_batch=batch).values_list("status", flat=True)) == {"sent"}


def emailed(smtp: Mailbox, ending: str, path: str, member: Member) -> None:
    """The referrer was emailed what happened and the page's link, and nothing about the member."""
    texts = [text_of(message) for message in smtp.to(REFERRER_EMAIL)]
    said = [text for text in texts if ending in text]
    assert said, texts
    assert path in said[0]
    for phi in (member.first_name, member.last_name, member.cin, member.birth_date.isoformat()):
        assert phi not in said[0]


def inbox_item_opened(page: Any, user: User, saying: str, path: str) -> None:
    """The badge counts the unread items; opening the one `saying` goes to its page and marks it read."""
    unread = Notification.objects.filter(user=user, read_at=None).count()
    assert unread >= 1
    page.goto("/inbox/")
    expect(page.get_by_label(f"{unread} unread", exact=True)).to_have_text(str(unread))
    item = Notification.objects.filter(user=user, message__contains=saying).latest("created_at")
    row = page.locator(f"#notification-{item.pk}")
    expect(row).to_contain_text("Unread")
    row.get_by_role("link", name=item.message).click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    page.goto("/inbox/")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Read")
    left = unread - 1
    expect(page.get_by_label(f"{left} unread", exact=True)).to_have_count(1 if left else 0)


def test_assignment_enrollment_and_opt_out_letters_in_spanish_and_the_referrer_told(
    signed_in: Any, api: Any, people: dict[str, User], smtp: Mailbox, shot: Any
) -> None:
    member = _member("es")
    referral_id, authorization = _eligible(api, member)
    assert api("um").post(f"/authorizations/{authorization.pk}/decision", {"outcome": "approve"}).status_code == 200

    # Intake assigns the provider: the assignment notice is owed.
    intake = signed_in("intake")
    intake.goto(f"/referrals/{referral_id}/")
    intake.get_by_role("link", name="Assign an ECM provider").click()
    intake.get_by_role("radio", name=re.compile(r"^Alpha Care Partners")).check()
    intake.get_by_role("button", name="Assign provider").click()
    expect(intake.get_by_role("status")).to_contain_text("Assigned to Alpha Care Partners")
    enrollment = Enrollment.objects.get(member=member)
    api("sup_a").post(f"/enrollments/{enrollment.pk}/lead-care-manager", {"care_manager": "cm_a"})
    outreach = {"attempted_on": TODAY.isoformat(), "method": "phone", "reached": True, "minutes_spent": 15}
    assert api("cm_a").post(f"/enrollments/{enrollment.pk}/outreach-attempts", outreach).status_code == 201

    # The care manager enrolls the member: the enrollment letter is owed.
    cm = signed_in("cm_a")
    cm.goto(f"/members/{member.pk}/")
    cm.get_by_role("region", name="ECM enrollment", exact=True).get_by_role("link", name="Enroll member").click()
    cm.get_by_role("button", name="Enroll member").click()
    expect(cm.get_by_role("status")).to_contain_text("Enrolled in ECM")

    # The member calls member services to opt out: the discontinuation letter is owed.
    ms = signed_in("member_services")
    ms.goto(f"/members/{member.pk}/")
    ecm = ms.get_by_role("region", name="ECM enrollment", exact=True)
    ecm.get_by_text("End ECM or record an opt-out").click()
    ecm.get_by_label("Reason").select_option(label="Member declined or opted out")
    ecm.get_by_label("Note").fill("Member called to opt out")
    ecm.get_by_role("button", name="End ECM").click()
    ms.get_by_role("button", name="Confirm: end ECM").click()
    expect(ms.get_by_role("status")).to_contain_text("ECM ended")

    run_tasks()
    letters_on_record(ms, member, {ASSIGNMENT: "Spanish", ENROLLMENT: "Spanish", OPT_OUT: "Spanish"})
    shot(ms, "record-letters")
    mail_batch_made(ms, member, [ASSIGNMENT, ENROLLMENT, OPT_OUT])
    shot(ms, "mail-batch")

    # The referrer: an email for each step, and the inbox.
    path = f"/referrals/{referral_id}/"
    for ending in ("was authorized.", "was assigned to an ECM provider.", "the member declined."):
        emailed(smtp, ending, path, member)
    referrer = signed_in("referrer")
    inbox_item_opened(referrer, people["referrer"], "was assigned to an ECM provider.", path)
    shot(referrer, "referrer-inbox")
    referrer.goto(path)
    expect(referrer.locator("#referral-status")).to_have_text("Member declined")


def test_a_denial_in_chinese_appealed_and_overturned_authorizes(
    signed_in: Any, api: Any, people: dict[str, User], smtp: Mailbox, shot: Any
) -> None:
    member = _member("zh")
    referral_id, authorization = _eligible(api, member)

    # The UM denies: the Notice of Action is owed.
    um = signed_in("um")
    um.goto(f"/authorizations/{authorization.pk}/decision/")
    um.get_by_role("radio", name="Deny", exact=True).check()
    um.get_by_label("Reason").fill("Not homeless per HMIS")
    um.get_by_label("Criteria used").fill("ECM Policy Guide, adult POF 1")
    um.get_by_role("button", name="Record decision").click()
    expect(um.get_by_role("status")).to_contain_text("Decision recorded: Denied")
    run_tasks()

    # Member services see the notice in Chinese and file the member's appeal from it.
    ms = signed_in("member_services")
    letters_on_record(ms, member, {DENIAL: "Chinese"})
    notices = ms.get_by_role("region", name="Notices", exact=True)
    notices.get_by_role("row").filter(has_text=DENIAL).get_by_role("link", name="File an appeal").click()
    ms.get_by_label("How the appeal came in").select_option(label="Phone")
    ms.get_by_label("Why the member disagrees").fill("She has slept in her car since March.")
    ms.get_by_role("button", name="File the appeal").click()
    expect(ms.get_by_role("status")).to_contain_text("the acknowledgment letter is queued")
    appeal = Appeal.objects.get(member=member)

    # The appeals coordinator is told in the inbox, opens the appeal and overturns the denial.
    coordinator = signed_in("appeals")
    inbox_item_opened(coordinator, people["appeals"], "An appeal was filed", f"/appeals/{appeal.pk}/")
    coordinator.goto(f"/appeals/{appeal.pk}/")
    resolve = coordinator.get_by_role("region", name="Resolve")
    resolve.get_by_role("radio", name=re.compile("^Overturned")).check()
    resolve.get_by_label("Reason (sent to the member)").fill("The shelter's letter shows she is homeless.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(coordinator.get_by_role("status")).to_contain_text("Appeal resolved")
    expect(coordinator.get_by_role("main")).to_contain_text("Authorization: Approved")
    shot(coordinator, "appeal-overturned")
    authorization.refresh_from_db()
    assert authorization.status == "approved"

    # The referral moves on: authorized, as a UM approval would leave it.
    intake = signed_in("intake")
    intake.goto(f"/referrals/{referral_id}/")
    expect(intake.locator("#referral-status")).to_have_text("Authorized")
    assert Referral.objects.get(pk=referral_id).status == "authorized"

    run_tasks()
    letters_on_record(ms, member, {DENIAL: "Chinese", ACKNOWLEDGMENT: "Chinese", RESOLUTION: "Chinese"})
    shot(ms, "record-letters")
    mail_batch_made(ms, member, [DENIAL, ACKNOWLEDGMENT, RESOLUTION])
    emailed(smtp, "was authorized.", f"/referrals/{referral_id}/", member)


def test_a_cs_authorization_letter_in_english_with_taglines_and_the_public_offer(
    signed_in: Any, api: Any, people: dict[str, User], cs_provider: Any, smtp: Mailbox, new_page: Any, shot: Any
) -> None:
    member = _member("vi")  # Vietnamese is not a threshold language of HPSJ in San Joaquin
    created = api("referrer").post(
        "/community-supports/requests", cs_flow.form(member, cs_flow.service("recuperative_care"))
    )
    assert created.status_code == 201, created.content
    request = created.json()[0]

    um = signed_in("um")
    um.goto(f"/authorizations/{request['authorization_id']}/decision/")
    um.get_by_role("radio", name="Approve", exact=True).check()
    um.get_by_role("button", name="Record decision").click()
    expect(um.get_by_role("status")).to_contain_text("Decision recorded: Approved")

    run_tasks()
    ms = signed_in("member_services")
    letters_on_record(ms, member, {CS_AUTHORIZATION: "English (prefers Vietnamese; taglines included)"})
    mail_batch_made(ms, member, [CS_AUTHORIZATION])
    path = f"/community-supports/requests/{request['id']}/"
    emailed(smtp, "authorized.", path, member)
    provider = signed_in("cs")
    inbox_item_opened(provider, people["cs"], "was authorized with your organization", path)
    shot(provider, "cs-provider-inbox")

    # The public page, no sign-in: the plan's contracted ECM providers and Community Supports, live.
    public = new_page()
    public.goto("/public/HPSJ/en/")
    providers = public.get_by_role("table", name="Contracted ECM providers in San Joaquin County")
    expect(providers.get_by_role("rowheader")).to_contain_text(["Alpha Care Partners", "Bravo Health Navigators"])
    supports = public.get_by_role("table", name="Community Supports offered in San Joaquin County and since when")
    expect(supports).to_contain_text("Recuperative Care")
    shot(public, "public-offer")
