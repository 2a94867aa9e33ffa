"""Benchmark of the roster load at plan scale on PostgreSQL (issue 12, item 6).

Usage: nice -n 10 .venv/bin/python benchmarks/roster.py [--members 1000000] [--repeat 3] [--orm-rows 20000]
       [--server postgres://postgres@127.0.0.1:5432] [--work DIR]

It makes a fresh database (`calaim_bench_roster`, dropped at the end), migrates it, loads the reference data and the
organizations a roster names (the Kaiser delegate, PCP clinics and behavioral-health providers by NPI), and
generates (deterministically) a roster CSV of every spec column for one plan (HPSJ), in the shapes plans send it:
phones in several formats, ZIP and ZIP+4, valid NPIs, programs, delegation, D-SNP. Then, in turns:

- the baseline: a bare `COPY` of the same members, already in calaim's shape (ids, county and organization ids,
  E.164 phones), into a table of the same shape as members_member (`CREATE TABLE ... (LIKE members_member
  INCLUDING ALL)`: the same columns and indexes, no foreign keys), from a CSV file streamed by psycopg;
- the first load: `manage.py roster_load` of the roster into empty member tables, as its own process (so its peak
  memory is its own), timed from start to exit: reading and checking the file, staging, comparing, writing the
  members, their spans and programs and one audit event each, committing;

repeated `--repeat` times (medians reported). After the last first load, the reload: the next month's roster with 1%
of the members changed (name, address, programs) and 0.5% absent (termed). Last, on `--orm-rows` rows in this
process: a straightforward per-row ORM load (get_or_create and save per member, its span, its audit event, in one
transaction) against `roster_load` of the same file. Prints a table of seconds, ratios and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "calaim_bench_roster"
AS_OF, NEXT_AS_OF = dt.date(2026, 7, 1), dt.date(2026, 8, 1)
CHUNK = 100_000
COUNTIES = ("San Joaquin", "Stanislaus")
PROGRAMS = ("HOSPICE", "PACE", "CCM", "CCT", "MSSP", "HCBA", "ALW", "HCBS_DD", "SDP", "MCWP", "CCM;MSSP", "PACE;SDP")
FIRST = ("Ana", "Luis", "Mai", "Wei", "Jose", "Maria", "Tupac", "Leilani", "Sofia", "Daniel", "Linh", "Grace")
LAST = ("Garcia", "Nguyen", "Smith", "Lopez", "Chen", "Begay", "O'Neil", "Santos, Jr.", "Hernandez", "Kaur")
CITIES = ("Stockton", "Lodi", "Tracy", "Manteca", "Modesto", "Turlock", "Ceres", "Oakdale")
STREETS = ("Main St", "Pacific Ave", "El Dorado St", "Hammer Ln", "March Ln", "McHenry Ave", "Oak St", "Elm Ave")
MEMBER_COLUMNS = (
    "id, created_at, updated_at, cin, first_name, last_name, birth_date, sex, race_ethnicity, language, phone, "
    "address_line, city, zip_code, experiencing_homelessness, county_id, plan_id, delegated_to_id, dsnp, "
    "pcp_organization_id, pcp_name, behavioral_health_organization_id, behavioral_health_provider_name, "
    "release_date, ccs_enrolled, foster_care"
)


# ---- the data ------------------------------------------------------------------------------------------------------


def npi(first_nine: int) -> str:
    """A valid NPI (the Luhn check digit over "80840" and the nine digits)."""
    total = 0
    for i, char in enumerate(reversed(f"80840{first_nine}")):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return f"{first_nine}{(10 - total % 10) % 10}"


def _text(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(object), pa.string())


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def _join(*parts: Any) -> pa.Array:
    n = next(len(p) for p in parts if not isinstance(p, str))
    arrays = [pa.array([p] * n, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def _nullable(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.scalar(None, values.type))


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("int32"), pa.date32())


def roster_chunk(rng: np.random.Generator, start: int, n: int, npis: dict[str, list[str]]) -> pa.Table:
    """`n` members of HPSJ, every roster column, as a plan's extract has them."""
    epoch_as_of = (AS_OF - dt.date(1970, 1, 1)).days
    begin = epoch_as_of - rng.integers(1, 3650, n)
    ended = rng.random(n) < 0.04
    end = np.where(ended, np.maximum(begin, epoch_as_of - rng.integers(1, 300, n)), epoch_as_of + 400)
    area, line = _pick(rng, ("209", "209", "916"), n), rng.integers(0, 10_000, n)
    exchange = rng.integers(200, 1000, n)
    a, e, x = (
        _text(area),
        pc.cast(pa.array(exchange), pa.string()),
        pc.utf8_lpad(pc.cast(pa.array(line), pa.string()), 4, "0"),
    )
    shapes = [_join("(", a, ") ", e, "-", x), _join(a, "-", e, "-", x), _join(a, e, x), _join("+1 ", a, " ", e, " ", x)]
    shape = rng.integers(0, len(shapes), n)
    phone = shapes[0]
    for i in range(1, len(shapes)):
        phone = pc.if_else(pa.array(shape == i), shapes[i], phone)
    zip5 = pc.cast(pa.array(rng.integers(95200, 95400, n)), pa.string())
    plus4 = pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 10_000, n)), pa.string()), 4, "0")
    has_pcp, has_bh = rng.random(n) < 0.95, rng.random(n) < 0.2
    pcp_index = rng.integers(0, len(npis["pcp"]), n)
    return pa.table(
        {
            "member_id": _join(pc.cast(pa.array(10_000_000 + np.arange(start, start + n)), pa.string()), "A"),
            "first_name": _text(_pick(rng, FIRST, n)),
            "last_name": _text(_pick(rng, LAST, n)),
            "birth_date": _dates(epoch_as_of - rng.integers(0, 95 * 365, n)),
            "sex": _text(_pick(rng, ("F", "M", "F", "M", "X", "U"), n)),
            "race_ethnicity": _text(_pick(rng, ("hispanic", "white", "asian", "black", "aian", "other", "unknown"), n)),
            "language": _text(_pick(rng, ("en", "en", "es", "es", "vi", "zh", "tl", "hmn"), n)),
            "county": _text(_pick(rng, COUNTIES, n)),
            "plan_code": pa.array(["HPSJ"] * n, pa.string()),
            "enrollment_start": _dates(begin),
            "enrollment_end": _nullable(_dates(end), ended | (rng.random(n) < 0.03)),
            "delegated_to": _nullable(pa.array(["KAISER"] * n, pa.string()), rng.random(n) < 0.07),
            "dsnp": pa.array(rng.random(n) < 0.04),
            "other_programs": _nullable(_text(_pick(rng, PROGRAMS, n)), rng.random(n) < 0.03),
            "homeless_flag": pa.array(rng.random(n) < 0.025),
            "release_date": _nullable(_dates(epoch_as_of - rng.integers(0, 700, n)), rng.random(n) < 0.015),
            "ccs_enrolled": pa.array(rng.random(n) < 0.02),
            "foster_care": _nullable(_text(_pick(rng, ("current", "former"), n)), rng.random(n) < 0.03),
            "phone": _nullable(phone, rng.random(n) < 0.92),
            "address_line": _join(
                pc.cast(pa.array(rng.integers(1, 9999, n)), pa.string()), " ", _text(_pick(rng, STREETS, n))
            ),
            "city": _text(_pick(rng, CITIES, n)),
            "zip_code": pc.if_else(pa.array(rng.random(n) < 0.3), _join(zip5, "-", plus4), zip5),
            "pcp_npi": _nullable(_text(np.asarray(npis["pcp"], dtype=object)[pcp_index]), has_pcp),
            "pcp_name": _nullable(_join("Dr. ", _text(_pick(rng, LAST, n))), has_pcp),
            "bh_provider_npi": _nullable(_text(_pick(rng, tuple(npis["bh"]), n)), has_bh),
            "bh_provider_name": _nullable(pa.array(["Delta Behavioral Health"] * n, pa.string()), has_bh),
        }
    )


def member_rows(table: pa.Table, ids: dict[str, Any]) -> pa.Table:
    """The same members in members_member's shape, as calaim stores them (the COPY baseline's input)."""
    n = table.num_rows
    now = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC).isoformat()

    def lookup(column: str, mapping: dict[str, str]) -> pa.Array:
        keys = list(mapping)
        return pc.take(pa.array([mapping[k] for k in keys]), pc.index_in(table[column], value_set=pa.array(keys)))

    digits = pc.replace_substring_regex(table["phone"], r"[^0-9]", "")
    phone = pc.fill_null(_join("+1", pc.utf8_slice_codeunits(digits, -10, 2**31 - 1)), "")
    return pa.table(
        {
            "id": pa.array([str(uuid.uuid4()) for _ in range(n)]),
            "created_at": pa.array([now] * n),
            "updated_at": pa.array([now] * n),
            "cin": table["member_id"],
            "first_name": table["first_name"],
            "last_name": table["last_name"],
            "birth_date": table["birth_date"],
            "sex": table["sex"],
            "race_ethnicity": table["race_ethnicity"],
            "language": table["language"],
            "phone": phone,
            "address_line": table["address_line"],
            "city": table["city"],
            "zip_code": table["zip_code"],
            "experiencing_homelessness": table["homeless_flag"],
            "county_id": lookup("county", ids["counties"]),
            "plan_id": pa.array([ids["plan"]] * n),
            "delegated_to_id": lookup("delegated_to", {"KAISER": ids["kaiser"]}),
            "dsnp": table["dsnp"],
            "pcp_organization_id": lookup("pcp_npi", ids["npis"]),
            "pcp_name": pc.fill_null(table["pcp_name"], ""),
            "behavioral_health_organization_id": lookup("bh_provider_npi", ids["npis"]),
            "behavioral_health_provider_name": pc.fill_null(table["bh_provider_name"], ""),
            "release_date": table["release_date"],
            "ccs_enrolled": table["ccs_enrolled"],
            "foster_care": pc.fill_null(table["foster_care"], ""),
        }
    )


def files_write(
    work: Path, members: int, orm_rows: int, ids: dict[str, Any], npis: dict[str, list[str]]
) -> dict[str, Path]:
    """The roster, the next month's (1% changed, 0.5% absent), the first `orm_rows` rows, and the COPY input."""
    paths = {name: work / f"{name}.csv" for name in ("roster", "reload", "small", "copy")}
    rng = np.random.default_rng(2026)
    writers: dict[str, Any] = {}
    try:
        for start in range(0, members, CHUNK):
            table = roster_chunk(rng, start, min(CHUNK, members - start), npis)
            n = table.num_rows
            changed, kept = rng.random(n), rng.random(n) >= 0.005
            reload = table.set_column(
                2,
                "last_name",
                pc.if_else(pa.array(changed < 0.004), _join(table["last_name"], "-Diaz"), table["last_name"]),
            )
            reload = reload.set_column(
                19,
                "address_line",
                pc.if_else(
                    pa.array((changed >= 0.004) & (changed < 0.008)),
                    pa.scalar("100 Hammer Ln Apt 2"),
                    reload["address_line"],
                ),
            )
            reload = reload.set_column(
                13,
                "other_programs",
                pc.if_else(
                    pa.array((changed >= 0.008) & (changed < 0.01)), pa.scalar("HOSPICE"), reload["other_programs"]
                ),
            )
            outputs = {"roster": table, "reload": reload.filter(pa.array(kept)), "copy": member_rows(table, ids)}
            if start < orm_rows:
                outputs["small"] = table.slice(0, min(n, orm_rows - start))
            for name, data in outputs.items():
                if name not in writers:
                    options = pacsv.WriteOptions(include_header=name != "copy", quoting_style="needed")
                    writers[name] = pacsv.CSVWriter(paths[name], data.schema, write_options=options)
                writers[name].write(data)
    finally:
        for writer in writers.values():
            writer.close()
    return paths


# ---- the database --------------------------------------------------------------------------------------------------


def database_create(server: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    return f"{server}/{DATABASE}"


def database_drop(server: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def django_setup(url: str, data_dir: Path) -> dict[str, str]:
    env = {"DATABASE_URL": url, "CALAIM_MODE": "development", "CALAIM_DATA_DIR": str(data_dir)}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_dev")
    import django

    django.setup()
    return env


def reference_and_network(npis: dict[str, list[str]]) -> dict[str, Any]:
    """Migrated tables, the reference data, and the organizations the roster names; their ids for the baseline."""
    from django.core.management import call_command

    from calaim.network.models import Organization
    from calaim.plans.models import County, Plan
    from calaim.workflows.reference import reference_data_load

    call_command("migrate", verbosity=0)
    reference_data_load()
    kaiser = Organization.objects.create(name="Kaiser Permanente", kind="delegate", code="KAISER")
    by_npi = {}
    for kind, numbers in npis.items():
        for i, number in enumerate(numbers):
            org_kind = "pcp_clinic" if kind == "pcp" else "behavioral_health"
            by_npi[number] = str(Organization.objects.create(name=f"{kind} {i}", kind=org_kind, npi=number).pk)
    return {
        "plan": Plan.objects.get(code="HPSJ").pk,
        "counties": {c.name: c.pk for c in County.objects.filter(name__in=COUNTIES)},
        "kaiser": str(kaiser.pk),
        "npis": by_npi,
    }


def members_reset(url: str) -> None:
    """Empty member tables for a first load (and the loads, audit trail and facts that point at them)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE roster_rosterfact, roster_rosterload, core_auditevent, members_memberprogram, "
            "members_enrollmentspan, members_member CASCADE"
        )
        conn.execute("CHECKPOINT")  # each turn starts from the same clean state, not inside the last one's checkpoint


def copy_baseline(url: str, path: Path) -> float:
    """Seconds to COPY the members into a fresh table shaped like members_member (columns and indexes)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute("CREATE TABLE bench_copy (LIKE members_member INCLUDING ALL)")
        conn.execute("CHECKPOINT")
        started = time.perf_counter()
        sql = f"COPY bench_copy ({MEMBER_COLUMNS}) FROM STDIN (FORMAT csv)"
        with conn.transaction(), conn.cursor() as cursor, cursor.copy(sql) as copy, path.open("rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        rows = conn.execute("SELECT count(*) FROM bench_copy").fetchone()
        conn.execute("DROP TABLE bench_copy")
    assert rows is not None
    return seconds


class PeakRss:
    """The peak resident memory of a process (sampled every 20 ms)."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.02)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def command_load(env: dict[str, str], path: Path, as_of: dt.date) -> tuple[float, int, str]:
    """`manage.py roster_load` in its own process: wall seconds, peak RSS in bytes, its output's last lines."""
    command = [sys.executable, "manage.py", "roster_load", str(path), "--plan", "HPSJ", "--as-of", as_of.isoformat()]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = PeakRss(process.pid)
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    if process.returncode != 0:
        raise SystemExit(f"roster_load failed ({process.returncode}):\n{output}")
    return seconds, peak, output


def orm_load(path: Path) -> float:
    """A straightforward per-row load: get_or_create and save per member, its span, its audit event."""
    from django.db import transaction

    from calaim.core.audit import audit_record, snapshot
    from calaim.members.models import EnrollmentSpan, Member
    from calaim.network.models import Organization
    from calaim.plans.models import County, Plan

    plan = Plan.objects.get(code="HPSJ")
    counties = {c.name: c for c in County.objects.all()}
    by_npi = {o.npi: o for o in Organization.objects.exclude(npi="")}
    kaiser = Organization.objects.get(code="KAISER")
    flag = {"true": True, "false": False}
    fields = [f.name for f in Member._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")]
    started = time.perf_counter()
    with transaction.atomic(), path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            digits = "".join(c for c in row["phone"] if c.isdigit())
            values = {
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "birth_date": dt.date.fromisoformat(row["birth_date"]),
                "sex": row["sex"],
                "race_ethnicity": row["race_ethnicity"],
                "language": row["language"],
                "phone": f"+1{digits[-10:]}" if digits else "",
                "address_line": row["address_line"],
                "city": row["city"],
                "zip_code": row["zip_code"],
                "experiencing_homelessness": flag[row["homeless_flag"]],
                "county": counties[row["county"]],
                "plan": plan,
                "delegated_to": kaiser if row["delegated_to"] else None,
                "dsnp": flag[row["dsnp"]],
                "pcp_organization": by_npi.get(row["pcp_npi"]),
                "pcp_name": row["pcp_name"],
                "behavioral_health_organization": by_npi.get(row["bh_provider_npi"]),
                "behavioral_health_provider_name": row["bh_provider_name"],
                "release_date": dt.date.fromisoformat(row["release_date"]) if row["release_date"] else None,
                "ccs_enrolled": flag[row["ccs_enrolled"]],
                "foster_care": row["foster_care"],
            }
            member, created = Member.objects.get_or_create(cin=row["member_id"], defaults=values)
            if not created:
                for name, value in values.items():
                    setattr(member, name, value)
                member.save()
            end = dt.date.fromisoformat(row["enrollment_end"]) if row["enrollment_end"] else None
            EnrollmentSpan.objects.get_or_create(
                member=member,
                plan=plan,
                start_date=dt.date.fromisoformat(row["enrollment_start"]),
                defaults={"end_date": end},
            )
            audit_record(
                actor=None,
                action="member.roster_created",
                obj=member,
                member=member,
                after=snapshot(member, fields),
                reason="per-row ORM baseline",
            )
    return time.perf_counter() - started


def inprocess_load(path: Path) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("roster_load", str(path), "--plan", "HPSJ", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())
    return time.perf_counter() - started


# ---- the run -------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orm-rows", type=int, default=20_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--work", type=Path, help="Keep the generated files here (default: a temporary folder).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        url = database_create(args.server)
        try:
            run(args, url, work)
        finally:
            database_drop(args.server)


def run(args: argparse.Namespace, url: str, work: Path) -> None:
    env = django_setup(url, work / "data")
    rng = np.random.default_rng(7)
    npis = {
        kind: [npi(int(n)) for n in rng.choice(900_000_000, size=size, replace=False) + 100_000_000]
        for kind, size in (("pcp", 400), ("bh", 40))
    }
    ids = reference_and_network(npis)
    started = time.perf_counter()
    paths = files_write(work, args.members, args.orm_rows, ids, npis)
    print(
        f"{args.members:,} members generated in {time.perf_counter() - started:.0f} s "
        f"(roster {paths['roster'].stat().st_size / 1e6:.0f} MB)",
        flush=True,
    )
    copies, loads, peaks = [], [], []
    for turn in range(args.repeat):
        copies.append(copy_baseline(url, paths["copy"]))
        members_reset(url)
        seconds, peak, output = command_load(env, paths["roster"], AS_OF)
        loads.append(seconds)
        peaks.append(peak)
        print(
            f"turn {turn + 1}: COPY {copies[-1]:.1f} s, roster_load {seconds:.1f} s, peak RSS {peak / 2**20:.0f} MiB",
            flush=True,
        )
    print(output)
    reload_seconds, reload_peak, reload_output = command_load(env, paths["reload"], NEXT_AS_OF)
    print(reload_output)
    members_reset(url)
    orm = orm_load(paths["small"])
    members_reset(url)
    small = inprocess_load(paths["small"])
    copy, load = statistics.median(copies), statistics.median(loads)
    peak_all = max(max(peaks), reload_peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    rows = [
        (f"COPY of {args.members:,} members (baseline)", copy, "1.00", "", copies),
        (
            f"roster_load, first load of {args.members:,}",
            load,
            f"{load / copy:.2f} x COPY (target <= 4)",
            f"{max(peaks) / 2**20:,.0f} MiB",
            loads,
        ),
        (
            "roster_load, reload (1% changed, 0.5% absent)",
            reload_seconds,
            "target <= 60 s",
            f"{reload_peak / 2**20:,.0f} MiB",
            [reload_seconds],
        ),
        (f"per-row ORM load of {args.orm_rows:,}", orm, "", "", [orm]),
        (f"roster_load of the same {args.orm_rows:,}", small, f"{orm / small:.1f} x faster than the ORM", "", [small]),
    ]
    title = f"Roster load on PostgreSQL, {args.repeat} turn(s) (medians), peak RSS of any load"
    print(f"\n{title} {peak_all / 2**20:,.0f} MiB")
    print(f"{'':<50} {'seconds':>9}  {'ratio':<30} {'peak RSS':>9}  runs")
    for label, seconds, ratio, peak, runs in rows:
        print(f"{label:<50} {seconds:>9.1f}  {ratio:<30} {peak:>9}  {', '.join(f'{r:.1f}' for r in runs)}")


if __name__ == "__main__":
    main()
