"""The admin's two kinds of model: domain records it only shows, and configuration it edits on the record.

Why two kinds. A member-linked domain record (a member, referral, authorization, Notice of Action, eligibility
determination, enrollment, care plan, goal, task, outreach attempt, care team member, Community Supports request,
delivery or delegate reassignment, a closed-loop event, a notice, an audit event) changes only through the service
that owns it: the service checks the policy on the locked row, keeps the regulatory clocks, moves the closed loop,
queues the letters the step owes and writes its audit event, all in one transaction. An edit in the admin would
skip every one of those rules (an authorization set from pending to approved there issues no notice, starts no
enrollment and leaves its clock running); auditing such an edit would only record the damage. So these are
`ReadOnlyAdmin` and `ReadOnlyInline`: view permission only, no add, change or delete, hence no bulk delete action.
A correction goes through the app, or through a reviewed data migration that writes its own audit events.

Configuration (users, groups, second-factor devices, API tokens, organizations and contracts, Community Supports
services, offerings and limits, the dated reference tables) has no service behind it, so it stays editable in the
admin, and every add, change and delete there, whether through the form, an inline, list editing, the password
form or the delete action, writes an `AuditEvent` in the same transaction: the admin user as actor, every column
and many-to-many before and after (never a password hash or a key), and the admin's own change message as the
reason. A custom admin action must go through a service that writes its own event (API token revocation does).

`tests/admin/test_admin_registry.py` holds every model in the admin, third-party ones included, to one of the two.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import NestedObjects
from django.db import models, router, transaction
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest

from calaim.core.audit import audit_record, jsonable, snapshot

# Columns never copied into the audit trail: a password hash, an API token's hash, a TOTP secret.
SECRET_FIELDS = frozenset({"password", "key_hash", "key"})
_BEFORE = "_calaim_admin_before"


def admin_state(obj: models.Model) -> dict[str, Any]:
    """Every column and many-to-many of a saved object as JSON-ready values, secrets left out."""
    opts = obj._meta
    state = snapshot(obj, [f.name for f in opts.concrete_fields if f.name not in SECRET_FIELDS])
    for field in opts.many_to_many:
        related = getattr(obj, field.name).values_list("pk", flat=True)
        state[field.name] = sorted(str(pk) for pk in related)
    return state


def stored_state(obj: models.Model) -> dict[str, Any] | None:
    """The object as the database holds it now, before the admin's form is saved over it."""
    stored = type(obj)._base_manager.filter(pk=obj.pk).first()
    return admin_state(stored) if stored is not None else None


def _record(request: HttpRequest, action: str, obj: models.Model, **change: Any) -> None:
    actor = request.user if request.user.is_authenticated else None
    audit_record(actor=actor, action=action, obj=obj, **change)


def _reason(message: Any) -> str:
    """The admin's change message ("Changed name.", "Added contract ...") as the audit event's reason."""
    text = message if isinstance(message, str) else json.dumps(jsonable(message))
    return str(LogEntry(change_message=text).get_change_message())


def _before(request: HttpRequest) -> dict[tuple[str, str], dict[str, Any] | None]:
    stash: dict[tuple[str, str], dict[str, Any] | None] | None = getattr(request, _BEFORE, None)
    if stash is None:
        stash = {}
        setattr(request, _BEFORE, stash)
    return stash


def _key(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def record_deletions(request: HttpRequest, objs: list[models.Model]) -> None:
    """One `admin.delete` event for each object a delete removes, the cascade included; call it before deleting."""
    if not objs:
        return
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    for doomed in collector.model_objs.values():
        for obj in doomed:
            if not obj._meta.auto_created:  # a many-to-many link row is in its owner's snapshot
                _record(request, "admin.delete", obj, before=admin_state(obj))


class AuditedAdmin(admin.ModelAdmin):
    """Configuration: editable, and every add, change and delete writes an audit event in the same transaction."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            _before(request)[_key(obj)] = admin_state(obj)  # loaded fresh, before any form touches it
        return obj

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and _key(obj) not in _before(request):  # list editing loads no object through get_object
            _before(request)[_key(obj)] = stored_state(obj)
        super().save_model(request, obj, form, change)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self.audit_addition(request, obj, message)
        return super().log_addition(request, obj, message)

    def audit_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> None:
        """Record an object added through the admin; an admin whose add calls an audited service overrides this."""
        _record(request, "admin.add", obj, after=admin_state(obj), reason=_reason(message))

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        before = _before(request).pop(_key(obj), None)
        _record(request, "admin.change", obj, before=before, after=admin_state(obj), reason=_reason(message))
        return super().log_change(request, obj, message)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_deletions(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The delete action, unlike the delete page, runs outside a transaction: the events and the delete are one.
        with transaction.atomic(using=queryset.db):
            record_deletions(request, list(queryset))
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: Any, change: bool) -> None:
        before = formset_before(request, formset)
        super().save_formset(request, form, formset, change)
        formset_after(request, formset, before)


def formset_before(request: HttpRequest, formset: BaseModelFormSet) -> dict[int, dict[str, Any] | None]:
    """Before an inline formset is saved: record the rows it deletes, and keep the stored state of the others."""
    existing = [f for f in formset.initial_forms if f.instance.pk is not None]
    if formset.can_delete:
        record_deletions(request, [f.instance for f in existing if f in formset.deleted_forms])
    return {id(f.instance): stored_state(f.instance) for f in existing}


def formset_after(request: HttpRequest, formset: BaseModelFormSet, before: dict[int, dict[str, Any] | None]) -> None:
    """After an inline formset is saved: record each row it added or changed."""
    for obj in formset.new_objects:
        _record(request, "admin.add", obj, after=admin_state(obj), reason="Added in an inline.")
    for obj, changed in formset.changed_objects:
        reason = f"Changed {', '.join(changed)} in an inline."
        _record(request, "admin.change", obj, before=before.get(id(obj)), after=admin_state(obj), reason=reason)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A domain record: shown to whoever may view it, changed only through its service."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows of a domain record, shown under it and never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
