"""Paging a long list without counting all of it: a page is its rows plus one (is there a next page?), and the
total is counted only up to COUNT_AHEAD rows past the page, because counting every member named GARCIA among a
million costs more than showing the page. The API (calaim/api/pagination.py) and the pages share this."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

COUNT_AHEAD = 1_000
MAX_PAGE = 40_000
# Rows a worklist shows of each of its lists (with the list's count): the first, most urgent ones.
WORKLIST_ROWS = 50
WORKLIST_COUNT_AHEAD = 200


def count_upto(items: QuerySet[Any], bound: int) -> int:
    """How many rows `items` has, counting no further than `bound`, reading keys only. In the list's own order:
    the index that serves the page then serves the count, which stops at `bound` (unordered, PostgreSQL may
    start parallel workers to scan for rows it will mostly not need)."""
    return items.values("pk")[:bound].count()


class QueryChain:
    """Ordered querysets read one after another as one list: the rows of the first, then those of the next, each
    in its own order (so each walks its own index). Sliceable and countable like a queryset, for paging."""

    def __init__(self, *parts: QuerySet[Any]) -> None:
        self.parts = parts

    def __getitem__(self, window: slice) -> list[Any]:
        assert window.stop is not None and window.step is None, "a chain is read by pages"
        offset, wanted = window.start or 0, window.stop - (window.start or 0)
        rows: list[Any] = []
        for part in self.parts:
            if len(rows) >= wanted:
                break
            got = list(part[offset : offset + wanted - len(rows)])
            rows += got
            # Where the next part starts: past this part's rows, which ended here or (none read) before `offset`.
            length = offset + len(got) if got or offset == 0 else part.count()
            offset = max(0, offset - length)
        return rows

    def __iter__(self) -> Iterator[Any]:
        for part in self.parts:
            yield from part

    def count(self) -> int:
        return sum(part.count() for part in self.parts)

    def count_upto(self, bound: int) -> int:
        counted = 0
        for part in self.parts:
            counted += count_upto(part, bound - counted)
            if counted >= bound:
                break
        return counted


def bounded_count(
    items: QuerySet[Any] | QueryChain, page_start: int, page: list[Any], limit: int, ahead: int | None = None
) -> tuple[int, bool]:
    """(count, exact) of `items`, whose slice from `page_start` is `page`: a page shorter than `limit` ends the list
    (when it holds anything, or is the first); otherwise count, but no further than `ahead` (COUNT_AHEAD) past the
    page, so `count` is then a lower bound and `exact` false."""
    if len(page) < limit and (page or page_start == 0):
        return page_start + len(page), True
    bound = page_start + limit + (COUNT_AHEAD if ahead is None else ahead)
    # A queryset is counted here; anything else that pages like one (a QueryChain, an API list) counts itself.
    counted = count_upto(items, bound) if isinstance(items, QuerySet) else items.count_upto(bound)
    return counted, counted < bound


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, its number (from 1), and the list's count, exact or a lower bound."""

    object_list: list[Any]
    number: int
    size: int
    count: int
    count_exact: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.count

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages when the count is exact; None when it is not known."""
        return max(1, -(-self.count // self.size)) if self.count_exact else None

    @property
    def count_label(self) -> str:
        """The count as people read it: "1,000+" when counting stopped there."""
        return f"{self.count:,}" + ("" if self.count_exact else "+")


def page_number(raw: str | None) -> int:
    """The page asked for: a whole number from 1 (anything else is the first page), at most MAX_PAGE."""
    return min(int(raw), MAX_PAGE) if raw and raw.isdigit() and int(raw) >= 1 else 1


def page_of(items: QuerySet[Any] | QueryChain, number: int, size: int) -> Page:
    """The `number`th page of `size` rows of an ordered queryset; past the end of a list, its last page."""
    start = (number - 1) * size
    rows = list(items[start : start + size])
    count, exact = bounded_count(items, start, rows, size)
    if not rows and number > 1:
        last = max(1, -(-count // size))
        return page_of(items, last, size) if last < number else Page([], number, size, count, exact)
    return Page(rows, number, size, count, exact)


class Shown(list[Any]):
    """The first rows of a worklist's list, and how many it has in all (exact, or a lower bound when counting
    stopped COUNT_AHEAD rows past them): a list to loop over, with `total`, `count_label` and `truncated`."""

    def __init__(self, rows: list[Any], total: int, exact: bool) -> None:
        super().__init__(rows)
        self.total, self.exact = total, exact

    @property
    def truncated(self) -> bool:
        return self.total > len(self)

    @property
    def count_label(self) -> str:
        return f"{self.total:,}" + ("" if self.exact else "+")


def shown(items: QuerySet[Any], limit: int) -> Shown:
    """The first `limit` rows of an ordered queryset, with its count up to WORKLIST_COUNT_AHEAD more (no count
    query when they are all): a heading says "250+" rather than the page counting thousands of rows."""
    rows = list(items[:limit])
    return Shown(rows, *bounded_count(items, 0, rows, limit, WORKLIST_COUNT_AHEAD))
