"""Concurrent writes on the SQLite demo (finding 7): 2,000 referral posts from 8 clients at once, through the API.

Usage: .venv/bin/python benchmarks/sqlite_concurrency.py [--posts 2000] [--clients 8] [--workers 2] [--threads 4]

Makes a fresh SQLite file in a temporary folder, migrates it and loads the demo network and members (`demo_seed`),
issues bearer tokens to the demo's referrers, starts gunicorn on it (development mode, DEBUG off; several worker
processes, each with threads, so writers really do collide), then posts referrals from CLIENTS threads, each for
its own member with its own Idempotency-Key. It prints how many posts answered 2xx, 4xx and 5xx, how many server
errors said "database is locked", and how many of the referrals answered 201 are in the database afterwards.
Before WAL and IMMEDIATE transactions, 1,416 of 2,000 posts answered 500 "database is locked".
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load.harness import app_env, django_script, issue_tokens, manage, start_web, stop, wait_ready  # noqa: E402

# The demo's referrers: the plan whose members each refers, and as what.
REFERRERS = {
    "stocktonfh.referrer": ("HPSJ", "pcp"),
    "stocktonshelter.referrer": ("HPSJ", "cbo"),
    "peninsulacc.referrer": ("HPSM", "pcp"),
}


@dataclass
class Result:
    posts: int
    seconds: float
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    created: list[str] = field(default_factory=list)
    locked: int = 0
    refusals: collections.Counter[str] = field(default_factory=collections.Counter)
    found: int = 0
    in_database: int = 0

    def by_class(self, first_digit: int) -> int:
        return sum(n for status, n in self.statuses.items() if status // 100 == first_digit)

    def summary(self) -> str:
        return (
            f"{self.posts} posts in {self.seconds:.1f}s ({self.posts / self.seconds:.0f}/s): "
            f"2xx {self.by_class(2)}, 4xx {self.by_class(4)}, 5xx {self.by_class(5)}, "
            f"other {self.statuses.get(0, 0)}; 'database is locked' {self.locked}; "
            f"201s found afterwards {self.found} of {len(self.created)}; referrals in the database {self.in_database}"
        )


def referral_body(member: dict[str, str], today: str, source_type: str = "pcp") -> dict[str, Any]:
    return {
        "member_cin": member["cin"],
        "member_birth_date": member["birth_date"],
        "source_type": source_type,
        "form": "ecm_adult",
        "referrer_name": "Load Test",
        "member_aware": True,
        "attested_by": "Load Test",
        "attested_on": today,
        "pof_attestations": [{"pof": "A1", "criteria": ["homeless", "complex_need"], "facts": "Sleeping in car; CHF"}],
    }


def members_by_plan(env: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    code = (
        "import json\nfrom calaim.members.models import Member\nout = {}\n"
        "for m in Member.objects.order_by('cin').values('cin', 'birth_date', 'plan__code'):\n"
        "    out.setdefault(m['plan__code'], []).append({'cin': m['cin'], 'birth_date': m['birth_date'].isoformat()})\n"
        "print(json.dumps(out))\n"
    )
    return dict(json.loads(django_script(env, code).strip().splitlines()[-1]))


def post_all(base_url: str, jobs: list[tuple[str, dict[str, Any]]], clients: int, result: Result) -> None:
    """CLIENTS threads take (token, body) jobs from a shared queue until none is left."""
    lock = threading.Lock()
    queue = collections.deque(enumerate(jobs))

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                index, (token, body) = queue.popleft()
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"sqlite-bench-{index}"}
            try:
                response = session.post(f"{base_url}/api/referrals", json=body, headers=headers, timeout=120)
                status = response.status_code
                refusal = response.text[:200] if 400 <= status < 500 else ""
            except requests.RequestException:
                status, refusal = 0, ""
            with lock:
                result.statuses[status] += 1
                if status == 201:
                    result.created.append(response.json()["id"])
                if refusal:
                    result.refusals[refusal] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def count_found(env: dict[str, str], ids: list[str], folder: Path) -> tuple[int, int]:
    ids_file = folder / "created.json"
    ids_file.write_text(json.dumps(ids))
    code = (
        "import json\nfrom calaim.referrals.models import Referral\n"
        f"ids = json.load(open({str(ids_file)!r}))\n"
        "print(Referral.objects.filter(pk__in=ids).count(), Referral.objects.count())\n"
    )
    found, total = django_script(env, code).split()[-2:]
    return int(found), int(total)


def run(posts: int, clients: int, workers: int, threads: int, folder: Path, port: int = 8791) -> Result:
    env = app_env(f"sqlite:///{folder / 'demo.sqlite3'}", folder / "var", production=False)
    manage(env, "migrate", "-v", "0")
    manage(env, "demo_seed", "--members", str(max(posts, 200)))
    tokens = issue_tokens(env, REFERRERS)
    members = members_by_plan(env)
    today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()
    pools = {plan: collections.deque(members[plan]) for plan, _ in REFERRERS.values()}
    jobs = []
    for n in range(posts):
        username = list(REFERRERS)[n % len(REFERRERS)]
        plan, source_type = REFERRERS[username]
        member = pools[plan].popleft()
        pools[plan].append(member)  # one referral per member until every member of the plan has one
        jobs.append((tokens[username], referral_body(member, today, source_type)))
    log = folder / "gunicorn.log"
    web = start_web(env, f"127.0.0.1:{port}", log, workers=workers, threads=threads)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_ready(f"{base_url}/login/")
        started = time.monotonic()
        result = Result(posts=posts, seconds=0)
        post_all(base_url, jobs, clients, result)
        result.seconds = time.monotonic() - started
    finally:
        stop(web)
    result.locked = log.read_text(errors="replace").count("database is locked")
    result.found, result.in_database = count_found(env, result.created, folder)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="calaim-sqlite-") as tmp:
        print(
            f"SQLite demo, gunicorn {args.workers} workers x {args.threads} threads, {args.clients} concurrent clients"
        )
        result = run(args.posts, args.clients, args.workers, args.threads, Path(tmp), args.port)
        print(result.summary())
    ok = result.by_class(5) == 0 and result.locked == 0 and result.found == len(result.created)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
