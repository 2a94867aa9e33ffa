"""What feeds the PHI read log (calaim.core.phi): every member row, and every row linked to a member, that a request
materializes notes its member. Connected once by `MembersConfig.ready`, when every app's models are loaded."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import post_init

from calaim.core.phi import note_member, plan_resolver_set
from calaim.members.models import Member

# The plan lookup for the rows a request writes is chunked so no database meets its limit on query parameters.
_LOOKUP_CHUNK = 500


def _note_member_row(sender: type[Member], instance: Member, **kwargs: Any) -> None:
    # Read from __dict__: a deferred field must not cost a query, and a deferred id is not a read of the member.
    values = instance.__dict__
    note_member(values.get("id"), plan_id=values.get("plan_id"), state=instance._state)


def _linked_row_receiver(attnames: tuple[str, ...]) -> Callable[..., None]:
    def note_linked(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        for attname in attnames:
            note_member(instance.__dict__.get(attname))

    return note_linked


def member_links() -> dict[type[models.Model], tuple[str, ...]]:
    """Every model with a foreign key to Member (referrals, authorizations, tasks, the audit trail, the read log
    itself...), with the columns that hold the member's id."""
    links: dict[type[models.Model], tuple[str, ...]] = {}
    for model in apps.get_models():
        attnames = tuple(
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.ForeignKey) and field.related_model is Member
        )
        if attnames and model is not Member:
            links[model] = attnames
    return links


def member_plans(member_ids: Collection[Any]) -> dict[Any, int]:
    """The plan of each of `member_ids` that is a stored member."""
    ids = list(member_ids)
    plans: dict[Any, int] = {}
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        plans.update(Member.objects.filter(pk__in=chunk).values_list("pk", "plan_id"))
    return plans


def phi_read_log_connect() -> None:
    post_init.connect(_note_member_row, sender=Member, weak=False, dispatch_uid="phi_read_log:member")
    for model, attnames in member_links().items():
        post_init.connect(
            _linked_row_receiver(attnames),
            sender=model,
            weak=False,
            dispatch_uid=f"phi_read_log:{model._meta.label_lower}",
        )
    plan_resolver_set(member_plans)
