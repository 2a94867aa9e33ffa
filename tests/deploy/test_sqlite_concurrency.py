"""Finding 7: the SQLite demo under concurrent writers, through gunicorn's processes and threads, never locks."""

from __future__ import annotations

from pathlib import Path

from benchmarks.load.harness import free_port
from benchmarks.sqlite_concurrency import run


def test_eight_clients_posting_referrals_at_once_all_succeed_and_are_all_stored(tmp_path: Path) -> None:
    # 8 concurrent clients x 25 posts against 2 gunicorn processes x 4 threads on one SQLite file: before WAL and
    # IMMEDIATE transactions, most of these answered 500 "database is locked".
    result = run(posts=200, clients=8, workers=2, threads=4, folder=tmp_path, port=free_port())
    assert result.locked == 0, result.summary()
    assert result.statuses == {201: 200}, result.summary()
    assert result.found == 200 and result.in_database == 200, result.summary()
