"""What keeps the PHI read log complete as the code grows, and the rules it applies to each answer.

The log notes a member whenever a member row, or a row with a foreign key to a member, is materialized. Two things
would slip past it: a model holding member data without such a key, and a read that returns rows as values
(`.values()`, `.values_list()`, raw SQL) instead of models. Both are listed here with why each is safe, so a new
one fails until someone decides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from calaim.core.middleware import disclosed
from calaim.core.models import PhiRead
from calaim.core.phi import (
    ReadCollector,
    ReadContext,
    client_address,
    collecting,
    collecting_end,
    note_member,
    phi_reads_record,
    stream_collecting,
)
from calaim.members.models import Member
from calaim.members.signals import member_links
from tests.factories import MemberFactory

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = {
    "core",
    "members",
    "referrals",
    "authorizations",
    "ecm",
    "careplans",
    "community_supports",
    "notices",
    "appeals",
}

# Models of the domain apps with no foreign key to a member, and why their reads are still on record.
WITHOUT_MEMBER_KEY = {
    "members.Member": "the member row itself",
    "referrals.LoopEvent": "read with its referral or CS request, which names the member",
    "referrals.LoopVocabulary": "reference data",
    "referrals.LoopTransition": "reference data",
    "careplans.Goal": "goal_get and the care plan pages load it with its care plan",
    "careplans.Intervention": "intervention_get loads it with its goal's care plan",
    "community_supports.CsService": "reference data",
    "community_supports.CsOffering": "reference data",
    "community_supports.CsLimitSettings": "reference data",
    "community_supports.CsBillingCode": "reference data",
    "notices.NoticeLetter": "read only through its notice (notice_letter_get), whose row names the member",
    "notices.MailBatch": "names no member; its letters are read as notices (mail_batch_letters, mail_batch_members)",
    "notices.TranslationReview": "a translator's sign-off on a template; names no member",
    "notices.Notification": "carries no PHI by design (what happened and a link); the linked page logs its reads",
    "ecm.CareManagerLanguages": "the languages a care manager speaks: staff data, names no member",
}

# Reads returning values rather than models, in the modules that answer callers, and why none shows a member.
VALUE_READS = {
    "calaim/web/dashboard.py": (5, "counts and durations grouped by POF, county, month, urgency, provider"),
    "calaim/web/views/supervisor_worklist.py": (1, "the supervisor's counts of enrollments per plan"),
    "calaim/web/templatetags/ecm_tags.py": (1, "a discontinuation reason's label"),
    "calaim/plans/selectors.py": (3, "reference codes"),
    "calaim/ecm/selectors.py": (2, "caseload counts per provider; the languages each care manager speaks"),
    "calaim/authorizations/selectors.py": (2, "ids of requests for the clock tasks, outside any request"),
    "calaim/jobs/selectors.py": (1, "the health check's SELECT 1"),
    "calaim/community_supports/selectors.py": (1, "the catalog's service names"),
    "calaim/web/dashboard_cache.py": (1, "SET LOCAL jit = off, before the dashboard's aggregates"),
    "calaim/public/selectors.py": (2, "the public pages' reference names: POF and referral source labels"),
}
VALUE_READ = re.compile(r"\.values\(\s*[^)\s]|\.values_list\(|\.raw\(|\.extra\(|connection\.cursor\(|RawSQL\(")


def test_every_model_holding_member_data_notes_its_member():
    linked = {model._meta.label for model in member_links()}
    domain = {model._meta.label for model in apps.get_models() if model._meta.app_label in DOMAIN_APPS}
    assert domain - linked == set(WITHOUT_MEMBER_KEY), (
        "A model with member data and no foreign key to the member escapes the PHI read log: give it the key, "
        "or list it in WITHOUT_MEMBER_KEY with how its reads reach the member."
    )


def _answering_modules() -> list[Path]:
    presentation = [*ROOT.glob("calaim/web/**/*.py"), *ROOT.glob("calaim/api/**/*.py")]
    readers = [*ROOT.glob("calaim/*/selectors.py"), *ROOT.glob("calaim/access/*.py")]
    return sorted(p for p in {*presentation, *readers} if "migrations" not in p.parts)


def test_reads_returning_values_are_each_accounted_for():
    found = {}
    for path in _answering_modules():
        count = len(VALUE_READ.findall(path.read_text()))
        if count:
            found[str(path.relative_to(ROOT))] = count
    unaccounted = {path: count for path, count in found.items() if count > VALUE_READS.get(path, (0, ""))[0]}
    assert not unaccounted, (
        "A read returning values instead of models escapes the PHI read log: call calaim.core.phi.note_members "
        "with the members it shows, or list it in VALUE_READS saying why it shows no member's data."
    )


@pytest.mark.parametrize(
    ("response", "shown"),
    [
        (HttpResponse(status=200), True),
        (HttpResponse(status=302), True),
        (HttpResponse(status=400), True),  # a page shown again with its form's errors
        (HttpResponse(status=409, content_type="text/html"), True),
        (JsonResponse({"detail": []}, status=400), False),  # an API error shows no member
        (JsonResponse({"detail": []}, status=422), False),
        (HttpResponse(status=401), False),
        (HttpResponse(status=403), False),
        (HttpResponse(status=404), False),
        (HttpResponse(status=405), False),
        (HttpResponse(status=500), False),
    ],
)
def test_which_answers_count_as_having_shown_what_was_read(response, shown):
    assert disclosed(response) is shown


@pytest.mark.parametrize(
    ("meta", "proxies", "address"),
    [
        ({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, 0, "192.0.2.1"),
        ({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5"}, 1, "203.0.113.5"),
        ({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, 2, "192.0.2.1"),  # too few hops
        ({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "not-an-address"}, 1, None),
        ({"REMOTE_ADDR": "2001:db8::1"}, 0, "2001:db8::1"),
        ({}, 0, None),
    ],
)
def test_the_client_address(meta, proxies, address):
    assert client_address(meta, proxies) == address


def test_a_stream_notes_while_it_runs_and_reports_once_even_when_cut_short():
    collector, reported = ReadCollector(), []

    def chunks():
        for n in range(3):
            note_member(n)
            yield b"x"

    stream = stream_collecting(chunks(), collector, lambda: reported.append(set(collector.member_ids)))
    next(stream)
    note_member("outside")  # between chunks the collector is not current
    next(stream)
    stream.close()
    assert reported == [{0, 1}]


def test_a_streamed_response_is_flushed_when_it_ends():
    collector, reported = ReadCollector(), []
    response = StreamingHttpResponse(iter([b"a", b"b"]))
    response.streaming_content = stream_collecting(response.streaming_content, collector, lambda: reported.append(1))
    assert b"".join(response.streaming_content) == b"ab" and reported == [1]


def test_nothing_is_noted_without_a_collector():
    note_member("x")  # no error, nowhere to go
    collector = ReadCollector()
    token = collecting(collector)
    try:
        note_member("y")
        Member(first_name="Unsaved")  # an unsaved instance is noted, then dropped when no such member is stored
    finally:
        collecting_end(token)
    note_member("z")
    assert "y" in collector.member_ids and "z" not in collector.member_ids and len(collector.member_ids) == 2


@pytest.mark.django_db
def test_only_stored_members_are_written_each_with_its_plan(network):
    stored, linked_only = MemberFactory(), MemberFactory(plan_id=network.hpsm.plan_id, county__name="San Mateo")
    collector = ReadCollector()
    token = collecting(collector)
    try:
        loaded = Member.objects.get(pk=stored.pk)  # a row from the database: its plan is taken as it came
        Member(plan_id=stored.plan_id, county_id=stored.county_id, cin="99999999Z")  # made in memory, never saved
        note_member(linked_only.pk)  # known by id alone, as from a referral's member_id
    finally:
        collecting_end(token)
    context = ReadContext(network.users["intake"].pk, "intake", "plan_intake", "r1", "v", "GET", "/", "", None, 200)
    assert phi_reads_record(context, collector) == 2
    written = {(r.member_id, r.plan_id) for r in PhiRead.objects.all()}
    assert written == {(loaded.pk, stored.plan_id), (linked_only.pk, network.hpsm.plan_id)}


@pytest.mark.django_db
def test_many_members_go_in_several_statements_together(network, monkeypatch):
    members = MemberFactory.create_batch(30, enrolled=False)
    monkeypatch.setattr("calaim.core.phi_insert.ROWS_PER_STATEMENT", 7)
    collector = ReadCollector()
    token = collecting(collector)
    try:
        for member in members:
            note_member(member.pk)
    finally:
        collecting_end(token)
    context = ReadContext(network.users["intake"].pk, "intake", "plan_intake", "r2", "v", "GET", "/", "", None, 200)
    assert phi_reads_record(context, collector) == 30
    assert set(PhiRead.objects.values_list("member_id", flat=True)) == {m.pk for m in members}
