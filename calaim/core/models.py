"""Base model with an opaque public id, and the audit trail every service writes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class DomainModel(models.Model):
    """Member-linked domain objects are keyed by a random UUID so ids in URLs reveal nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One state change: who did what to which object of which member, with the before and after."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text too, so the trail stays readable if the user is later deactivated or renamed.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"


class PhiRead(models.Model):
    """One request's read of one member's data by a signed-in person: who, which member, what, when and from where.

    Written by `calaim.core.middleware.PhiReadLogMiddleware`, one row per (request, member); never changed. The
    member's plan at the time of the read is kept so the plan's compliance staff see the reads of its members."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    # The id of the request in the server's logs (X-Request-ID), so a read and its log lines can be joined.
    request_id = models.CharField(max_length=64)
    # The composite indexes below lead with each foreign key, so the one-column indexes Django adds are not needed.
    # No constraint in the database either: a row is written only for a stored member, user and plan, deleting any
    # of them is refused (PROTECT, checked by Django), and three lookups per row would be most of the insert's work
    # on a log that takes a row for every member on every page.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    # Kept as text too, so the log stays readable if the user is later renamed or changes role.
    user_label = models.CharField(max_length=200)
    user_role = models.CharField(max_length=40, blank=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    view = models.CharField(max_length=120, help_text="The route's name, e.g. web:member or api:get_member.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # The query string: a search's terms, filters and page. It is member data too, which is why the log is protected.
    query = models.CharField(max_length=1000, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["member", "at"], name="phiread_member_at_idx"),
            models.Index(fields=["user", "at"], name="phiread_user_at_idx"),
            models.Index(fields=["plan", "at"], name="phiread_plan_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.method} {self.view} member:{self.member_id}"
