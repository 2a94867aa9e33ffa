"""Processes for the load, fault and SQLite runs: manage.py commands, gunicorn, the task worker, and readiness.

Every process is started in its own session so that it, and anything it forks, can be stopped as a group by its
own id; nothing here looks processes up by name.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
# What a TLS-terminating proxy in front of gunicorn adds to every request (CALAIM_BEHIND_PROXY=1 trusts it).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def app_env(database_url: str, var_dir: Path, *, production: bool, **extra: str) -> dict[str, str]:
    """The environment docs/deploy.md describes, without anything of the caller's CALAIM_*/DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALAIM_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(DATABASE_URL=database_url, CALAIM_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    if production:
        env.update(
            CALAIM_MODE="production",
            CALAIM_SECRET_KEY=_secret_key(var_dir),
            CALAIM_ALLOWED_HOSTS="127.0.0.1,localhost",
            CALAIM_BEHIND_PROXY="1",
        )
    else:
        env.update(CALAIM_MODE="development", CALAIM_DEBUG="0")
    env.update(extra)
    return env


def _secret_key(var_dir: Path) -> str:
    path = var_dir / "load_secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(48).hex())
    return path.read_text().strip()


def manage(env: dict[str, str], *args: str, timeout: float = 1800) -> str:
    """Run `manage.py ARGS` and return its standard output; fail loudly with its error output."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def django_script(env: dict[str, str], code: str, timeout: float = 600) -> str:
    """Run Python CODE inside the app (manage.py shell) and return what it printed."""
    return manage(env, "shell", "-v", "0", "-c", code, timeout=timeout)


def issue_tokens(env: dict[str, str], usernames: Iterable[str]) -> dict[str, str]:
    """One bearer token per user, through the `api_token` command, in one process."""
    names = sorted(set(usernames))
    code = (
        "import io, json\nfrom django.core.management import call_command\nout = {}\n"
        f"for name in {names!r}:\n"
        "    buf = io.StringIO()\n"
        "    call_command('api_token', name, name='load run', stdout=buf)\n"
        "    out[name] = buf.getvalue().split()[0]\n"
        "print(json.dumps(out))\n"
    )
    return dict(json.loads(django_script(env, code).strip().splitlines()[-1]))


def start(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_web(
    env: dict[str, str], bind: str, log_path: Path, *, workers: int | None = None, threads: int | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn with the production config file, as docs/deploy.md starts it."""
    web_env = {**env, "CALAIM_BIND": bind}
    if workers:
        web_env["CALAIM_WEB_WORKERS"] = str(workers)
    if threads:
        web_env["CALAIM_WEB_THREADS"] = str(threads)
    return start([GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"], web_env, log_path)


def worker_command(env: dict[str, str]) -> list[str]:
    """The task worker's one command: `calaim_worker` where it exists, django-tasks' own `db_worker` otherwise."""
    commands = manage(env, "help", "--commands").split()
    return [PYTHON, "manage.py", "calaim_worker" if "calaim_worker" in commands else "db_worker"]


def start_worker(env: dict[str, str], log_path: Path, command: list[str]) -> subprocess.Popen[bytes]:
    return start(command, env, log_path)


def stop(process: subprocess.Popen[bytes] | None, timeout: float = 30) -> None:
    """SIGTERM to the process's own group (gunicorn's master and workers), then SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def children(pid: int) -> list[int]:
    """The direct children of PID (gunicorn's workers under its master), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces; the parent id is the second field after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def http_status(url: str, timeout: float = 5, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers={**PROXY_HEADERS, **(headers or {})})  # noqa: S310  (ours, local)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (our own local server)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


def wait_ready(url: str, timeout: float = 120, want: Iterable[int] = (200,)) -> float:
    """Poll URL until it answers one of WANT; return the seconds it took."""
    started = time.monotonic()
    wanted = set(want)
    while time.monotonic() - started < timeout:
        if http_status(url, timeout=2) in wanted:
            return time.monotonic() - started
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer {sorted(wanted)} within {timeout:.0f}s")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
