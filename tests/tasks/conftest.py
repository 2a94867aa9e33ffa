"""Fixtures for the worker's tests: a database a worker in another process can see, and that worker.

On PostgreSQL the worker connects to the test database itself (the tests use `transactional_db`, so what they write
is committed). On SQLite the test database is in memory, which another process cannot open: `push` copies it to a
file the worker uses, and `pull` copies the file back, so the test reads what the worker did with the ORM.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


class WorkerDatabase:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []
        if connection.vendor == "sqlite":
            self.path: Path | None = tmp_path / "worker.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            db = connection.settings_dict
            auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
            self.path = None
            self.url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"

    def push(self) -> None:
        """What the test wrote, to the worker's database (SQLite only; PostgreSQL shares it already)."""
        if self.path is not None:
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()

    def pull(self) -> None:
        """What the workers wrote, back to the test's database."""
        if self.path is not None:
            source = sqlite3.connect(self.path)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    def scalar(self, sql: str) -> Any:
        """One value read from the worker's database while workers run."""
        if self.path is not None:
            with sqlite3.connect(self.path, timeout=30) as db:
                return db.execute(sql).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def env(self, **worker_settings: float) -> dict[str, str]:
        return {
            **os.environ,
            "CALAIM_MODE": "development",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.url,
            "CALAIM_VAR_DIR": str(self.tmp_path / "var"),
            **{f"CALAIM_WORKER_{name}": str(value) for name, value in worker_settings.items()},
        }

    def start(self, *args: str, **worker_settings: float) -> subprocess.Popen[bytes]:
        """`manage.py calaim_worker` in its own process, polling every 0.1 s."""
        command = [sys.executable, "manage.py", "calaim_worker", "--no-startup-delay", "--interval", "0.1", *args]
        log = (self.tmp_path / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env(**worker_settings), stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.tmp_path.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def worker_db(transactional_db: None, tmp_path: Path) -> Iterator[WorkerDatabase]:
    database = WorkerDatabase(tmp_path)
    try:
        yield database
    finally:
        database.stop_all()


def wait_for(condition: Callable[[], Any], *, timeout: float = 60, what: str = "the condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
