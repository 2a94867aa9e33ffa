"""The fault run: the load run (benchmarks/load/run.py) with three faults injected while the clients work.

Usage: .venv/bin/python benchmarks/faults.py [--users 50] [--duration 10m] [--members 30000]
       [--database-url postgres://postgres@127.0.0.1:5433/calaim_load]
       [--pg-restart "pg_ctlcluster 15 calaimload restart"]

At 20% of the run, `kill -9` one gunicorn worker: the master starts another; requests in flight on that worker
fail, every other request is served. At 40%, `kill -9` the task worker, then start it again 5 s later as systemd's
`Restart=always` / `RestartSec=5` would (deploy/calaim-worker.service); the task it was running is presumed lost
after CALAIM_WORKER_RUNNING_TIMEOUT_SECONDS (60 s here) and runs again. At 60%, restart PostgreSQL (the command is
a flag: this machine's clusters restart with `pg_ctlcluster`); nothing of calaim's is restarted, it must come back
by itself. Each fault's figures are printed: how long /healthz answered other than 200, how long until a worker
or a task ran again. Then, as in the load run: every write answered 2xx must be in the database, every task must
have run (none failed, none left), none may have applied its effect twice. Requests that failed while a fault
was in progress are counted and reported; they are the price of the fault, not lost data: a client that got no
2xx was never told its write was kept.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dj_database_url  # noqa: E402
import psycopg  # noqa: E402

from benchmarks.load.harness import app_env, children, django_script, http_status  # noqa: E402
from benchmarks.load.run import Stack, parser, run  # noqa: E402

RESTART_SEC = 5  # deploy/calaim-worker.service: RestartSec=5
RUNNING_TIMEOUT = 60


def _seconds(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]] if duration[-1] in units else float(duration)


class HealthWatch:
    """Polls /healthz five times a second while a fault is in progress; says how long it was not 200."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/healthz"
        self.down_since: float | None = None
        self.downtime = 0.0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self.stopped.is_set():
            now = time.monotonic()
            ok = http_status(self.url, timeout=2) == 200
            if not ok and self.down_since is None:
                self.down_since = now
            if ok and self.down_since is not None:
                self.downtime += now - self.down_since
                self.down_since = None
            time.sleep(0.2)

    def __enter__(self) -> HealthWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()
        if self.down_since is not None:
            self.downtime += time.monotonic() - self.down_since

    def wait_healthy(self, timeout: float = 120) -> float:
        """Seconds until /healthz answers 200 (from now)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if http_status(self.url, timeout=2) == 200:
                return time.monotonic() - started
            time.sleep(0.1)
        return float("nan")


def kill_web_worker(stack: Stack) -> None:
    workers = children(stack.web.pid)
    victim = workers[0]
    with HealthWatch(stack.base_url) as watch:
        started = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        while True:
            now = children(stack.web.pid)
            if victim not in now and len(now) >= len(workers):
                replaced = time.monotonic() - started
                break
            if time.monotonic() - started > 60:
                replaced = float("nan")
                break
            time.sleep(0.05)
    stack.note(
        "kill -9 gunicorn worker",
        pid=victim,
        replaced_after_s=round(replaced, 2),
        health_down_s=round(watch.downtime, 2),
    )


def _kill_mid_task(stack: Stack, within: float = 60) -> tuple[str | None, bool]:
    """SIGKILL the task worker the moment the database shows it running a task (polled directly, every
    millisecond or so); if none starts within WITHIN seconds, kill it idle. Returns the task and whether it was
    still running when the kill landed (a notice is sent in milliseconds, so the kill may land just after)."""
    conf = dj_database_url.parse(stack.env["DATABASE_URL"])
    params = {"host": conf["HOST"], "port": conf["PORT"] or 5432, "user": conf["USER"], "dbname": conf["NAME"]}
    running = "SELECT id::text FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' LIMIT 1"
    task_id = None
    with psycopg.connect(**params, password=conf["PASSWORD"] or None, autocommit=True) as conn:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            row = conn.execute(running).fetchone()
            if row:
                task_id = row[0]
                break
            time.sleep(0.001)
        os.kill(stack.worker.pid, signal.SIGKILL)
        stack.worker.wait()
        if task_id is None:
            return None, False
        state = conn.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", (task_id,)
        ).fetchone()
    return task_id, bool(state and state[0] == "RUNNING")


def _task_outcome(env: dict[str, str], task_id: str) -> dict[str, object]:
    """What became of a task: its status and how many workers took it (2: taken again after its worker died)."""
    code = (
        "import json\nfrom django_tasks_db.models import DBTaskResult\n"
        f"r = DBTaskResult.objects.get(pk={task_id!r})\n"
        "print(json.dumps({'status': r.status, 'workers': len(r.worker_ids), 'task': r.task_path}))"
    )
    return dict(json.loads(django_script(env, code).strip().splitlines()[-1]))


def _task_ran_since(stack: Stack, since_epoch: float) -> bool:
    code = (
        "import datetime as dt\nfrom django_tasks_db.models import DBTaskResult\n"
        f"since = dt.datetime.fromtimestamp({since_epoch}, dt.UTC)\n"
        "print(DBTaskResult.objects.filter(status='SUCCESSFUL', finished_at__gte=since).exists())"
    )
    return django_script(stack.env, code).strip().splitlines()[-1] == "True"


def kill_task_worker(stack: Stack) -> None:
    victim = stack.worker.pid
    task_id, mid_task = _kill_mid_task(stack)
    killed_at = time.monotonic()
    time.sleep(RESTART_SEC)
    restarted_epoch = time.time()
    stack.restart_worker()
    ran_again = float("nan")
    while time.monotonic() - killed_at < 120:
        if _task_ran_since(stack, restarted_epoch):
            ran_again = time.monotonic() - killed_at
            break
        time.sleep(1)
    stack.note(
        "kill -9 task worker, restarted after 5 s",
        pid=victim,
        task_in_hand=task_id,
        killed_mid_task=mid_task,
        first_task_done_after_kill_s=round(ran_again, 1),
    )
    (stack.out / "task_in_hand_at_kill.json").write_text(json.dumps({"id": task_id, "mid_task": mid_task}))


def restart_postgresql(stack: Stack, command: str) -> None:
    with HealthWatch(stack.base_url) as watch:
        started = time.monotonic()
        subprocess.run(shlex.split(command), check=True, capture_output=True)
        restarted = time.monotonic() - started
        back = watch.wait_healthy()
        total = time.monotonic() - started
    stack.note(
        f"PostgreSQL restarted ({command})",
        restart_command_s=round(restarted, 2),
        healthy_after_restart_command_returned_s=round(back, 2),
        healthy_after_restart_began_s=round(total, 2),
        health_down_s=round(watch.downtime, 2),
        worker_alive=stack.worker.poll() is None,
        web_alive=stack.web.poll() is None,
    )


def schedule(duration: float, pg_restart: str | None) -> Callable[[Stack], None]:
    """The faults at 20%, 40% and 60% of a run of DURATION seconds, counted from when the clients start."""

    def faults(stack: Stack) -> None:
        began = time.monotonic()

        def until(fraction: float) -> None:
            time.sleep(max(duration * fraction - (time.monotonic() - began), 1))

        until(0.2)
        kill_web_worker(stack)
        until(0.4)
        kill_task_worker(stack)
        until(0.6)
        if pg_restart:
            restart_postgresql(stack, pg_restart)

    return faults


def main() -> None:
    p = parser()
    p.set_defaults(
        database_url="postgres://postgres@127.0.0.1:5433/calaim_load", out=ROOT / "benchmarks" / ".cache" / "faults"
    )
    p.add_argument("--pg-restart", default="pg_ctlcluster 15 calaimload restart", help="'' to skip the restart")
    args = p.parse_args()
    outcome = run(
        args,
        during=schedule(_seconds(args.duration), args.pg_restart or None),
        CALAIM_WORKER_RUNNING_TIMEOUT_SECONDS=str(RUNNING_TIMEOUT),
    )
    summary = json.loads((args.out / "summary.json").read_text())
    in_hand_file = args.out / "task_in_hand_at_kill.json"
    in_hand = json.loads(in_hand_file.read_text()) if in_hand_file.exists() else {"id": None}
    print(f"\nrequests that failed during the faults: {outcome.errors} (see {args.out}/locust_failures.csv)")
    if in_hand["id"]:
        env = app_env(args.database_url, args.out / "var", production=True)
        after = _task_outcome(env, in_hand["id"])
        print(f"the task in hand when the worker was killed: {in_hand}; afterwards: {after}")
    print(f"all tasks ended, none failed, none applied twice: {outcome.tasks_ok}")
    for event in summary["events"]:
        print(f"  {event}")
    ok = outcome.writes_lost == 0 and outcome.tasks_ok
    print("\nOK: no acknowledged write lost, every task ran once" if ok else f"\nFAILED: {outcome}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
