"""Copies of the demo's members' records onto look-alike members, in set-based SQL.

The demo takes a few hundred members through the real workflows (referrals in every state, clocks, decisions,
enrollments, care plans, tasks, notices, Community Supports, the audit trail). A plan's volumes are many copies of
that: each template member gets `n` look-alike members (benchmarks/scale/population.py), and every row linked to
the template, found by following foreign keys from Member, is inserted again for each copy with new ids and every
foreign key into the copied rows remapped to the same copy. One INSERT ... SELECT per table; no ORM per row.

A copy may be moved back in time (`shift`): every date and time of its rows moves by the same interval, so a copied
referral keeps its clocks (received, due, decided) consistent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.apps import apps
from django.db import connection, models

from calaim.members.models import Member

# Not copied: the roster load's records (a load is per file, not per member), tasks of the worker, and the PHI read
# log (benchmarks/scale/history.py writes it at its own volume).
SKIP_APPS = frozenset({"roster", "jobs", "django_tasks_database"})
SKIP_MODELS = frozenset({"core.phiread"})
CLONE_MEMBERS = "scale_clone_member"


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _links(model: type[models.Model]) -> list[models.ForeignKey]:  # type: ignore[type-arg]
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def linked_models() -> list[type[models.Model]]:
    """Every model whose rows belong to a member, parents before children (by the foreign key that anchors it)."""
    found: list[type[models.Model]] = [Member]
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in SKIP_APPS and _label(m) not in SKIP_MODELS and m is not Member
    ]
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model not in found and any(f.related_model in found for f in _links(model)):
                found.append(model)
                grew = True
    return found[1:]


def _anchors(model: type[models.Model], copied: Sequence[type[models.Model]]) -> list[models.ForeignKey]:  # type: ignore[type-arg]
    """The foreign keys that say which member a row belongs to: the member itself, else its copied parents."""
    links = _links(model)
    member = [f for f in links if f.related_model is Member and not f.null]
    if member:
        return member[:1]
    member = [f for f in links if f.related_model is Member]
    parents = [f for f in links if f.related_model in copied and f.related_model is not model]
    return member + parents


def _map_table(model: type[models.Model]) -> str:
    return f"scale_map_{model._meta.db_table}"


def _source(model: type[models.Model], anchor: models.ForeignKey) -> str:  # type: ignore[type-arg]
    if anchor.related_model is Member:
        return CLONE_MEMBERS
    return _map_table(anchor.related_model)  # type: ignore[arg-type]


def _new_key(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None
    if isinstance(pk, models.UUIDField):
        return "gen_random_uuid()"
    return f"nextval(pg_get_serial_sequence('{model._meta.db_table}', '{pk.column}'))"


def map_create(model: type[models.Model], copied: Sequence[type[models.Model]]) -> None:
    """scale_map_<table>(old, k, new, shift): for each template row and copy number, its copy's key."""
    table, pk = model._meta.db_table, model._meta.pk
    assert pk is not None
    selects, earlier = [], []
    for anchor in _anchors(model, copied):
        none_before = "".join(f" AND src.{column} IS NULL" for column in earlier)
        selects.append(
            f"SELECT src.{pk.column} AS old, p.k, {_new_key(model)} AS new, p.shift FROM {table} src "
            f"JOIN {_source(model, anchor)} p ON p.old = src.{anchor.column}"
            f" WHERE src.{anchor.column} IS NOT NULL{none_before}"
        )
        earlier.append(anchor.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_map_table(model)}")
        cursor.execute(f"CREATE UNLOGGED TABLE {_map_table(model)} AS {' UNION ALL '.join(selects)}")
        cursor.execute(f"CREATE INDEX ON {_map_table(model)} (old, k)")


def _expression(
    field: models.Field, model: type[models.Model], copied: Sequence[type[models.Model]]
) -> tuple[str, str]:  # type: ignore[type-arg]
    """(join, expression) giving the copy's value of one column."""
    column = field.column
    if field.primary_key:
        return "", "mp.new"
    if isinstance(field, models.ForeignKey) and (field.related_model is Member or field.related_model in copied):
        alias = f"j_{column}"
        table = _source(model, field)
        join = f" LEFT JOIN {table} {alias} ON {alias}.old = src.{column} AND {alias}.k = mp.k"
        return join, f"{alias}.new"
    if isinstance(field, models.DateTimeField):
        return "", f"src.{column} - mp.shift"
    if isinstance(field, models.DateField):
        return "", f"(src.{column} - mp.shift)::date"
    if field.name == "idempotency_key":
        return "", f"CASE WHEN src.{column} = '' THEN '' ELSE left(src.{column}, 90) || '-' || mp.k END"
    if _label(model) == "core.auditevent" and field.name == "object_id":
        join = " LEFT JOIN scale_idmap idm ON idm.old = src.object_id AND idm.k = mp.k"
        return join, "coalesce(idm.new, src.object_id)"
    return "", f"src.{column}"


def rows_copy(model: type[models.Model], copied: Sequence[type[models.Model]]) -> int:
    """INSERT one copy of each template row per copy number, remapped."""
    table, pk = model._meta.db_table, model._meta.pk
    assert pk is not None
    joins, columns, values = [], [], []
    for field in model._meta.concrete_fields:
        join, expression = _expression(field, model, copied)
        joins.append(join)
        columns.append(field.column)
        values.append(expression)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} src "
        f"JOIN {_map_table(model)} mp ON mp.old = src.{pk.column}{''.join(joins)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.rowcount)


def clone_members_write(mapping: list[tuple[uuid.UUID, int, uuid.UUID]], shifts: dict[uuid.UUID, int]) -> None:
    """scale_clone_member(old, k, new, shift): the template member, copy number, look-alike and time shift."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CLONE_MEMBERS}")
        cursor.execute(f"CREATE UNLOGGED TABLE {CLONE_MEMBERS} (old uuid, k int, new uuid, shift interval)")
        with cursor.cursor.copy(f"COPY {CLONE_MEMBERS} (old, k, new, shift) FROM STDIN") as copy:
            for old, k, new in mapping:
                copy.write_row((old, k, new, f"{shifts.get(old, 0) * k} seconds"))
        cursor.execute(f"CREATE INDEX ON {CLONE_MEMBERS} (old, k)")


def _idmap_create(copied: Sequence[type[models.Model]]) -> None:
    """Every copied key as text, so an audit event's object id follows its object to the copy."""
    parts = [f"SELECT old::text, k, new::text FROM {CLONE_MEMBERS}"]
    parts += [f"SELECT old::text, k, new::text FROM {_map_table(m)}" for m in copied]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS scale_idmap")
        cursor.execute(f"CREATE UNLOGGED TABLE scale_idmap AS {' UNION ALL '.join(parts)}")
        cursor.execute("CREATE INDEX ON scale_idmap (old, k)")


def records_copy() -> dict[str, int]:
    """Copy every member-linked row of the template members onto their look-alikes; rows written per table."""
    copied = linked_models()
    mapped: list[type[models.Model]] = [Member]
    while len(mapped) <= len(copied):
        ready = [m for m in copied if m not in mapped and all(a.related_model in mapped for a in _anchors(m, copied))]
        if not ready:
            raise RuntimeError(f"no order in which to map {[m for m in copied if m not in mapped]}")
        for model in ready:
            map_create(model, copied)
            mapped.append(model)
    _idmap_create(copied)
    written = {}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for model in copied:
        written[model._meta.db_table] = rows_copy(model, copied)
    with connection.cursor() as cursor:
        for model in copied:
            cursor.execute(f"DROP TABLE {_map_table(model)}")
        cursor.execute(f"DROP TABLE scale_idmap, {CLONE_MEMBERS}")
    return written
