"""Benchmark of the roster reader: a 1,000,000-row roster of every column read, checked and written as Parquet.

Usage: nice -n 10 .venv/bin/python benchmarks/roster_read.py [--rows 1000000] [--file roster.csv] [--keep DIR]

Without --file a roster is generated (deterministic) with every spec column in the shapes plans send: dates
MM/DD/YYYY and YYYY-MM-DD, flags Y/N and true/false, phones in several formats, ZIP and ZIP+4, valid NPIs, and a
few bad rows (about 1 in 10,000) so the error path runs too. Prints the wall time of `roster_read`, rows per
second, the peak RSS of the process (psutil, sampled every 20 ms) and the reader's counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calaim.roster.reader import Vocabulary, roster_read  # noqa: E402 (after the path is set)
from calaim.roster.reader_values import npi_check_digit  # noqa: E402

TODAY = dt.date(2026, 6, 30)
CHUNK = 100_000
PROGRAMS = ("HOSPICE", "PACE", "CCM", "CCT", "MSSP", "HCBA", "ALW", "HCBS_DD", "SDP", "MCWP")
VOCABULARY = Vocabulary(
    plan_code="HPSJ", plan_codes=frozenset({"HPSJ", "HPSM"}),
    counties={"san joaquin": "San Joaquin", "stanislaus": "Stanislaus", "el dorado": "El Dorado"},
    delegates={"kaiser": "KAISER"}, programs=PROGRAMS)
CITIES = ["Stockton", "Lodi", "Tracy", "Manteca", "Modesto", "Turlock", "Ceres", "Placerville"]
STREETS = ["Main St", "Pacific Ave", "El Dorado St", "Hammer Ln", "March Ln", "McHenry Ave", "Oak St", "Elm Ave"]


def _pick(rng: np.random.Generator, options: list[str], n: int) -> pa.Array:
    return pa.array(np.asarray(options, dtype=object)[rng.integers(0, len(options), n)], pa.string())


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")


def _join(*parts: pa.Array | str) -> pa.Array:
    n = next(len(p) for p in parts if not isinstance(p, str))
    arrays = [pa.array([p] * n, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def _masked(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def _chunk(rng: np.random.Generator, start: int, n: int, npis: list[str]) -> pa.Table:
    idx = np.arange(start, start + n)
    birth = (np.datetime64("1930-01-01") + rng.integers(0, 34_000, n)).astype("datetime64[D]")
    ymd = pc.cast(pa.array(birth), pa.string())
    us = _join(pc.utf8_slice_codeunits(ymd, 5, 7), "/", pc.utf8_slice_codeunits(ymd, 8, 10), "/",
               pc.utf8_slice_codeunits(ymd, 0, 4))
    birth_text = pc.if_else(pa.array(rng.random(n) < 0.5), us, ymd)
    start_day = pc.cast(pa.array((np.datetime64("2016-01-01") + rng.integers(0, 3700, n)).astype("datetime64[D]")),
                        pa.string())
    end_day = pc.cast(pa.array((np.datetime64("2026-07-01") + rng.integers(0, 400, n)).astype("datetime64[D]")),
                      pa.string())
    area = np.asarray([209, 916, 408, 415, 650, 559])[rng.integers(0, 6, n)]
    exchange, line = rng.integers(200, 1000, n), rng.integers(0, 10_000, n)
    a, e, x = _digits(area, 3), _digits(exchange, 3), _digits(line, 4)
    shapes = [_join("(", a, ") ", e, "-", x), _join(a, "-", e, "-", x), _join(a, e, x), _join("+1 ", a, " ", e, " ", x),
              _join("1.", a, ".", e, ".", x)]
    shape = rng.integers(0, len(shapes), n)
    phone = shapes[0]
    for i in range(1, len(shapes)):
        phone = pc.if_else(pa.array(shape == i), shapes[i], phone)
    zip5 = _digits(rng.integers(95200, 95400, n), 5)
    zip_code = pc.if_else(pa.array(rng.random(n) < 0.3), _join(zip5, "-", _digits(rng.integers(0, 10_000, n), 4)),
                          zip5)
    npi_pool = np.asarray(npis, dtype=object)
    table = pa.table({
        "member_id": _join(_digits(10_000_000 + idx, 8), "A"),
        "first_name": _pick(rng, ["Ana", "Luis", "Mai", "Wei", "Jose", "Maria", "Tupac", "Leilani"], n),
        "last_name": _pick(rng, ["Garcia", "Nguyen", "Smith", "Lopez", "Chen", "Begay", "O'Neil", "Santos, Jr."], n),
        "birth_date": birth_text,
        "sex": _pick(rng, ["F", "M", "F", "M", "X", "U"], n),
        "race_ethnicity": _pick(rng, ["hispanic", "white", "asian", "black", "aian", "pacific_islander", "other"], n),
        "language": _pick(rng, ["en", "es", "vi", "zh", "tl"], n),
        "county": _pick(rng, ["San Joaquin", "Stanislaus", "san joaquin", "El Dorado"], n),
        "plan_code": pa.array(["HPSJ"] * n, pa.string()),
        "enrollment_start": start_day,
        "enrollment_end": _masked(end_day, rng.random(n) < 0.05),
        "delegated_to": _masked(pa.array(["KAISER"] * n, pa.string()), rng.random(n) < 0.07),
        "dsnp": _pick(rng, ["N", "N", "N", "Y", "false"], n),
        "other_programs": _masked(_pick(rng, ["HOSPICE", "CCM;MSSP", "pace"], n), rng.random(n) < 0.03),
        "homeless_flag": _pick(rng, ["N", "N", "N", "N", "Y", ""], n),
        "release_date": _masked(start_day, rng.random(n) < 0.015),
        "ccs_enrolled": _pick(rng, ["N", "N", "N", "Y"], n),
        "foster_care": _masked(_pick(rng, ["current", "former"], n), rng.random(n) < 0.03),
        "phone": _masked(phone, rng.random(n) < 0.9),
        "address_line": _join(_digits(rng.integers(1, 9999, n), 1), " ", _pick(rng, STREETS, n)),
        "city": _pick(rng, CITIES, n),
        "zip_code": zip_code,
        "pcp_npi": pa.array(npi_pool[rng.integers(0, len(npis), n)], pa.string()),
        "pcp_name": _pick(rng, ["Valley Clinic", "Dr. Ana Ruiz", "Delta Health Center", "Lodi Family Medicine"], n),
        "bh_provider_npi": _masked(pa.array(npi_pool[rng.integers(0, len(npis), n)], pa.string()),
                                   rng.random(n) < 0.3),
        "bh_provider_name": _masked(_pick(rng, ["Delta Behavioral Health", "Valley Counseling"], n),
                                    rng.random(n) < 0.3),
    })
    bad = rng.random(n) < 0.0001  # a few bad CINs and ZIP codes, so the error path is timed too
    table = table.set_column(0, "member_id", pc.if_else(pa.array(bad), pa.scalar("1234567"), table["member_id"]))
    return table.set_column(21, "zip_code", pc.if_else(pa.array(bad), pa.scalar("9520"), table["zip_code"]))


def roster_generate(path: Path, rows: int, seed: int = 1) -> None:
    """Write a roster CSV of `rows` members (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    npis = [f"{n}{npi_check_digit(str(n))}" for n in rng.integers(100_000_000, 999_999_999, 3000)]
    writer = None
    try:
        for start in range(0, rows, CHUNK):
            table = _chunk(rng, start, min(CHUNK, rows - start), npis)
            if writer is None:
                writer = pacsv.CSVWriter(path, table.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
            writer.write(table)
    finally:
        if writer is not None:
            writer.close()


class PeakRss:
    """The process's peak resident memory, sampled in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="an existing roster to read instead of a generated one")
    parser.add_argument("--keep", type=Path, help="a folder to keep the generated roster in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roster-read-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = args.file
        if path is None:
            path = folder / f"roster-{args.rows}.csv"
            if not path.exists():
                started = time.perf_counter()
                roster_generate(path, args.rows)
                print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
        process = psutil.Process()
        before, cpu_before = process.memory_info().rss, process.cpu_times()
        phases: dict[str, float] = {}
        started = time.perf_counter()

        def progress(phase: str, done: int, total: int) -> None:
            phases.setdefault(phase, time.perf_counter() - started)

        with PeakRss() as rss:
            read = roster_read(path, vocabulary=VOCABULARY, work_dir=Path(tmp) / "work", today=TODAY,
                               progress=progress)
        wall = time.perf_counter() - started
        cpu = sum(process.cpu_times()[:2]) - sum(cpu_before[:2])
    print(f"rows read {read.rows_read:,}; rejected rows {read.rejected_rows:,}; errors {read.error_count:,}")
    print(f"wall {wall:.2f} s; {read.rows_read / wall:,.0f} rows/s; peak RSS {rss.peak / 2**20:,.0f} MiB "
          f"(before the read {before / 2**20:,.0f} MiB)")
    # CPU time (user + system, every thread) does not depend on what else the machine runs; wall time does.
    print(f"CPU {cpu:.2f} s; load average {' '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
    print("phases began at: " + ", ".join(f"{p} {t:.2f} s" for p, t in phases.items()))
    print("rejected by reason: " + ", ".join(f"{k} {v}" for k, v in read.rejected_by_reason.items()))


if __name__ == "__main__":
    main()
