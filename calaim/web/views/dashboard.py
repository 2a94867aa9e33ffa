"""The plan dashboard: the ECM funnel, authorization timeliness and provider capacity, for plan staff only."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.plans.models import Plan
from calaim.web import charts
from calaim.web.access import or_404, staff, verified_required
from calaim.web.dashboard import (
    CONVERSION_FROM,
    STAGE_DEFINITIONS,
    STAGES,
    TIMELINESS,
    DashboardFilters,
    Funnel,
    Timeliness,
    dashboard_plan,
    default_filters,
    funnel,
)
from calaim.web.dashboard_cache import dashboard_figures
from calaim.web.forms_dashboard import DashboardFilterForm

STAGE_LABELS = dict(STAGES)


def _filters(request: HttpRequest) -> tuple[User, Plan, DashboardFilterForm, DashboardFilters]:
    user = staff(request)
    plan = or_404(lambda: dashboard_plan(user))
    today = plan_today()
    form = DashboardFilterForm(request.GET or None, plan=plan, defaults=default_filters(today), today=today)
    return user, plan, form, form.filters()


@verified_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The plan's dashboard for the chosen period, county and Population of Focus."""
    user, plan, form, filters = _filters(request)
    the_funnel, the_timeliness, capacity, as_of = dashboard_figures(user, plan, filters)
    counties = sorted({county for row in capacity for county in [*row.counties, *row.by_county]})
    context: dict[str, Any] = {
        "plan": plan,
        "as_of": as_of,
        "form": form,
        "filters": filters,
        "funnel": the_funnel,
        "stages": [(code, label, STAGE_DEFINITIONS[code]) for code, label in STAGES],
        "conversion_bases": {code: STAGE_LABELS[base] for code, base in CONVERSION_FROM.items()},
        "timeliness": the_timeliness,
        "timeliness_labels": [label for _, label in TIMELINESS],
        "capacity": capacity,
        "capacity_counties": counties,
        "capacity_rows": [(row, [row.by_county.get(county, 0) for county in counties]) for row in capacity],
        "query": request.GET.urlencode(),
        "charts": _charts(the_funnel, the_timeliness, capacity),
    }
    return render(request, "web/dashboard/dashboard.html", context, status=400 if form.errors else 200)


def _charts(the_funnel: Funnel, the_timeliness: Timeliness, capacity: list[Any]) -> dict[str, Any]:
    total = the_funnel.total
    conversions = total.conversions
    bars = [
        charts.Bar(
            STAGE_LABELS[code],
            total.counts[code],
            f"{conversions[code]:.0f}% of {CONVERSION_FROM[code]}" if conversions.get(code) is not None else "",
        )
        for code, _ in STAGES
    ]

    def referred_enrolled(rows: list[Any]) -> list[tuple[str, list[int]]]:
        return [
            ("Referred", [r.counts["referred"] for r in rows]),
            ("Enrolled", [r.counts["enrolled"] for r in rows]),
        ]

    months = the_timeliness.by_month
    return {
        "funnel": charts.hbar_chart("funnel-chart", "ECM funnel, all referrals in the period", bars),
        "by_pof": charts.grouped_hbar_chart(
            "pof-chart",
            "Referred and enrolled by Population of Focus",
            [r.group for r in the_funnel.by_pof],
            referred_enrolled(the_funnel.by_pof),
        ),
        "by_county": charts.grouped_hbar_chart(
            "county-chart",
            "Referred and enrolled by county",
            [r.group for r in the_funnel.by_county],
            referred_enrolled(the_funnel.by_county),
        ),
        "timeliness": charts.stacked_column_chart(
            "timeliness-chart",
            "Authorization requests by month received and by timeliness",
            [m.label for m in months],
            [(label, [m.counts[code] for m in months]) for code, label in TIMELINESS],
        ),
        "capacity": charts.capacity_chart(
            "capacity-chart",
            "ECM providers' current caseload against contract capacity",
            [(row.provider, row.capacity, row.caseload) for row in capacity],
        ),
    }


@verified_required
def funnel_csv(request: HttpRequest) -> HttpResponse:
    """The funnel table (overall, by POF and by county) as CSV, for the same filters as the page."""
    user, plan, _form, filters = _filters(request)
    the_funnel = funnel(user, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"ecm-funnel-{plan.code}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "breakdown",
            "group",
            *[code for code, _ in STAGES],
            *[f"{code}_percent_of_{base}" for code, base in CONVERSION_FROM.items()],
            "enrolled_percent_of_referred",
        ]
    )
    sections = [("total", [the_funnel.total]), ("pof", the_funnel.by_pof), ("county", the_funnel.by_county)]
    for breakdown, rows in sections:
        for row in rows:
            conversions = row.conversions
            writer.writerow(
                [
                    breakdown,
                    row.group,
                    *[row.counts[code] for code, _ in STAGES],
                    *[_percent(conversions[code]) for code in CONVERSION_FROM],
                    _percent(row.overall),
                ]
            )
    return response


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
