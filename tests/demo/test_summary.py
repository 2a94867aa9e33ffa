"""The demo says what it made in plain words, and refuses up front a member count too small to make it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from calaim.demo.management.commands.demo import MIN_DEMO_MEMBERS
from calaim.demo.summary import PHRASES, summary_line
from calaim.members.models import Member
from calaim.referrals.models import Referral

CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def test_every_count_reads_as_words_in_a_readers_order() -> None:
    counts = {key: index + 1 for index, key in enumerate(PHRASES)} | {"identified not_eligible": 2}
    line = summary_line("ECM referrals of the past year", counts)
    assert not CODE.search(line), CODE.findall(line)
    assert "2 not eligible (identified from the plan's data)" in line
    assert line.index("received, not yet reviewed") < line.index("enrolled")


def test_an_unknown_count_still_reads_without_underscores() -> None:
    assert summary_line("Letters", {"letters_misfiled": 3}) == "Letters: 3 letters misfiled."
    assert summary_line("Provider files", {}) == "Provider files: nothing new."


@pytest.mark.django_db
def test_too_few_members_are_refused_before_anything_is_written() -> None:
    with pytest.raises(CommandError, match=f"at least {MIN_DEMO_MEMBERS}"):
        call_command("demo", "--no-serve", "--members", str(MIN_DEMO_MEMBERS - 1), stdout=io.StringIO())
    assert not Member.objects.exists() and not Referral.objects.exists()
