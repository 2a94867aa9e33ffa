"""What the letters tell the member of their rights: the Notice of Action's "Your Rights" (appeal in 60 days, fast
appeal, aid paid pending, free copies, State Fair Hearing in 120 days) and the Independent Medical Review only where
the plan is Knox-Keene licensed; what the Notice of Action records of the decision; the extension notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from calaim.authorizations.services import (
    Decision,
    authorization_decision_check,
    authorization_decision_record,
    authorization_extend,
    authorization_lock,
)
from calaim.core.clock import add_business_days, local_date, plan_today
from calaim.notices.letters import letter_preview, letter_render
from calaim.notices.letters.language import LanguageChoice
from calaim.notices.letters.selection import letter_select_version
from calaim.notices.mailroom import notice_send
from calaim.notices.models import Notice, NoticeKind, NoticeLetter
from calaim.plans.models import Plan, ProgramSettings
from calaim.workflows.authorization_clock import authorization_clocks_sweep
from tests.factories import AuthorizationFactory, CsRequestFactory
from tests.notices.test_letter_pdf import pdf_text, squeeze

pytestmark = pytest.mark.django_db
RIGHTS = [
    "You must ask within 60 calendar days of the date of this letter",
    "We will decide within 72 hours",
    "ask for the appeal within 10 days of the date of this letter",
    "You can ask for free copies of all the documents, records and other information",
    "You must ask within 120 calendar days of the date of the plan's appeal decision letter",
]
IMR = "Independent Medical Review (IMR)"


def _licensed(code: str, licensed: bool) -> None:
    settings = ProgramSettings.objects.get(plan__code=code)
    settings.knox_keene_licensed = licensed
    settings.save()  # a reference row's save clears the cached settings


def _text(notice: Notice) -> str:
    assert notice_send(notice_id=notice.pk) is True
    return squeeze(pdf_text(bytes(NoticeLetter.objects.get(notice=notice).pdf)))


def _decide(authorization, actor, **decision) -> None:
    with transaction.atomic():
        locked = authorization_lock(authorization)
        authorization_decision_check(actor=actor, authorization=locked, decision=Decision(**decision))
        authorization_decision_record(actor=actor, authorization=locked, decision=Decision(**decision))


@pytest.mark.parametrize("licensed", [True, False])
def test_your_rights_names_the_imr_only_for_a_knox_keene_licensed_plan(network, licensed):
    _licensed("HPSJ", licensed)
    authorization = AuthorizationFactory()
    _decide(authorization, network.users["um"], outcome="deny", reason="Not homeless per HMIS", criteria="A1 POF")
    text = _text(Notice.objects.get(kind=NoticeKind.NOTICE_OF_ACTION))
    for right in RIGHTS:
        assert squeeze(right) in text, right
    assert (squeeze(IMR) in text) is licensed
    assert squeeze("Not homeless per HMIS") in text and squeeze("A1 POF") in text


def test_the_shared_appeal_rights_text_no_longer_promises_an_imr(reference):
    assert all("Independent Medical Review" not in s.appeal_rights for s in ProgramSettings.objects.all())
    assert ProgramSettings.objects.filter(knox_keene_licensed=True).exists()


def test_an_ecm_denial_records_the_program_and_the_decision_date(network):
    authorization = AuthorizationFactory()
    _decide(authorization, network.users["um"], outcome="deny", reason="Not eligible", criteria="ECM Policy Guide")
    notice = Notice.objects.get(kind=NoticeKind.NOTICE_OF_ACTION)
    assert notice.due_date == plan_today()
    content = notice.content
    assert (content["program"], content["deemed"], content["determination"]) == ("ecm", False, "denied")
    assert content["decision_date"] == plan_today().isoformat() and content["request_kind"] == "initial"
    text = _text(notice)
    assert squeeze("Health Plan of San Joaquin has denied your request for Enhanced Care Management.") in text


def test_a_modified_cs_approval_names_the_service_the_dates_asked_for_and_what_was_approved(network):
    request = CsRequestFactory(
        member__plan=Plan.objects.get(code="HPSJ"), quantity=14, requested_start=dt.date(2026, 7, 1),
        requested_end=dt.date(2026, 7, 14),
    )  # fmt: skip
    authorization = AuthorizationFactory(referral=None, member=request.member, program="cs")
    request.authorization = authorization
    request.save()
    _decide(authorization, network.users["um"], outcome="approve_modified", modification="7 days, then review")
    notice = Notice.objects.get(kind=NoticeKind.NOTICE_OF_ACTION)
    content = notice.content
    assert (content["program"], content["service_code"], content["determination"]) == (
        "cs", "recuperative_care", "approved_modified"
    )  # fmt: skip
    assert (content["requested_start"], content["requested_end"], content["requested_quantity"]) == (
        "2026-07-01", "2026-07-14", "14"
    )  # fmt: skip
    text = _text(notice)
    for phrase in (
        "approved your request for Recuperative Care (Medical Respite), but changed it",
        "July 1, 2026 to July 14, 2026",
        "What we approved instead",
        "7 days, then review",
    ):
        assert squeeze(phrase) in text, phrase


def test_a_denial_by_operation_of_law_says_no_decision_was_made_in_time(network):
    now = timezone.now()
    authorization = AuthorizationFactory(due_at=now - dt.timedelta(hours=2), ceiling_at=now - dt.timedelta(hours=1))
    assert authorization_clocks_sweep(now=now)["deemed_denied"] == 1
    notice = Notice.objects.get(kind=NoticeKind.NOTICE_OF_ACTION)
    expired_on = local_date(authorization.ceiling_at)
    assert notice.content["deemed"] is True and notice.content["decision_date"] == expired_on.isoformat()
    assert notice.due_date == expired_on
    assert squeeze("did not make a decision on your request for Enhanced Care Management within the time") in _text(
        notice
    )


def test_an_extension_owes_the_member_a_letter_with_the_reason_and_the_right_to_grieve(network):
    authorization = AuthorizationFactory()
    extended = authorization_extend(actor=network.users["um"], authorization=authorization, reason="Awaiting records")
    notice = Notice.objects.get(kind=NoticeKind.AUTHORIZATION_EXTENSION_LETTER)
    assert notice.recipient == "member" and notice.referral_id == authorization.referral_id
    assert notice.due_date == add_business_days(plan_today(), 2)  # HPSJ is Knox-Keene licensed
    content = notice.content
    assert content["reason"] == "Awaiting records" and content["extension_days"] == 14
    assert content["decision_due"] == local_date(extended.due_at).isoformat()
    text = _text(notice)
    for phrase in ("We need more time to decide your request", "Awaiting records", "the right to file a grievance"):
        assert squeeze(phrase) in text, phrase


@pytest.mark.parametrize(("reason_code", "rights"), [("unable_to_reach", True), ("opted_out", False)])
def test_a_plan_initiated_ending_carries_your_rights_and_an_opt_out_does_not(reference, reason_code, rights):
    content = {
        "provider": "Alpha Care Partners",
        "reason": "x",
        "reason_code": reason_code,
        "effective_on": "2026-06-30",
        "other_supports": ["Complex Care Management"],
    }
    plan = Plan.objects.get(code="HPSJ")
    letter = _render(plan, "ecm_disenrollment_letter", content)
    assert (squeeze("Your Rights") in letter) is rights
    assert (squeeze("We received your request to stop Enhanced Care Management") in letter) is (not rights)
    assert squeeze("June 30, 2026") in letter and squeeze("Complex Care Management") in letter


@pytest.mark.parametrize(("outcome", "hearing"), [("upheld", True), ("overturned", False)])
def test_an_upheld_appeal_gives_the_hearing_deadline_and_an_overturned_one_does_not(reference, outcome, hearing):
    content = {"appeal_id": "A-1", "outcome": outcome, "reason": "Reviewed", "hearing_deadline": "2026-10-28"}
    text = _render(Plan.objects.get(code="HPSJ"), "appeal_resolution", content)
    assert (squeeze("The last day to ask for a State Fair Hearing is October 28, 2026.") in text) is hearing
    assert squeeze("Ask the plan for an appeal") not in text  # the plan's appeal is behind the member now


def _render(plan: Plan, key: str, content: dict) -> str:
    selection = letter_select_version(key, "2026.1", plan_code=plan.code)
    letter = letter_render(
        kind=selection.template.kind,
        selection=selection,
        choice=LanguageChoice("en", "en", True),
        plan=plan,
        addressee={"name": "Ana Member"},
        content=content,
        on=dt.date(2026, 6, 1),
    )
    return squeeze(pdf_text(letter.rendered.pdf))


def test_a_preview_is_marked_as_a_sample(reference):
    letter = letter_preview(key="notice_of_action", version="2026.1", language="es", plan=Plan.objects.get(code="HPSM"))
    text = squeeze(pdf_text(letter.rendered.pdf))
    assert squeeze("SAMPLE: made-up data for review; not a letter to a member.") in text
    assert squeeze("awaiting review by a qualified translator") in text and squeeze("Sample Member") in text
