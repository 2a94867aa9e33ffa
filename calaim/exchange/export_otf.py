"""The Outreach Tracker File (exchange-spec §2.3) as calaim makes it for a provider: one row per outreach attempt
the provider made in the period to a member in the plan on the attempt's day (`in_plan`), whether recorded in
calaim or reported in an OTF before, so the file imports back with nothing new. Read with one query."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef

from calaim.careplans.models import OutreachAttempt, OutreachMethod
from calaim.exchange.columns import OTF_COLUMNS
from calaim.exchange.export_common import Period, in_plan, parties_of
from calaim.exchange.vocabulary import exchange_vocabulary
from calaim.exchange.writer import date_text, flag_text
from calaim.network.models import Organization
from calaim.plans.models import Plan

PROVIDER_TYPE = "ECM Provider"


def otf_method_labels(day: dt.date) -> dict[str, str]:
    """calaim's outreach method -> the `Outreach Attempt Method` the file writes for it on `day` (exchange.yaml)."""
    vocabulary = exchange_vocabulary(day)
    return {method: vocabulary.outreach_method_code(method) for method in OutreachMethod.values}


def otf_rows(plan: Plan, provider: Organization, period: Period) -> list[list[str]]:
    """The OTF's data rows: the attempts dated in the period, by date, then member, method and minutes. Attempts
    alike in every column (member, date, method, reached, minutes) are one row: the import keeps one attempt per
    such set of values, and reads a repeated row as an error."""
    parties = parties_of(plan, provider)
    labels = otf_method_labels(period.end)
    attempts = (
        OutreachAttempt.objects.filter(
            in_plan(plan, OuterRef("attempted_on"), OuterRef("attempted_on")),
            organization=provider,
            attempted_on__gte=period.start,
            attempted_on__lte=period.end,
        )
        .order_by(
            "attempted_on",
            "member__last_name",
            "member__first_name",
            "member__cin",
            "method",
            "reached",
            "minutes_spent",
        )
        .values_list(
            "member__first_name",
            "member__last_name",
            "member__cin",
            "attempted_on",
            "method",
            "reached",
            "minutes_spent",
        )
    )
    rows: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for first_name, last_name, cin, attempted_on, method, reached, minutes in attempts:
        values = {
            "Primary Payer (MCP) Identifier": parties.plan_code,
            "MCP Name": parties.plan_name,
            "ECM Provider Name": parties.provider_name,
            "ECM Provider National Provider Identifier (NPI)": parties.provider_npi,
            "ECM Provider Tax ID Number (TIN)": parties.provider_tin,
            "Client Name": f"{first_name} {last_name}",
            "Member Client Index Number": cin,
            "Provider Type": PROVIDER_TYPE,
            "Date of Outreach Attempt": date_text(attempted_on),
            "Outreach Attempt Method": labels[method],
            "Outreach Attempt Successful": flag_text(reached),
            "Time Spent Performing Outreach": str(minutes),
        }
        row = [values[column] for column in OTF_COLUMNS]
        if tuple(row) not in seen:
            seen.add(tuple(row))
            rows.append(row)
    return rows
