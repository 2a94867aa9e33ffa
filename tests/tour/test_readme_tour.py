"""The README's API tour, run as a reader runs it: twice in a row against the demo, at an hour when the machine's
(UTC) date is already tomorrow while it is still evening in California. The demo and the server run under
libfaketime, so the plan's date and the machine's differ as they do every evening on a UTC server."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FAKETIME = shutil.which("faketime")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

pytestmark = pytest.mark.skipif(
    FAKETIME is None and os.environ.get("CI") != "true",
    reason="faketime is not installed (scripts/system_packages.sh --browser installs it; CI=true makes this fatal)",
)


def tour_script(port: int) -> str:
    """The shell blocks of the README's "A tour" section and the first of "Community Supports", in order."""
    text = README.read_text(encoding="utf-8")
    tour = text[text.index("\n## A tour") : text.index("\n## Community Supports")]
    supports = text[text.index("\n## Community Supports") : text.index("\n## The plan's roster")]
    blocks = re.findall(r"```sh\n(.*?)```", tour, flags=re.S) + re.findall(r"```sh\n(.*?)```", supports, flags=re.S)[:1]
    assert len(blocks) >= 4, "the README's tour has changed shape: update this test with it"
    script = "\n".join(blocks).replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}")
    # What the reader would look at after the last step, as one JSON line this test reads.
    return (
        script
        + '\nprintf \'{"rid":"%s","aid":"%s","eid":"%s","cid":"%s"}\\n\' "$RID" "$AID" "$EID" "$CID"\n'
        + "curl -s -H \"Authorization: Bearer $REF\" $API/referrals/$RID | jq -c '{status, loop_status}'\n"
        + "curl -s -H \"Authorization: Bearer $RC\" $API/community-supports/requests/$CID | jq -c '{status}'\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _evening_in_california() -> str:
    """libfaketime's offset to tomorrow 05:30 UTC: 21:30 or 22:30 the evening before in California, when the two
    dates differ. An offset in seconds, not a date: libfaketime reads a date in each process's own TZ, and the tour
    runs `TZ=America/Los_Angeles date` while the server runs in UTC."""
    now = dt.datetime.now(dt.UTC)
    target = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(5, 30), tzinfo=dt.UTC)
    return f"{int((target - now).total_seconds()):+d}"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], int]]:
    assert FAKETIME is not None, "faketime is missing and CI=true"
    var = tmp_path_factory.mktemp("tour")
    env = {
        **os.environ,
        "TZ": "UTC",
        "CALAIM_MODE": "development",
        "CALAIM_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'calaim.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    clock = [FAKETIME, "-f", _evening_in_california()]
    python = str(ROOT / ".venv" / "bin" / "python")
    # The demo as `make demo` makes it (2,000 members): the tour takes a homeless adult with no referral yet each run.
    demo = [*clock, python, "manage.py", "demo", "--no-serve"]
    subprocess.run(demo, cwd=ROOT, env=env, check=True, capture_output=True, timeout=900)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*clock, python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # answering (a 503 says no worker runs, which the tour does not need)
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        yield {**env, "FAKETIME_CLOCK": clock[2]}, port
    finally:
        server.terminate()
        server.wait(timeout=15)


def _run_tour(env: dict[str, str], port: int) -> list[str]:
    assert FAKETIME is not None
    done = subprocess.run(  # noqa: S603
        [FAKETIME, "-f", env["FAKETIME_CLOCK"], "bash", "-c", tour_script(port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()


def test_the_readme_tour_runs_twice_in_a_row_in_the_california_evening(demo_server: tuple[dict[str, str], int]) -> None:
    env, port = demo_server
    for run in (1, 2):
        lines = _run_tour(env, port)
        output = "\n".join(lines)
        # The API answers every error with a `detail` list: no step of the tour may meet one.
        assert '"detail"' not in output, f"run {run}:\n{output[-3000:]}"
        ids, referral, cs_request = (json.loads(line) for line in lines[-3:])
        assert all(UUID.match(value) for value in ids.values()), f"run {run}: {ids}\n{output[-3000:]}"
        assert referral["status"] not in {"received", "pending_authorization"}, f"run {run}: {referral}"
        assert cs_request["status"], f"run {run}: {cs_request}"
        assert "null" not in lines[:3], f"run {run}:\n{output[-3000:]}"
