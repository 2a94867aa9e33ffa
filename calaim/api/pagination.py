"""Every list pages the same way: `limit` (at most 200 a page) and `offset` (at most a million), both bounded so a
huge value is a 422 naming it, never a database error or a whole roster in one answer.

The answer's `count` is exact for any list shorter than the page's end plus COUNT_AHEAD items; past that it stops
counting (`count_exact` is false, `count` is then a lower bound) because counting every match of a common surname
among a million members costs more than the page itself (calaim.core.paging). A last page needs no count at all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination, paginate

from calaim.core.paging import COUNT_AHEAD, bounded_count

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000


class BoundedPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip from the start of the list.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            ...,
            description=f"How many items the list has when `count_exact` is true; otherwise at least this many "
            f"(counting stops {COUNT_AHEAD:,} items past the page).",
        )
        count_exact: bool = Field(True, description="Whether `count` is the list's exact length.")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)  # type: ignore[arg-type]

    def paginate_queryset(  # type: ignore[override]  # ninja types it with its own Input; ours bounds offset
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset, limit = pagination.offset, min(pagination.limit, MAX_LIMIT)
        page = list(queryset[offset : offset + limit])
        count, exact = bounded_count(queryset, offset, page, limit)
        return {self.items_attribute: page, "count": count, "count_exact": exact}


paginated = paginate(BoundedPagination)
