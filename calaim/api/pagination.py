"""Every list pages the same way: `limit` (at most 200 a page) and `offset` (at most a million), both bounded so a
huge value is a 422 naming it, never a database error or a whole roster in one answer."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination, paginate

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000


class BoundedPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip from the start of the list.")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)  # type: ignore[arg-type]


paginated = paginate(BoundedPagination)
