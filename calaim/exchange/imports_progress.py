"""A load's progress (phase, rows done of rows in all), handed to the caller's callback (the command's progress bar,
the task) and written to the load's row without ever holding up the load.

While the rows are read and checked, the row is written directly. While they are applied (one transaction), on
PostgreSQL the row is written from a second connection in autocommit so the progress shows to the pages; on SQLite,
which has one writer, it is not written until the end. When the caller already holds a transaction (a test, a
workflow), the row is left alone: a second connection would not see it or would wait for it."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

from calaim.exchange.models import ExchangeLoad

logger = logging.getLogger("calaim.exchange")
EVERY_SECONDS = 0.5
TABLE = ExchangeLoad._meta.db_table


class LoadProgress:
    def __init__(self, load_id: uuid.UUID, callback: Callable[[str, int, int], None] | None) -> None:
        self.load_id = load_id
        self.callback = callback
        self.postgres = connection.vendor == "postgresql"
        self.caller_transaction = connection.in_atomic_block
        self.in_write = False  # inside the load's own transaction
        self._side: Any = None
        self._last = (0.0, "")

    def __call__(self, phase: str, done: int, total: int) -> None:
        self._record(phase, done, total)
        if self.callback is not None:
            self.callback(phase, done, total)

    def _record(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self._last[1] and done < total and now - self._last[0] < EVERY_SECONDS:
            return
        self._last = (now, phase)
        if self.caller_transaction:
            return
        if not self.in_write:
            ExchangeLoad.objects.filter(pk=self.load_id).update(
                phase=phase[:80], progress_done=done, progress_total=total
            )
        elif self.postgres:
            self._write_aside(phase, done, total)

    def _write_aside(self, phase: str, done: int, total: int) -> None:
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '1s'")
            with self._side.cursor() as cursor:
                sql = f"UPDATE {TABLE} SET phase = %s, progress_done = %s, progress_total = %s WHERE id = %s"  # noqa: S608
                cursor.execute(sql, [phase[:80], done, total, self.load_id])
        except DatabaseError:  # progress is a courtesy: it must never fail or stall the load
            logger.warning("Could not record the progress of exchange load %s", self.load_id)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
