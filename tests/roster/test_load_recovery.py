"""A load whose worker died mid-step runs again when the worker re-runs its task (after the running timeout), but a
step that is only slow is never run twice at once (on PostgreSQL its worker holds a lock the re-run finds taken)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from calaim.core.errors import Conflict
from calaim.members.models import Member
from calaim.roster.models import LoadStatus, RosterLoad
from calaim.roster.services import roster_load_apply, roster_load_preview
from tests.roster.test_load_helpers import Loader, loader, row

__all__ = ["loader"]
pytestmark = pytest.mark.django_db(transaction=True)


def _stuck(load: RosterLoad, status: LoadStatus, minutes: int) -> None:
    started = timezone.now() - dt.timedelta(minutes=minutes)
    RosterLoad.objects.filter(pk=load.pk).update(status=status, started_at=started)


def test_a_step_lost_with_its_worker_runs_again_after_the_timeout(loader: Loader) -> None:
    load = loader.offer(loader.file([row("91000000A")]))
    _stuck(load, LoadStatus.APPLYING, minutes=2)
    with pytest.raises(Conflict):
        roster_load_apply(load_id=load.pk, actor=None)  # still within the timeout: perhaps only slow
    assert not Member.objects.exists()

    _stuck(load, LoadStatus.APPLYING, minutes=30)
    assert roster_load_apply(load_id=load.pk, actor=None).status == LoadStatus.APPLIED
    assert Member.objects.filter(cin="91000000A").exists()

    other = loader.offer(loader.file([row("91000000A"), row("91000001A")]))
    _stuck(other, LoadStatus.PREVIEWING, minutes=30)
    assert roster_load_preview(load_id=other.pk).status == LoadStatus.PREVIEWED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the running step's lock is PostgreSQL's")
def test_a_slow_step_still_running_is_not_run_again(loader: Loader) -> None:
    load = loader.offer(loader.file([row("91000000A")]))
    _stuck(load, LoadStatus.APPLYING, minutes=30)
    held, release = threading.Event(), threading.Event()

    def worker_still_running() -> None:  # another session holding the step's lock, as a live worker does
        side = connections.create_connection("default")
        with side.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [load.pk.int % (1 << 63)])
            held.set()
            release.wait(30)
        side.close()

    thread = threading.Thread(target=worker_still_running)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(Conflict):
            roster_load_apply(load_id=load.pk, actor=None)
        assert not Member.objects.exists()
    finally:
        release.set()
        thread.join()
