"""Writing audit events; called by every service function that changes state."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import timezone

from calaim.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of a model instance, as JSON-ready values (foreign keys by id)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation:
            assert isinstance(field, models.Field)  # snapshots name forward fields; reverse relations have no attname
            value = getattr(obj, field.attname)
        else:
            value = getattr(obj, name)
        data[name] = _jsonable(value)
    return data


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    member: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record one state change; must be called inside the service's transaction."""
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor.get_username() if actor is not None else "system",
        action=action,
        member_id=member.pk if member is not None else None,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason,
    )


def jsonable(value: Any) -> Any:
    """Dates, UUIDs, decimals and model instances as JSON-ready values, recursively."""
    return _jsonable(value)


def audited_update(
    obj: models.Model,
    changes: dict[str, Any],
    *,
    actor: AbstractBaseUser | None,
    action: str,
    fields: list[str],
    member: models.Model | None,
    reason: str = "",
) -> None:
    """Set `changes` on `obj`, save just those columns, and record the change with `fields` before and after; must be
    called inside the service's transaction."""
    before = snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    stamped = ["updated_at"] if any(f.name == "updated_at" for f in obj._meta.concrete_fields) else []
    obj.save(update_fields=[*changes, *stamped])
    audit_record(
        actor=actor, action=action, obj=obj, member=member, before=before, after=snapshot(obj, fields), reason=reason
    )
