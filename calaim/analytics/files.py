"""Where an identification run's files live, which server files a plan's analysts may pick, and the checks on them.

Each run has its own folder, `CALAIM_DATA_DIR/identification/<run id>/`, holding its uploaded inputs and its
outputs (`candidates.csv`, `exclusions.csv`); runs are kept, so the folder is too. Files named on the server come
only from the plan's own folder, `CALAIM_SERVER_FILES_DIR/<plan code>/`, and only by a name calaim listed there:
a path is never taken from the caller, so nothing outside that folder can be read.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import duckdb
from django.conf import settings

from identification.errors import InputError
from identification.inputs import file_columns, text_relation_sql

INPUTS = ("members", "claims")
INPUT_ENDINGS = (".csv", ".parquet")
OUTPUT_FILES = {"candidates": "candidates.csv", "exclusions": "exclusions.csv"}
SERVER_FILES_LISTED = 500
_NAME_PARTS = re.compile(r"[\\/]")


def identification_root() -> Path:
    return Path(settings.CALAIM_DATA_DIR) / "identification"


def private_dir(path: Path) -> Path:
    """A folder readable by calaim's own user only (the files in it are PHI)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.chmod(0o700)
    return path


def run_folder(run_id: object) -> Path:
    return identification_root() / str(run_id)


def output_path(run_id: object, kind: str) -> Path:
    return run_folder(run_id) / OUTPUT_FILES[kind]


def shown_name(file_name: str) -> str:
    """The name as a person sent it, without any folder a browser may have put in front."""
    return _NAME_PARTS.split(file_name or "")[-1].strip()[:255]


def input_ending(file_name: str) -> str | None:
    """`.csv` or `.parquet` (how `identify` reads the file), or None for any other kind of file."""
    suffix = Path(shown_name(file_name)).suffix.lower()
    return suffix if suffix in INPUT_ENDINGS else None


def server_folder(plan_code: str) -> Path:
    return Path(settings.CALAIM_SERVER_FILES_DIR) / plan_code


def server_files(plan_code: str) -> list[str]:
    """The CSV and Parquet files in the plan's server folder (and its subfolders), by path relative to it; hidden
    files and anything a link takes outside the folder are left out. At most SERVER_FILES_LISTED, sorted."""
    base = server_folder(plan_code)
    if not base.is_dir():
        return []
    root = base.resolve()
    names = []
    for path in base.rglob("*"):
        relative = path.relative_to(base)
        if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in INPUT_ENDINGS:
            continue
        if path.is_file() and path.resolve().is_relative_to(root):
            names.append(relative.as_posix())
    return sorted(names)[:SERVER_FILES_LISTED]


def server_file_path(plan_code: str, name: str) -> Path | None:
    """The file a listed name stands for, or None when the name is not one `server_files` lists."""
    if name not in server_files(plan_code):
        return None
    return server_folder(plan_code).joinpath(*name.split("/")).resolve()


def foreign_plan_row(path: Path, plan_code: str) -> InputError | None:
    """The first members row of another plan than the run's (a run reads one plan's members), with how many such
    rows there are; None when every row is the plan's. Call after `identify` validated the file."""
    con = duckdb.connect()
    try:
        present = file_columns(con, path)
        rows = text_relation_sql(path, present, ("plan_code",), row_number=True)
        # The relation is identification's own reader of the validated file; the plan code is a bound parameter.
        query = f"SELECT rn, plan_code, COUNT(*) OVER () FROM ({rows}) WHERE TRIM(plan_code) <> ? ORDER BY rn LIMIT 1"  # noqa: S608
        found = con.execute(query, [plan_code]).fetchone()
    finally:
        con.close()
    if found is None:
        return None
    row, value, count = found
    more = f" ({count - 1} more rows like it)" if count > 1 else ""
    return InputError(str(path), int(row), "plan_code", f"{value.strip()!r} is not your plan ({plan_code}){more}")
