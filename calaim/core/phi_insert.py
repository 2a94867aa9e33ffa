"""Writing the PHI read log's rows for one request: one statement, about one round trip, no wait for the disk.

Not bulk_create: it would wrap the insert in a transaction of its own, build a model instance and run the compiler
for every row, and ask for the new ids back, which nobody reads; on a page listing fifty members that is most of the
log's cost. Values are prepared by the model's own fields, so each database gets its types as Django sends them.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field

from calaim.core.models import PhiRead

ROWS_PER_STATEMENT = 1000


def phi_reads_insert(shared: dict[str, Any], members: list[tuple[Any, int]]) -> None:
    """One row per (member id, plan id) in `members`, each with the `shared` values (by PhiRead field name)."""
    fields = {field.name: field for field in PhiRead._meta.concrete_fields}
    prepared = {name: fields[name].get_db_prep_save(value, connection) for name, value in shared.items()}
    rows = [
        (fields["member"].get_db_prep_save(member_id, connection), fields["plan"].get_db_prep_save(plan_id, connection))
        for member_id, plan_id in members
    ]
    postgresql = connection.vendor == "postgresql"
    write = _unnest if postgresql else _values
    columns = [fields[name] for name in [*shared, "member", "plan"]]
    size = ROWS_PER_STATEMENT if postgresql else _values_per_statement(columns, rows)
    statements = [write(fields, prepared, rows[start : start + size]) for start in range(0, len(rows), size)]
    relaxed = postgresql and not getattr(settings, "CALAIM_PHI_LOG_DURABLE_COMMIT", False)
    # One statement commits by itself in autocommit; several (an export of thousands of members) go in together.
    with transaction.atomic() if relaxed or len(statements) > 1 else nullcontext(), connection.cursor() as cursor:
        if relaxed:
            # The commit does not wait for the disk (PostgreSQL's asynchronous commit, for this transaction only):
            # on a busy server that wait is most of the log's cost. A crash of the database server, not of the app,
            # may lose the reads of its last fraction of a second (3 x wal_writer_delay, 0.6 s by default); nothing
            # is ever half-written. Set CALAIM_PHI_LOG_DURABLE_COMMIT = True to wait for the disk instead.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for sql, params in statements:
            cursor.execute(sql, params)


def _names(fields: dict[str, Field[Any, Any]], names: list[str]) -> str:
    return ", ".join(connection.ops.quote_name(fields[name].column) for name in names)


def _unnest(
    fields: dict[str, Field[Any, Any]], shared: dict[str, Any], rows: list[tuple[Any, Any]]
) -> tuple[str, list[Any]]:
    """PostgreSQL: the shared values once and the members as two arrays, whatever their number: a short statement
    with a dozen parameters, rather than thirteen a row for the driver to format and the server to parse."""
    typed = [f"CAST(%s AS {fields[name].db_type(connection)})" for name in shared]
    member_type, plan_type = fields["member"].db_type(connection), fields["plan"].db_type(connection)
    table = connection.ops.quote_name(PhiRead._meta.db_table)
    # Only the model's own quoted table and column names and types are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({_names(fields, [*shared, 'member', 'plan'])}) "  # noqa: S608
        f"SELECT {', '.join(typed)}, member_id, plan_id "
        f"FROM unnest(CAST(%s AS {member_type}[]), CAST(%s AS {plan_type}[])) AS read(member_id, plan_id)"
    )
    return sql, [*shared.values(), [m for m, _ in rows], [p for _, p in rows]]


def _values(
    fields: dict[str, Field[Any, Any]], shared: dict[str, Any], rows: list[tuple[Any, Any]]
) -> tuple[str, list[Any]]:
    """Elsewhere (SQLite): a multi-row VALUES (`_values_per_statement` rows at most)."""
    names = [*shared, "member", "plan"]
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    params: list[Any] = []
    for member_id, plan_id in rows:
        params += [*shared.values(), member_id, plan_id]
    table = connection.ops.quote_name(PhiRead._meta.db_table)
    values = ", ".join([row] * len(rows))
    return f"INSERT INTO {table} ({_names(fields, names)}) VALUES {values}", params  # noqa: S608


def _values_per_statement(columns: list[Field[Any, Any]], rows: list[tuple[Any, Any]]) -> int:
    """As many rows as the database's limit on parameters allows, and no more than ROWS_PER_STATEMENT."""
    allowed = connection.ops.bulk_batch_size(columns, rows)
    return max(1, min(allowed or ROWS_PER_STATEMENT, ROWS_PER_STATEMENT))
