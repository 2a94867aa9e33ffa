"""The run's page shows `calaim identify`'s own summary table: the rows are held to what print_summary draws, so the
two cannot drift; and the server folder, the upload limit and the status a run shows while it runs."""

from __future__ import annotations

import io
import re

import pytest
from django.test import RequestFactory

from calaim.analytics.files import server_file_path, server_files
from calaim.analytics.models import IdentificationRun
from calaim.analytics.summary import run_summary, summary_rows, summary_title, summary_warnings
from calaim.analytics.uploads import body_too_large
from identification.report import print_summary
from identification.run import Summary


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


SUMMARY = Summary(
    engine="duckdb",
    rule_version="2026.1",
    claims_file="claims.csv",
    members_read=1200,
    claims_read=24000,
    unknown_member_claims=23,
    unknown_member_rows=list(range(5, 25)),
    candidates_by_pof={"A1": 7, "C3": 2},
    exclusions_by_reason={"DSNP": 4, "HOSPICE": 1},
    elapsed_seconds=3.14159,
    outputs=["/srv/out/candidates.csv"],
)


def test_the_summary_rows_are_those_the_command_draws():
    drawn = Terminal()
    print_summary(SUMMARY, drawn)
    table = re.sub(r"\x1b\[[0-9;]*m", "", drawn.getvalue())  # the warnings' colour
    assert summary_title(SUMMARY) in table
    for measure, value in summary_rows(SUMMARY):
        line = next(line for line in table.splitlines() if f" {measure} " in line)
        assert line.rstrip(" │|").endswith(f" {value}"), (measure, value, line)
    assert [m for m, _ in summary_rows(SUMMARY)] == [
        "members read", "claims read", "claims skipped: member_id not in members", "candidates A1", "candidates C3",
        "excluded: DSNP", "excluded: HOSPICE", "elapsed",
    ]  # fmt: skip
    warnings = summary_warnings(SUMMARY)
    assert warnings[0] == "file claims.csv, row 5, column member_id: not in the members file; claim skipped"
    assert warnings[-1] == "... and 3 more unknown-member claims" and len(warnings) == 21
    for warning in warnings:
        assert warning in " ".join(table.split())


@pytest.mark.django_db
def test_a_kept_run_gives_back_its_summary_naming_the_file_as_sent(analysts):
    run = IdentificationRun(
        engine="duckdb", rule_version="2026.1", claims_name="nov-claims.csv", claims_path="/srv/x/claims.csv",
        summary={"members_read": 3, "unknown_member_claims": 1, "unknown_member_rows": [2], "elapsed_seconds": 1.0,
                 "candidates_by_pof": {"A2": 1}, "exclusions_by_reason": {}},
    )  # fmt: skip
    summary = run_summary(run)
    assert summary.members_read == 3 and summary.candidates_by_pof == {"A2": 1} and summary.outputs == []
    assert summary_warnings(summary) == [
        "file nov-claims.csv, row 2, column member_id: not in the members file; claim skipped"
    ]


def test_the_server_folder_lists_the_plans_files_and_nothing_else(tmp_path, settings):
    settings.CALAIM_SERVER_FILES_DIR = tmp_path
    (tmp_path / "HPSJ" / "sub").mkdir(parents=True)
    (tmp_path / "HPSM").mkdir()
    for name in ("HPSJ/a.csv", "HPSJ/sub/b.PARQUET", "HPSJ/notes.txt", "HPSJ/.hidden.csv", "HPSM/m.csv"):
        (tmp_path / name).write_text("x")
    (tmp_path / "HPSJ" / "link.csv").symlink_to(tmp_path / "HPSM" / "m.csv")
    (tmp_path / "HPSJ" / "dir.csv").mkdir()
    assert server_files("HPSJ") == ["a.csv", "sub/b.PARQUET"]
    assert server_file_path("HPSJ", "sub/b.PARQUET") == (tmp_path / "HPSJ" / "sub" / "b.PARQUET").resolve()
    for name in ("../HPSM/m.csv", "link.csv", "notes.txt", str(tmp_path / "HPSJ" / "a.csv"), "", "sub"):
        assert server_file_path("HPSJ", name) is None, name
    assert server_files("NOPE") == []


def test_a_body_declared_larger_than_two_files_at_the_limit_is_refused_unread(settings):
    settings.CALAIM_UPLOAD_MAX_MB = 10
    limit = 2 * 10 * 1024 * 1024 + (1 << 20)
    assert not body_too_large(RequestFactory().post("/", CONTENT_LENGTH=str(limit)))
    assert body_too_large(RequestFactory().post("/", CONTENT_LENGTH=str(limit + 1)))
    assert not body_too_large(RequestFactory().post("/", CONTENT_LENGTH="junk"))
