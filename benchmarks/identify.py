"""Benchmark of `calaim identify`: DuckDB vs a pandas baseline vs Spark vs a DuckDB scan floor.

Usage: .venv/bin/python benchmarks/identify.py [--members 1000000] [--claims-per-member 20]
Data are generated once with the `calaim synth` logic and cached under benchmarks/.cache/ (git-ignored)
or $CALAIM_BENCH_CACHE. Each job runs in its own subprocess; peak memory is the highest summed RSS
of that process tree (Spark's JVM included), polled every 50 ms. The DuckDB job and the floor, the two
short jobs whose ratio is a target, each run --repeat times (default 5): the wall time reported is the
median of those runs and the peak memory the highest; the two run in turns, so both see the same machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
AS_OF = "2026-06-30"
DATA_VERSION = 3  # 2: claims bill a realistic pool of providers (NPIs); 3: members carry the roster's contact columns
REPEATED = ("duckdb", "floor")  # short jobs, run --repeat times: their median is reported
FLOOR_SQL = """
SELECT COUNT(*), MAX(LENGTH(claim_id)), MAX(LENGTH(member_id)), MAX(service_from), MAX(service_to),
       MAX(LENGTH(claim_type)), MAX(LENGTH(bill_type)), MAX(LENGTH(place_of_service)), MAX(LENGTH(revenue_codes)),
       MAX(LENGTH(procedure_codes)), MAX(LENGTH(admission_type)), MAX(LENGTH(diagnosis_codes))
FROM {source}"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MiB of its whole process tree)."""
    start = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return wall, peak / 2**20


def dataset(members: int, per_member: float, fmt: str, seed: int) -> tuple[Path, Path]:
    """Generate (once) and return the members and claims files."""
    cache = Path(os.environ.get("CALAIM_BENCH_CACHE", ROOT / "benchmarks" / ".cache"))
    # DATA_VERSION changes whenever `calaim synth` writes different files, so a stale cache is not reused.
    folder = cache / f"m{members}_c{per_member:g}_s{seed}_{fmt}_d{DATA_VERSION}"
    paths = (folder / f"members.{fmt}", folder / f"claims.{fmt}")
    if not all(p.exists() for p in paths) or not (folder / "done").exists():
        print(f"generating {members:,} members x {per_member:g} claims into {folder} ...", flush=True)
        t = time.perf_counter()
        subprocess.run([PY, "-m", "identification.cli", "synth", "--members", str(members), "--out", str(folder),
                        "--seed", str(seed), "--format", fmt, "--claims-per-member", str(per_member)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        (folder / "done").write_text("ok")
        print(f"  generated in {time.perf_counter() - t:.0f} s", flush=True)
    return paths


def identify_cmd(members: Path, claims: Path, out: Path, engine: str) -> list[str]:
    return [PY, "-m", "identification.cli", "identify", "--members", str(members), "--claims", str(claims),
            "--as-of", AS_OF, "--out", str(out), "--engine", engine]


def floor_cmd(claims: Path) -> list[str]:
    source = (f"read_parquet('{claims}')" if claims.suffix == ".parquet"
              else f"read_csv('{claims}', header=true, all_varchar=true)")
    code = ("import duckdb,os; c=duckdb.connect(config={'threads': os.cpu_count()});"
            f"print(c.sql({FLOOR_SQL.format(source=source)!r}).fetchall())")
    return [PY, "-c", code]


def same_outputs(a: Path, b: Path) -> bool:
    excl = [p.with_name(f"{p.stem}.exclusions{p.suffix}") for p in (a, b)]
    return filecmp.cmp(a, b, shallow=False) and filecmp.cmp(excl[0], excl[1], shallow=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--claims-per-member", type=float, default=20.0)
    p.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--skip", nargs="*", default=[], choices=("pandas", "spark", "floor"))
    p.add_argument("--repeat", type=int, default=5,
                   help="runs of the DuckDB job and of the floor, in turns (medians reported)")
    args = p.parse_args()
    members, claims = dataset(args.members, args.claims_per_member, args.format, args.seed)
    print(f"data: {members.stat().st_size / 2**20:,.0f} MiB members, {claims.stat().st_size / 2**20:,.0f} MiB claims",
          flush=True)
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="calaim-bench-") as tmp:
        out = {name: Path(tmp) / name / "candidates.csv" for name in ("duckdb", "pandas", "spark")}
        runs = [("duckdb", identify_cmd(members, claims, out["duckdb"], "duckdb"), None),
                ("floor", floor_cmd(claims), None),
                ("pandas", [PY, "benchmarks/identify_pandas.py", "--members", str(members), "--claims", str(claims),
                            "--as-of", AS_OF, "--out", str(out["pandas"])], None),
                ("spark", identify_cmd(members, claims, out["spark"], "spark"),
                 {"CALAIM_SPARK_DRIVER_MEMORY": "6g"})]
        # The two short jobs run in turns (duckdb, floor, duckdb, floor, ...) so both see the same machine:
        # on a shared host the speed drifts by 10-20% over a minute, which would skew the ratio of two
        # medians taken minutes apart.
        repeated = [(name, cmd, env) for name, cmd, env in runs if name in REPEATED and name not in args.skip]
        times = max(1, args.repeat)
        if repeated:
            print(f"running {' and '.join(n for n, _, _ in repeated)} in turns, {times} times each ...", flush=True)
        walls: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in repeated}
        for _ in range(times):
            for name, cmd, env in repeated:
                walls[name].append(measure(cmd, env))
        for name, got in walls.items():
            results[name] = (statistics.median(w for w, _ in got), max(p for _, p in got))
            listed = ", ".join(f"{w:.1f}" for w, _ in got)
            print(f"  {name}: runs {listed} s; median {results[name][0]:.1f} s, peak {results[name][1]:,.0f} MiB",
                  flush=True)
        if len(walls) == 2:
            pairs = [d / f for (d, _), (f, _) in zip(walls["duckdb"], walls["floor"], strict=True)]
            print(f"  duckdb/floor run by run: {', '.join(f'{r:.1f}x' for r in pairs)}", flush=True)
        for name, cmd, env in runs:
            if name in args.skip or name in REPEATED:
                continue
            print(f"running {name} ...", flush=True)
            try:
                wall, peak = measure(cmd, env)
            except SystemExit as exc:  # e.g. pandas running out of memory: report it, keep going
                print(f"  {name} failed: {exc}", flush=True)
                continue
            results[name] = (wall, peak)
            print(f"  {name}: {wall:.1f} s, peak {peak:,.0f} MiB", flush=True)
        checks = compare(args, out, results, tmp)
    report(args, results, checks)


def compare(args: argparse.Namespace, out: dict[str, Path], results: dict, tmp: str) -> list[str]:
    """Check that pandas and Spark give DuckDB's output byte for byte."""
    checks = []
    if "spark" in results:
        checks.append(f"spark output identical to duckdb: {same_outputs(out['duckdb'], out['spark'])}")
    if "pandas" in results:
        checks.append(f"pandas output identical to duckdb (full data): {same_outputs(out['duckdb'], out['pandas'])}")
    return checks


def report(args: argparse.Namespace, results: dict[str, tuple[float, float]], checks: list[str]) -> None:
    print()
    print(f"calaim identify benchmark, {args.members:,} members x {args.claims_per_member:g} claims/member "
          f"({args.format}), {os.cpu_count()} cores, {dt.date.today()}")
    if args.repeat > 1:
        print(f"duckdb and floor: median wall of {args.repeat} runs, highest peak")
    print(f"{'job':<10}{'wall s':>10}{'peak MiB':>12}")
    for name, (wall, peak) in results.items():
        print(f"{name:<10}{wall:>10.1f}{peak:>12,.0f}")
    d = results.get("duckdb")
    if d:
        for label, other, invert in (("pandas/duckdb", "pandas", False), ("duckdb/floor", "floor", True),
                                     ("spark/duckdb", "spark", False)):
            if other in results:
                o = results[other][0]
                print(f"{label:<14}{(d[0] / o if invert else o / d[0]):>8.1f}x")
    for line in checks:
        print(line)


if __name__ == "__main__":
    main()
