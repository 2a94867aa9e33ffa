"""What `calaim identify` shows the analyst: a progress bar on a terminal, then a summary."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from identification.run import Summary

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

STEPS = 16  # validation, matching, the rule steps and writing: roughly how many progress ticks a run has


class ProgressReporter:
    """A rich progress bar when stderr is a terminal; silent otherwise (logs get the plain summary)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressReporter:
        if self.stream.isatty():
            from rich.console import Console  # rich loads only when a terminal report is drawn
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn  # rich loads only when drawn

            self.progress = Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                                     console=Console(file=self.stream), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("starting", total=STEPS)
        return self

    def step(self, name: str) -> None:
        """Advance one tick and show the step now running."""
        if self.progress is not None:
            assert self.task is not None  # set together with progress
            self.progress.update(self.task, advance=1, description=name.replace("_", " "))

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.progress is not None:
            self.progress.stop()


def summary_lines(summary: Summary, limit: int = 20) -> list[str]:
    """The summary as plain text lines, including one warning per skipped unknown-member claim (capped)."""
    lines = [f"warning: file {summary.claims_file}, row {rn}, column member_id: not in the members file; claim skipped"
             for rn in summary.unknown_member_rows[:limit]]
    if summary.unknown_member_claims > limit:
        lines.append(f"warning: ... and {summary.unknown_member_claims - limit} more unknown-member claims")
    lines += [
        f"engine: {summary.engine}   rule version: {summary.rule_version}",
        f"members read: {summary.members_read}",
        f"claims read: {summary.claims_read}",
        f"claims skipped (member_id not in members): {summary.unknown_member_claims}",
        "candidates per POF: " + (", ".join(f"{k} {v}" for k, v in summary.candidates_by_pof.items()) or "none"),
        "exclusions per reason: " + (", ".join(f"{k} {v}" for k, v in summary.exclusions_by_reason.items())
                                     or "none"),
        f"elapsed: {summary.elapsed_seconds:.1f} s",
        "wrote: " + ", ".join(summary.outputs),
    ]
    return lines


def print_summary(summary: Summary, stream: TextIO) -> None:
    """A rich table on a terminal, else plain lines."""
    if not stream.isatty():
        stream.write("\n".join(summary_lines(summary)) + "\n")
        return
    from rich.console import Console  # rich loads only when drawn
    from rich.table import Table  # rich loads only when drawn

    console = Console(file=stream)
    for line in summary_lines(summary):
        if line.startswith("warning:"):
            console.print(f"[yellow]{line}[/yellow]", highlight=False)
    table = Table(title=f"ECM identification ({summary.engine}, rules {summary.rule_version})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("members read", str(summary.members_read))
    table.add_row("claims read", str(summary.claims_read))
    table.add_row("claims skipped: member_id not in members", str(summary.unknown_member_claims))
    for pof, n in summary.candidates_by_pof.items():
        table.add_row(f"candidates {pof}", str(n))
    for reason, n in summary.exclusions_by_reason.items():
        table.add_row(f"excluded: {reason}", str(n))
    table.add_row("elapsed", f"{summary.elapsed_seconds:.1f} s")
    console.print(table)
    console.print("wrote: " + ", ".join(summary.outputs), highlight=False)
