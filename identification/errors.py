"""Errors the identification job reports to the analyst who runs it."""

from __future__ import annotations


class RulesError(ValueError):
    """The rules configuration is invalid; the message names the key and what is wrong."""


class InputError(ValueError):
    """An input file is invalid; the message names the file, the row and the column."""

    def __init__(self, file: str, row: int | None, column: str | None, problem: str) -> None:
        self.file, self.row, self.column, self.problem = file, row, column, problem
        where = [f"file {file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {problem}")
