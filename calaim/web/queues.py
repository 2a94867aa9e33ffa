"""Queues: a worklist's list declared once (filters, named sort orders, page size, CSV columns) and read the same
way by its page and its CSV export (web:queue_export); web/queues/*.html render a queue's filters, headers and pager.

A queue's GET parameters carry its name as a prefix (`tasks-status`, `tasks-sort`, `tasks-page`), so several
queues on one page filter, sort and page independently, and each keeps the others' parameters.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, QueryDict, StreamingHttpResponse
from django.urls import reverse

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.paging import WORKLIST_ROWS, Page, page_number, page_of
from calaim.core.phi import note_members
from calaim.network.models import OrganizationKind
from calaim.web.access import staff, verified_required
from calaim.web.forms import CalaimForm

# Rows read from the database per batch while an export streams: memory stays flat however long the queue.
EXPORT_BATCH = 500
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such cells get a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CIN_START = re.compile(r"[0-9]{1,8}[A-Z]?")

Lookup = str | Callable[[QuerySet[Any], Any], QuerySet[Any]]


class QueueFilters(CalaimForm):
    """A queue's filters: each filled-in field narrows the rows by its entry in `lookups` (a field lookup such as
    "status" or "due_date__gte", or a function of the rows and the value); `defaults` apply until the person
    filters (the filter form sends `<queue>-filtered`; sorting or paging alone keeps the defaults)."""

    lookups: ClassVar[Mapping[str, Lookup]] = {}
    defaults: ClassVar[Mapping[str, str]] = {}

    def __init__(self, data: QueryDict | Mapping[str, Any], *, user: User, prefix: str) -> None:
        super().__init__(data, prefix=prefix)
        self.user = user

    def apply(self, items: QuerySet[Any]) -> QuerySet[Any]:
        """The rows the valid, filled-in fields keep; a field in error does not filter (its error is shown)."""
        self.is_valid()
        for name, value in self.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            lookup = self.lookups[name]
            items = items.filter(**{lookup: value}) if isinstance(lookup, str) else lookup(items, value)
        return items


def member_text(path: str = "member") -> Callable[[QuerySet[Any], str], QuerySet[Any]]:
    """A lookup for a "member" text filter: a CIN or its first characters (any case, spaces ignored), else a name:
    "last, first", or a last or first name's start."""

    def narrow(items: QuerySet[Any], text: str) -> QuerySet[Any]:
        compact = re.sub(r"[\s-]", "", text).upper()
        if _CIN_START.fullmatch(compact):
            return items.filter(**{f"{path}__cin__startswith": compact})
        words = " ".join(text.split())
        if "," in words:
            last, _, first = (part.strip() for part in words.partition(","))
            return items.filter(**{f"{path}__last_name__istartswith": last, f"{path}__first_name__istartswith": first})
        first_word, _, rest = words.partition(" ")
        either = Q(**{f"{path}__last_name__istartswith": words}) | Q(**{f"{path}__first_name__istartswith": words})
        if rest:
            either |= Q(**{f"{path}__first_name__istartswith": first_word, f"{path}__last_name__istartswith": rest})
        return items.filter(either)

    return narrow


class MemberFilters(QueueFilters):
    """The filter most queues start from: a member's name or CIN (subclass it to add the queue's own fields)."""

    member = forms.CharField(label="Member name or CIN", required=False, max_length=100)
    lookups: ClassVar[Mapping[str, Lookup]] = {"member": member_text()}


@dataclass(frozen=True)
class Column:
    """A table column: its header, the sort order (a key of the queue's `sorts`) its header toggles, if any."""

    label: str
    sort: str = ""
    sr_only: bool = False


@dataclass(frozen=True)
class Queue:
    """One queue: `source` is the caller's scoped rows (related rows selected), `allowed` who may export it."""

    name: str
    filename: str
    source: Callable[[User], QuerySet[Any]]
    allowed: Callable[[User], bool]
    columns: tuple[Column, ...]
    sorts: Mapping[str, tuple[str, ...]]
    default_sort: str
    csv: tuple[tuple[str, Callable[[Any], object]], ...]
    filters: type[QueueFilters] | None = None
    page_size: int = WORKLIST_ROWS
    member_of: Callable[[Any], Any] = attrgetter("member_id")

    def ordering(self, sort: str) -> tuple[str, ...]:
        """The order_by of a sort name ("-name" reverses "name"), with the primary key last so that pages never
        overlap or skip rows that tie."""
        fields = (*self.sorts[sort.removeprefix("-")], "pk")
        if not sort.startswith("-"):
            return fields
        return tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)

    def sort_of(self, raw: str | None) -> str:
        """The sort asked for if the queue knows it, else its default."""
        key = raw[1:] if raw and raw.startswith("-") else raw
        return raw if raw and key in self.sorts else self.default_sort


QUEUES: dict[str, Queue] = {}


def may_search_members(user: User) -> bool:
    """Plan staff search their plan's members, ECM provider staff their caseload; referrers and Community
    Supports providers see no member records (they find their own referrals and requests in their queues)."""
    cs_provider = user.organization is not None and user.organization.kind == OrganizationKind.CS_PROVIDER
    return user.is_plan_staff or (user.is_provider_staff and not cs_provider)


def queue_register(queue: Queue) -> Queue:
    """Make a queue exportable at web:queue_export (its name must be unique)."""
    # A name is a prefix of GET parameters: with no "-" in it, "tasks-" can't also start another queue's keys.
    assert re.fullmatch(r"[a-z0-9_]+", queue.name), f"a queue's name is [a-z0-9_]+: {queue.name}"
    assert QUEUES.get(queue.name, queue) is queue, f"two queues named {queue.name}"
    QUEUES[queue.name] = queue
    return queue


@dataclass(frozen=True)
class Header:
    label: str
    url: str = ""
    aria_sort: str = ""
    sr_only: bool = False
    next_direction: str = ""


@dataclass
class QueueView:
    """What a page renders of a queue (web/queues/*.html); iterates over the page's rows like a list."""

    queue: Queue
    page: Page
    form: QueueFilters | None
    sort: str
    headers: list[Header]
    kept: list[tuple[str, str]]
    previous_url: str
    next_url: str
    export_url: str
    clear_url: str

    def __iter__(self) -> Iterator[Any]:
        return iter(self.page.object_list)

    def __len__(self) -> int:
        return len(self.page.object_list)

    def __bool__(self) -> bool:
        return bool(self.page.object_list)

    @property
    def narrowed(self) -> bool:
        """Whether a filter is filled in (an empty list then says "none match", not "none")."""
        data = getattr(self.form, "cleaned_data", {}) if self.form is not None else {}
        return any(value not in (None, "", [], ()) for value in data.values())

    @property
    def name(self) -> str:
        return self.queue.name

    @property
    def count_label(self) -> str:
        return self.page.count_label


def _own(queue: Queue, key: str) -> bool:
    return key.startswith(f"{queue.name}-")


def queue_rows(
    queue: Queue, params: QueryDict, user: User, items: QuerySet[Any]
) -> tuple[QuerySet[Any], QueueFilters | None, str]:
    """The rows the queue's filters keep, in the asked sort order, with the filter form and the sort's name."""
    form = None
    if queue.filters is not None:
        asked = f"{queue.name}-filtered" in params
        data = params if asked else {f"{queue.name}-{k}": v for k, v in queue.filters.defaults.items()}
        form = queue.filters(data, user=user, prefix=queue.name)
        items = form.apply(items)
    sort = queue.sort_of(params.get(f"{queue.name}-sort"))
    return items.order_by(*queue.ordering(sort)), form, sort


def _url(request: HttpRequest, params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def _headers(request: HttpRequest, queue: Queue, sort: str) -> list[Header]:
    headers = []
    for column in queue.columns:
        if not column.sort:
            headers.append(Header(column.label, sr_only=column.sr_only))
            continue
        current = sort.removeprefix("-") == column.sort
        descending = current and sort.startswith("-")
        aria = ("descending" if descending else "ascending") if current else ""
        toggled = column.sort if descending or not current else f"-{column.sort}"
        url = _url(request, request.GET, **{f"{queue.name}-sort": toggled, f"{queue.name}-page": None})
        direction = "descending" if toggled.startswith("-") else "ascending"
        headers.append(Header(column.label, url, aria, column.sr_only, direction))
    return headers


def queue_page(request: HttpRequest, queue: Queue, items: QuerySet[Any] | None = None) -> QueueView:
    """The page of `queue` the request asks for (filtered, sorted, paged; counted no further than needed), from
    `items` (the caller's scoped rows; the queue's `source` when not given)."""
    user = staff(request)
    rows, form, sort = queue_rows(queue, request.GET, user, queue.source(user) if items is None else items)
    page = page_of(rows, page_number(request.GET.get(f"{queue.name}-page")), queue.page_size)
    pages, sorts = f"{queue.name}-page", f"{queue.name}-sort"
    unfiltered = {key: None for key in request.GET if _own(queue, key) and key != sorts}
    return QueueView(
        queue=queue,
        page=page,
        form=form,
        sort=sort,
        headers=_headers(request, queue, sort),
        # The filter form resends the other queues' parameters and this one's sort order (a new filter: page 1).
        kept=[(k, v) for k, vs in request.GET.lists() if not _own(queue, k) or k == sorts for v in vs],
        previous_url=_url(request, request.GET, **{pages: str(page.previous_page_number)}),
        next_url=_url(request, request.GET, **{pages: str(page.next_page_number)}),
        export_url=_export_url(queue, request.GET),
        clear_url=_url(request, request.GET, **{**unfiltered, f"{queue.name}-filtered": "1"}),
    )


def _export_url(queue: Queue, params: QueryDict) -> str:
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        if _own(queue, key) and key != f"{queue.name}-page":
            query.setlist(key, values)
    encoded = query.urlencode()
    return reverse("web:queue_export", args=[queue.name]) + (f"?{encoded}" if encoded else "")


def csv_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet shows as text: nothing for None, a leading ' before a formula start."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _Echo:
    """A file-like object that hands back what csv.writer writes, so each line can be streamed."""

    def write(self, value: str) -> str:
        return value


def csv_lines(queue: Queue, items: QuerySet[Any]) -> Iterator[str]:
    """The queue's CSV, a batch of rows at a time; each batch's members are noted in the PHI read log as it is
    written (the middleware keeps the request's collector current while a streamed response is produced)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([header for header, _ in queue.csv])  # BOM: spreadsheets then read UTF-8
    batch: list[str] = []
    members: list[Any] = []
    for row in items.iterator(chunk_size=EXPORT_BATCH):
        members.append(queue.member_of(row))
        batch.append(writer.writerow([csv_cell(value(row)) for _, value in queue.csv]))
        if len(batch) == EXPORT_BATCH:
            note_members(members)
            yield "".join(batch)
            batch, members = [], []
    note_members(members)
    yield "".join(batch)


@verified_required  # type: ignore[arg-type]  # a streamed answer is no HttpResponse, yet the gate is the same
def queue_export(request: HttpRequest, name: str) -> StreamingHttpResponse:
    """The whole filtered queue as CSV, in the page's sort order; a queue the caller may not export is a 404."""
    user = staff(request)
    queue = QUEUES.get(name)
    if queue is None or not queue.allowed(user):
        raise Http404("No such queue for you.")
    rows, _, _ = queue_rows(queue, request.GET, user, queue.source(user))
    response = StreamingHttpResponse(csv_lines(queue, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{queue.filename}-{plan_today().isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    return response
