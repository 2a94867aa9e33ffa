"""The PHI read log: which members' data a request read, collected while it runs and written when it ends.

A request opens a collector (`PhiReadLogMiddleware`); every member-linked row materialized meanwhile notes its
member (`calaim.members.signals`, on `post_init`, so lists joined with `select_related("member")` count too); a
read that returns member data without materializing a model (`.values()`, raw SQL) calls `note_members` itself.
When the request ends, `phi_reads_record` writes one `PhiRead` per (request, member) with one `bulk_create`.
Outside a request (tasks, commands, the shell) there is no collector and nothing is noted.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from calaim.core.models import PhiRead

# The members' plans, by member id, for those of `ids` that exist; registered by calaim.members (a lower layer
# cannot import it). A noted id that is not a stored member (an unsaved instance) is dropped.
PlanResolver = Callable[[Collection[Any]], dict[Any, int]]
_plan_resolver: list[PlanResolver] = []

WRITE_BATCH = 1000


@dataclass
class ReadCollector:
    """The ids of the members whose data the current request has read so far."""

    member_ids: set[Any] = field(default_factory=set)


_collector: ContextVar[ReadCollector | None] = ContextVar("calaim_phi_reads", default=None)


@dataclass(frozen=True)
class ReadContext:
    """Who read, what, and from where: the request's part of each row."""

    user_id: int
    user_label: str
    user_role: str
    request_id: str
    view: str
    method: str
    path: str
    query: str
    ip: str | None
    status: int


def plan_resolver_set(resolver: PlanResolver) -> None:
    """Called once by calaim.members when the apps are ready."""
    _plan_resolver[:] = [resolver]


def note_member(member_id: Any) -> None:
    """Record that the current request read this member's data (nothing outside a request)."""
    collector = _collector.get()
    if collector is not None and member_id is not None:
        collector.member_ids.add(member_id)


def note_members(member_ids: Iterable[Any]) -> None:
    """`note_member` for many: for reads that return member data without materializing a model."""
    collector = _collector.get()
    if collector is not None:
        collector.member_ids.update(m for m in member_ids if m is not None)


def collecting(collector: ReadCollector) -> Token[ReadCollector | None]:
    """Make `collector` the current request's; pass the token to `collecting_end`."""
    return _collector.set(collector)


def collecting_end(token: Token[ReadCollector | None]) -> None:
    _collector.reset(token)


def stream_collecting(chunks: Iterable[bytes], collector: ReadCollector, done: Callable[[], None]) -> Iterator[bytes]:
    """A streamed response's chunks with `collector` current while each is made, then `done()` once the stream
    ends or is closed early (a download cut short still read what it sent)."""
    iterator = iter(chunks)
    try:
        while True:
            token = _collector.set(collector)
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            finally:
                _collector.reset(token)
            yield chunk
    finally:
        done()


def client_address(meta: dict[str, Any], trusted_proxies: int) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `trusted_proxies` proxies that each append the address they
    were reached from to X-Forwarded-For, the one the outermost of them saw (addresses a client wrote into the
    header itself stand to the left of it and are ignored)."""
    address = str(meta.get("REMOTE_ADDR", "") or "")
    if trusted_proxies > 0:
        hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
        if len(hops) >= trusted_proxies:
            address = hops[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def phi_reads_record(context: ReadContext, member_ids: Collection[Any]) -> int:
    """Write one row per member read in one request (the caller has decided the request disclosed them); returns
    how many rows were written."""
    if not member_ids or not _plan_resolver:
        return 0
    plans = _plan_resolver[0](member_ids)
    at = timezone.now()
    rows = [
        PhiRead(
            at=at,
            request_id=context.request_id,
            user_id=context.user_id,
            user_label=context.user_label[:200],
            user_role=context.user_role[:40],
            member_id=member_id,
            plan_id=plan_id,
            view=context.view[:120],
            method=context.method[:10],
            path=context.path[:500],
            query=context.query[:1000],
            ip=context.ip,
            status=context.status,
        )
        for member_id, plan_id in plans.items()
    ]
    PhiRead.objects.bulk_create(rows, batch_size=WRITE_BATCH)
    return len(rows)


def new_request_id() -> str:
    return uuid.uuid4().hex
