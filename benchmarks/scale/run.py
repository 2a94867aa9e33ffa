"""The scale run: every staff page and the referral intake against the plan-sized database seed.py built.

Usage: nice -n 10 .venv/bin/python benchmarks/scale/run.py
       [--database-url postgres://postgres@127.0.0.1:5432/calaim_scale] [--duration 20] [--connections 8]
       [--intake-connections 16] [--only NAME,NAME] [--out DIR]
Needs wrk (Debian: apt-get install -y wrk). --app-dir serves another checkout (e.g. `git archive BASE | tar -x -C
DIR` with .venv linked) against the same database, to measure before and after a change the same way.

Steps: collectstatic; prepare the callers (benchmarks/scale/prepare.py: sessions that passed the second factor,
bearer tokens, members to open and to refer); count each endpoint's queries for one request (Django's test client
with CaptureQueriesContext, after a warming request); start `gunicorn -c config/gunicorn.conf.py config.wsgi` in
production mode behind a (simulated) TLS proxy; warm each endpoint for 2 s; then, one endpoint at a time, wrk with
a small Lua script (distinct paths per request, a distinct member and Idempotency-Key per referral) for DURATION
seconds at a fixed number of connections, each sending its next request as soon as the last is answered. Any
answer other than the expected status counts as an error (a redirect to the sign-in page too).

Why wrk: one C thread drives hundreds of requests a second for a few percent of a core, where locust would take a
core of the two this machine has from the server it measures. The figures are closed-loop: the latency includes
the wait for a free gunicorn thread when the connections outnumber them, which is why the connection count is
printed beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.load.harness import GUNICORN, PYTHON, app_env, children, stop, wait_ready  # noqa: E402
from benchmarks.scale.lua import lua_script  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/calaim_scale"
REFERRAL = {
    "member_cin": "{cin}",
    "member_birth_date": "{birth_date}",
    "source_type": "pcp",
    "form": "ecm_adult",
    "referrer_name": "Scale Run",
    "member_aware": True,
    "attested_by": "Scale Run",
    "attested_on": "{today}",
    "pof_attestations": [{"pof": "A1", "criteria": ["homeless", "complex_need"], "facts": "Sleeping in car; CHF"}],
}


def manage(args: argparse.Namespace, env: dict[str, str], *command: str) -> str:
    """`manage.py COMMAND` in the app directory measured (this checkout, or --app-dir's), its output returned."""
    done = subprocess.run(
        [PYTHON, "manage.py", *command], cwd=args.app_dir, env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def django_script(args: argparse.Namespace, env: dict[str, str], code: str) -> str:
    return manage(args, env, "shell", "-v", "0", "-c", code)


def start_web(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn with the app directory's config file, as docs/deploy.md starts it, in its own session."""
    log = (args.out / "web.log").open("ab")
    command = [GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"]
    web_env = {**env, "CALAIM_BIND": f"127.0.0.1:{args.port}"}
    return subprocess.Popen(
        command, cwd=args.app_dir, env=web_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def endpoints(config: dict[str, Any]) -> list[dict[str, Any]]:
    """What is measured: name, how it is asked, what answer is expected, and its target."""
    members = [f"/members/{pk}/" for pk in config["members"]]
    page = {"method": "GET", "expect": 200, "p95_ms": 100}
    found = [
        {"name": "API member search GARCIA", "token": "member_services", "paths": ["/api/members?q=GARCIA"]},
        {"name": "API member search by CIN", "token": "member_services",
         "paths": [f"/api/members?q={cin}" for cin in config["cins"]]},
        {"name": "page: member search GARCIA", "session": "member_services", "paths": ["/members/search/?q=GARCIA"],
         "headers": {"HX-Request": "true"}},
        {"name": "page: member record", "session": "intake", "paths": members},
        {"name": "API UM queue", "token": "um", "paths": ["/api/authorizations?status=pending"]},
    ]  # fmt: skip
    worklists = [
        {"name": f"worklist: {role.replace('_', ' ')}", "session": role, "paths": ["/"]}
        for role in ("intake", "um", "member_services", "care_manager", "supervisor", "cs_coordinator", "referrer")
    ]
    worklists.append({"name": "worklist: compliance", "session": "compliance", "paths": ["/compliance/phi-reads/"]})
    dashboard = {"name": "page: plan dashboard", "session": "intake", "paths": ["/dashboard/"], "p95_ms": 1000}
    today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()
    bodies = [
        json.dumps(REFERRAL).replace("{cin}", cin).replace("{birth_date}", born).replace("{today}", today)
        for cin, born in config["intake"]
    ]
    intake = {"name": "API referral intake (POST)", "token": "referrer", "method": "POST", "path": "/api/referrals",
              "bodies": bodies, "expect": 201, "p95_ms": 150, "min_rps": 200, "intake": True}  # fmt: skip
    return [{**page, **e} for e in [*found, *worklists, dashboard]] + [intake]


def run_wrk(
    endpoint: dict[str, Any], config: dict[str, Any], args: argparse.Namespace, seconds: float
) -> dict[str, Any]:
    script = args.out / "wrk.lua"
    script.write_text(lua_script(endpoint, _headers(endpoint, config), run_id=args.run_id))
    connections = args.intake_connections if endpoint.get("intake") else args.connections
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script),
               f"http://127.0.0.1:{args.port}"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    result["connections"] = connections
    return result


def _headers(endpoint: dict[str, Any], config: dict[str, Any]) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https", **endpoint.get("headers", {})}
    if endpoint.get("session"):
        headers["Cookie"] = f"{config['cookie']}={config['sessions'][endpoint['session']]}"
    if endpoint.get("token"):
        headers["Authorization"] = f"Bearer {config['tokens'][endpoint['token']]}"
    return headers


def _get(url: str, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (our own server on 127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def warm(endpoint: dict[str, Any], config: dict[str, Any], args: argparse.Namespace) -> None:
    """A few requests one after another: each worker process loads its code and templates before the clock runs."""
    if endpoint["method"] != "GET":
        return
    for path in endpoint["paths"][:3]:
        _get(f"http://127.0.0.1:{args.port}{path}", _headers(endpoint, config), timeout=120)


def settle(args: argparse.Namespace, quiet_ms: float = 300, limit_s: float = 120) -> None:
    """Wait until the server answers the sign-in page quickly: requests a previous run left behind (wrk stops
    waiting, the server does not) must not eat into the next endpoint's time."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        began = time.monotonic()
        _get(f"http://127.0.0.1:{args.port}/login/", {"X-Forwarded-Proto": "https"}, timeout=limit_s)
        if (time.monotonic() - began) * 1000 < quiet_ms:
            return
        time.sleep(1)


def server_cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by gunicorn's workers: on a shared machine, the cost of a request
    whatever else competes for the cores (the database's own CPU is not in it)."""
    ticks = 0
    for pid in children(master):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def verdict(endpoint: dict[str, Any], row: dict[str, Any]) -> bool:
    met = row["errors"] == 0 and row["p95"] <= endpoint["p95_ms"]
    return met and row["rps"] >= endpoint.get("min_rps", 0)


def target_text(endpoint: dict[str, Any]) -> str:
    text = f"p95<={endpoint['p95_ms']}"
    return f">={endpoint['min_rps']}/s, {text}" if endpoint.get("min_rps") else text


def report(rows: list[dict[str, Any]]) -> None:
    head = f"{'endpoint':<30}{'conn':>5}{'requests':>9}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}"
    head += f"{'errors':>7}{'queries':>8}{'cpu ms':>7}"
    print(f"\n{head}  target (ms)          met")
    for row in rows:
        print(
            f"{row['name']:<30}{row['connections']:>5}{row['requests']:>9}{row['rps']:>8.1f}{row['p50']:>7.1f}"
            f"{row['p95']:>7.1f}{row['p99']:>7.1f}{row['errors']:>7}{row['queries']:>8}{row['cpu_ms']:>7.1f}"
            f"  {row['target']:<20} {'yes' if row['met'] else 'NO'}"
        )


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def measure(args: argparse.Namespace, env: dict[str, str]) -> list[dict[str, Any]]:
    config = json.loads((args.out / "config.json").read_text())
    chosen = [e for e in endpoints(config) if not args.only or any(o in e["name"] for o in args.only)]
    (args.out / "endpoints.json").write_text(json.dumps(chosen))
    code = (
        "from benchmarks.scale.prepare import count_queries; "
        f"count_queries({str(args.out / 'config.json')!r}, {str(args.out / 'endpoints.json')!r})"
    )
    queries = json.loads(django_script(args, env, code).strip().splitlines()[-1])
    web = start_web(args, env)
    rows = []
    try:
        print(f"  gunicorn ready in {wait_ready(f'http://127.0.0.1:{args.port}/login/', timeout=120):.1f}s")
        for endpoint in chosen:
            warm(endpoint, config, args)
        print(f"  load average before: {uptime()}", flush=True)
        for endpoint in chosen:
            settle(args)
            cpu = server_cpu_seconds(web.pid)
            result = run_wrk(endpoint, config, args, args.duration)
            cpu = server_cpu_seconds(web.pid) - cpu
            seconds = result["duration_us"] / 1e6
            row = {
                "name": endpoint["name"], "connections": result["connections"], "requests": result["requests"],
                "rps": result["requests"] / seconds, "p50": result["p50"] / 1000, "p95": result["p95"] / 1000,
                "p99": result["p99"] / 1000, "errors": result["bad"] + result["socket_errors"],
                "queries": queries[endpoint["name"]]["queries"], "target": target_text(endpoint),
                "cpu_ms": 1000 * cpu / max(result["requests"], 1),
            }  # fmt: skip
            row["met"] = verdict(endpoint, row)
            rows.append(row)
            print(f"  {row['name']}: {row['rps']:.0f}/s, p95 {row['p95']:.0f} ms, {row['errors']} errors", flush=True)
        print(f"  load average after: {uptime()}", flush=True)
    finally:
        stop(web)
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    p.add_argument("--duration", type=float, default=20, help="seconds per endpoint")
    p.add_argument("--connections", type=int, default=8, help="concurrent connections for the reads")
    p.add_argument("--intake-connections", type=int, default=16, help="concurrent connections for the intake")
    p.add_argument("--only", type=lambda s: s.split(","), default=None, help="endpoints whose name has any of these")
    p.add_argument("--port", type=int, default=8810)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / ".cache" / "scale")
    p.add_argument(
        "--app-dir", type=Path, default=ROOT, help="the checkout to serve, e.g. an export of an older commit"
    )
    args = p.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    args.run_id = f"{int(time.time())}-{os.getpid()}"
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    env = app_env(args.database_url, args.out / "var", production=True, CALAIM_STATIC_ROOT=str(args.out / "static"))
    started = time.monotonic()
    manage(args, env, "collectstatic", "--noinput", "-v", "0")
    django_script(args, env, f"from benchmarks.scale.prepare import main; main({str(args.out / 'config.json')!r})")
    print(f"Prepared in {time.monotonic() - started:.0f}s; measuring {args.duration:.0f}s per endpoint", flush=True)
    rows = measure(args, env)
    report(rows)
    (args.out / "summary.json").write_text(json.dumps(rows, indent=1))
    print(f"\n{sum(r['met'] for r in rows)} of {len(rows)} targets met")


if __name__ == "__main__":
    main()
