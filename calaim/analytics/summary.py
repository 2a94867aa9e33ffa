"""A kept run's summary as `calaim identify` shows it: the same `Summary` the command prints, rebuilt from the run's
record, so the page's table and warnings say exactly what the command's summary table would."""

from __future__ import annotations

from dataclasses import fields

from calaim.analytics.models import IdentificationRun
from identification.report import summary_lines
from identification.run import Summary

_KEPT = {f.name for f in fields(Summary)} - {"outputs", "claims_file"}


def run_summary(run: IdentificationRun) -> Summary:
    """The run's `Summary`, naming the claims file as the analyst sent it (not where the server keeps it)."""
    kept = {k: v for k, v in run.summary.items() if k in _KEPT}
    return Summary(**{"engine": run.engine, "rule_version": run.rule_version, **kept, "claims_file": run.claims_name})


def summary_rows(summary: Summary) -> list[tuple[str, str]]:
    """The rows of the command's summary table (identification.report.print_summary), measure then value."""
    rows = [
        ("members read", str(summary.members_read)),
        ("claims read", str(summary.claims_read)),
        ("claims skipped: member_id not in members", str(summary.unknown_member_claims)),
    ]
    rows += [(f"candidates {pof}", str(n)) for pof, n in summary.candidates_by_pof.items()]
    rows += [(f"excluded: {reason}", str(n)) for reason, n in summary.exclusions_by_reason.items()]
    rows.append(("elapsed", f"{summary.elapsed_seconds:.1f} s"))
    return rows


def summary_title(summary: Summary) -> str:
    return f"ECM identification ({summary.engine}, rules {summary.rule_version})"


def summary_warnings(summary: Summary) -> list[str]:
    """The command's warnings: each skipped claim whose CIN is not in the members file (the first 20), then how
    many more."""
    return [line.removeprefix("warning: ") for line in summary_lines(summary) if line.startswith("warning: ")]
