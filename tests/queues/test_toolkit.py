"""The queue toolkit's own rules: sort orders with a tiebreak, unknown sorts, cells safe in a spreadsheet."""

from __future__ import annotations

import pytest

from calaim.web.queues import Column, Queue, csv_cell, queue_register


def _queue(name: str = "q_test") -> Queue:
    return Queue(
        name=name,
        filename="test",
        source=lambda user: None,  # type: ignore[arg-type,return-value]
        allowed=lambda user: True,
        columns=(Column("Due", "due"),),
        sorts={"due": ("due_date", "-created_at"), "name": ("member__last_name",)},
        default_sort="due",
        csv=(),
    )


def test_orderings_end_with_the_key_and_reverse_every_field():
    queue = _queue()
    assert queue.ordering("due") == ("due_date", "-created_at", "pk")
    assert queue.ordering("-due") == ("-due_date", "created_at", "-pk")
    assert queue.ordering("name") == ("member__last_name", "pk")


@pytest.mark.parametrize(
    ("raw", "expected"), [("name", "name"), ("-name", "-name"), ("x", "due"), (None, "due"), ("--name", "due")]
)
def test_an_unknown_sort_falls_back_to_the_default(raw, expected):
    assert _queue().sort_of(raw) == expected


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Garcia", "Garcia"),
        ("2026-01-02", "2026-01-02"),
        (None, ""),
        (3, "3"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(value, cell):
    assert csv_cell(value) == cell


def test_queue_names_are_prefixes_that_cannot_collide():
    with pytest.raises(AssertionError):
        queue_register(_queue("bad-name"))
    queue_register(first := _queue("q_unique_test"))
    with pytest.raises(AssertionError):
        queue_register(_queue("q_unique_test"))
    assert queue_register(first) is first  # registering the same queue again (a module reload) is harmless
