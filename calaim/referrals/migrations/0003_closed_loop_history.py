"""Move each referral's and Community Supports request's status history into the one closed-loop history.

Every old entry becomes a LoopEvent with the DHCS Referral Status and closure reason of the default transition
table (frozen here as it stood when this migration was written: a migration must not read code that changes).
The records' current DHCS status is set from their latest entry. Reversible: the entries go back to the two old
tables."""

from django.db import migrations

TABLE_VERSION = "2026.1"
CLOSED = "Referral Loop Closed"
# status -> (DHCS Referral Status, closure reason), the table's rows without a cause.
DEFAULTS = {
    "received": ("Pending", ""),
    "linked": ("Pending", ""),
    "routed_to_delegate": (CLOSED, "Other"),
    "not_eligible": (CLOSED, "Member Not Eligible"),
    "pending_authorization": ("Pending", ""),
    "authorized": ("Pending", ""),
    "denied": (CLOSED, "Member Not Eligible"),
    "assigned": ("Accepted", ""),
    "enrolled": (CLOSED, "Services Received"),
    "declined": (CLOSED, "Member Declined"),
    "closed": (CLOSED, "Other"),
    "in_service": (CLOSED, "Services Received"),
    "completed": (CLOSED, "Services Received"),
}


# The status labels as they read when this migration was written (ECM referral and CS request choices).
LABELS = {
    "received": "Received",
    "linked": "Linked to the member's open referral",
    "routed_to_delegate": "Routed to the delegated entity",
    "not_eligible": "Not eligible",
    "pending_authorization": "Eligible, authorization pending",
    "authorized": "Authorized",
    "denied": "Not authorized",
    "assigned": "Assigned to an ECM provider",
    "enrolled": "Enrolled (services received)",
    "declined": "Member declined",
    "closed": "Closed",
    "in_service": "Services being delivered",
    "completed": "Completed",
}
CS_LABELS = {
    **LABELS,
    "linked": "Linked to an open request for the same service",
    "routed_to_delegate": "Routed to Kaiser",
    "pending_authorization": "Authorization pending",
}


def _mapped(status, reason):
    loop_status, closure = DEFAULTS.get(status, ("Pending", ""))
    if status == "closed" and reason.startswith("Confirmed duplicate"):
        closure = "Duplicate Referral"
    return loop_status, closure


def forwards(apps, schema_editor):
    loop_event = apps.get_model("referrals", "LoopEvent")
    subjects = (
        (("referrals", "ReferralStatusUpdate"), "referral", "ecm", apps.get_model("referrals", "Referral")),
        (("community_supports", "CsStatusUpdate"), "request", "cs", apps.get_model("community_supports", "CsRequest")),
    )
    for old_model, old_field, program, subject_model in subjects:
        # The old CS history names its request "request"; the new one "cs_request".
        new_field = "referral" if program == "ecm" else "cs_request"
        latest = {}
        for old in apps.get_model(*old_model).objects.order_by("at", "id").iterator():
            subject_id = getattr(old, f"{old_field}_id")
            loop_status, closure = _mapped(old.status, old.reason)
            loop_event.objects.create(
                **{f"{new_field}_id": subject_id},
                program=program,
                status=old.status,
                status_label=(LABELS if program == "ecm" else CS_LABELS).get(old.status, old.status),
                loop_status=loop_status,
                loop_closure_reason=closure,
                at=old.at,
                reason=old.reason,
                source="calaim",
                table_version=TABLE_VERSION,
            )
            latest[subject_id] = (loop_status, closure)
        for subject_id, (loop_status, closure) in latest.items():
            subject_model.objects.filter(pk=subject_id).update(loop_status=loop_status, loop_closure_reason=closure)


def backwards(apps, schema_editor):
    loop_event = apps.get_model("referrals", "LoopEvent")
    referral_updates = apps.get_model("referrals", "ReferralStatusUpdate")
    cs_updates = apps.get_model("community_supports", "CsStatusUpdate")
    for event in loop_event.objects.order_by("at", "id").iterator():
        if event.referral_id is not None:
            referral_updates.objects.create(
                referral_id=event.referral_id, status=event.status, at=event.at, reason=event.reason
            )
        else:
            cs_updates.objects.create(request_id=event.cs_request_id, status=event.status, at=event.at, reason=event.reason)
    loop_event.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_closed_loop"),
        ("community_supports", "0005_closed_loop"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
