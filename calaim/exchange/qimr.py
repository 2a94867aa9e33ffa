"""The QIMR (exchange-spec §3): the plan's Quarterly Implementation Monitoring Report to DHCS, one workbook with one
sheet per tab, each tab's columns as the template version in force for the quarter names them (`qimr.yaml`).

`qimr_build` runs each tab's builder (set-based queries over the plan's enrollments, determinations, outreach,
Community Supports requests and deliveries and contracts: never a query per member); `qimr_for` is the one entry
for the web app and the API, which checks the caller, and notes the members the workbook names on the PHI read log.
`manage.py report_qimr` writes the same workbook to a file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import NotFound, ValidationFailed
from calaim.core.phi import note_members
from calaim.exchange.qimr_counts import (
    cs_provider_capacity,
    cs_requests_and_denials,
    ecm_provider_capacity,
    ecm_requests_and_outreach,
)
from calaim.exchange.qimr_cs_members import cs_members_and_services
from calaim.exchange.qimr_ecm_members import ecm_members_and_services
from calaim.exchange.qimr_period import Quarter, QuarterError
from calaim.exchange.qimr_template import TabContext, TabRows, TabTemplate, qimr_templates, template_summary
from calaim.exchange.report_policies import report_plan_of
from calaim.exchange.xlsx_report import Sheet, Writable, workbook_save, workbook_write
from calaim.plans.models import Plan

TAB_BUILDERS: dict[int, Callable[[TabContext], TabRows]] = {
    1: ecm_members_and_services,
    2: ecm_requests_and_outreach,
    3: ecm_provider_capacity,
    4: cs_members_and_services,
    5: cs_provider_capacity,
    6: cs_requests_and_denials,
}


@dataclass
class QimrReport:
    plan: Plan
    quarter: Quarter
    tabs: list[tuple[TabTemplate, TabRows]]
    seconds: float

    @property
    def file_name(self) -> str:
        return f"QIMR_{self.plan.code}_{self.quarter.code}.xlsx"

    @property
    def member_ids(self) -> set[Any]:
        return {member for _, rows in self.tabs for member in rows.member_ids}

    def sheets(self) -> list[Sheet]:
        return [Sheet(t.name, t.headers, rows.rows, _note(t, self.quarter)) for t, rows in self.tabs]

    def summary(self) -> list[dict[str, Any]]:
        """Each tab: number, name, template version and status, columns and rows."""
        return [
            {**about, "rows": len(rows.rows)}
            for about, (_, rows) in zip(template_summary([t for t, _ in self.tabs]), self.tabs, strict=True)
        ]

    @property
    def description(self) -> str:
        tabs = "; ".join(f"Tab {t.tab} template {t.template_version} ({t.status})" for t, _ in self.tabs)
        return f"QIMR {self.quarter.label} for {self.plan.name} ({self.plan.code}). {tabs}."


def _note(template: TabTemplate, quarter: Quarter) -> str:
    state = "confirmed" if template.confirmed else "TO CONFIRM: the columns are what the tab's name implies"
    return f"QIMR {quarter.label}, Tab {template.tab} {template.name}: template {template.template_version}, {state}."


def quarter_parse(text: str) -> Quarter:
    """The quarter named, begun by today (plan time); a mistyped or future one is refused naming the field."""
    try:
        quarter = Quarter.parse(text)
    except QuarterError as error:
        raise ValidationFailed(str(error), field="quarter") from None
    if quarter.first_day > plan_today():
        raise ValidationFailed(f"{quarter.label} has not begun: report a quarter begun by today.", field="quarter")
    return quarter


def qimr_build(*, plan: Plan, quarter: Quarter) -> QimrReport:
    """Every tab's rows for the plan and quarter, under the templates in force on the quarter's last day."""
    started = time.monotonic()
    tabs = []
    for template in qimr_templates(quarter):
        tabs.append((template, TAB_BUILDERS[template.tab](TabContext(plan, quarter, template))))
    return QimrReport(plan, quarter, tabs, time.monotonic() - started)


def qimr_write(report: QimrReport, target: Writable) -> int:
    """The workbook to a binary stream; returns the data rows written."""
    return workbook_write(report.sheets(), target, title=report.file_name, description=report.description)


def qimr_save(report: QimrReport, path: Path) -> int:
    return workbook_save(report.sheets(), path, title=report.file_name, description=report.description)


def qimr_plan_for(user: User, plan_code: str = "") -> Plan:
    """The plan whose QIMR the caller asks for: their own (403 for a role that may not; 404 for another plan)."""
    plan = report_plan_of(user)
    if plan_code and plan_code.strip().upper() != plan.code.upper():
        raise NotFound("No plan with this code in your scope.")
    return plan


def qimr_for(user: User, *, quarter: str, plan_code: str = "") -> QimrReport:
    """The caller's plan's QIMR for the quarter; the members it names are noted on the PHI read log."""
    plan = qimr_plan_for(user, plan_code)
    report = qimr_build(plan=plan, quarter=quarter_parse(quarter))
    note_members(report.member_ids)
    return report
