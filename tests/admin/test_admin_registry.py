"""Every model in the admin, third-party ones included, is either a read-only record or audited configuration
(calaim/core/admin_audit.py says why); member-linked domain records are read-only, inlines of a read-only record too,
and no admin action writes except through an audited path."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory

from calaim.core.admin_audit import AuditedAdmin

pytestmark = pytest.mark.django_db

DOMAIN_RECORDS = {
    "members.member",
    "referrals.referral",
    "authorizations.authorizationrequest",
    "authorizations.noticeofaction",
    "ecm.eligibilitydetermination",
    "ecm.enrollment",
    "careplans.careplan",
    "careplans.goal",
    "careplans.task",
    "careplans.outreachattempt",
    "careplans.careteammember",
    "community_supports.csrequest",
    "community_supports.csdelivery",
    "community_supports.delegatereassignment",
    "notices.notice",
    "notices.mailbatch",
    "notices.addressflag",
    "core.auditevent",
    "analytics.identificationrun",
    "analytics.identificationload",
    "roster.rosterload",
    "roster.rosterfact",
    "exchange.exchangeload",
    "exchange.exchangeexport",
    "exchange.providerreport",
    "exchange.contactupdate",
    "exchange.encountercount",
    "django_tasks_database.dbtaskresult",
    "axes.accesslog",
    "axes.accessfailurelog",
}
CONFIGURATION = {
    "accounts.user",
    "auth.group",
    "accounts.apitoken",
    "otp_totp.totpdevice",
    "axes.accessattempt",
    "network.organization",
    "network.contract",
    "community_supports.csservice",
    "community_supports.csoffering",
    "community_supports.cslimitsettings",
    "plans.plan",
    "plans.county",
    "plans.populationoffocus",
    "plans.pofgolive",
    "plans.excludedprogram",
    "plans.discontinuationreason",
    "plans.referralsourcetype",
    "plans.programsettings",
    "referrals.loopvocabulary",
    "referrals.looptransition",
}
# Actions that write, each through a service that records its own audit event (tested in test_api_tokens.py).
AUDITED_ACTIONS = {"delete_selected", "revoke"}


def _request(superuser: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return request


def _writes(model_admin: Any, request: Any) -> bool:
    return any(
        (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
    )


def test_every_registered_model_is_a_read_only_record_or_audited_configuration(superuser):
    registered = {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}
    assert set(registered) == DOMAIN_RECORDS | CONFIGURATION, "classify the new admin model here and in its admin.py"
    request = _request(superuser)
    for label in DOMAIN_RECORDS:
        model_admin = registered[label]
        assert not _writes(model_admin, request), f"{label} must be read-only in the admin"
        assert model_admin.has_view_permission(request), label
        for inline in model_admin.get_inline_instances(request):
            writes = (inline.has_add_permission(request, None), inline.has_change_permission(request),
                      inline.has_delete_permission(request))  # fmt: skip
            assert not any(writes), f"an inline of {label} must be read-only"
    for label in CONFIGURATION:
        assert isinstance(registered[label], AuditedAdmin), f"{label} must record its changes"


def test_no_admin_action_writes_unrecorded(superuser):
    request = _request(superuser)
    for model, model_admin in admin.site._registry.items():
        actions = set(model_admin.get_actions(request))
        assert actions <= AUDITED_ACTIONS, f"{model._meta.label}: {actions - AUDITED_ACTIONS}"
        if "delete_selected" in actions:
            assert isinstance(model_admin, AuditedAdmin), model._meta.label
