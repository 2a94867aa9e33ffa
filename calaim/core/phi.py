"""The PHI read log: which members' data a request read, collected while it runs and written when it ends.

A request opens a collector (`PhiReadLogMiddleware`); every member-linked row materialized meanwhile notes its
member (`calaim.members.signals`, on `post_init`, so lists joined with `select_related("member")` count too); a
read that returns member data without materializing a model (`.values()`, raw SQL) calls `note_members` itself.
When the request ends, `phi_reads_record` writes one `PhiRead` per (request, member) in one INSERT. Outside a
request (tasks, commands, the shell) there is no collector and nothing is noted.

The cost is kept to about one statement: a member row loaded from the database brings its plan, so only members
known by a linked row's id alone are looked up (one query), and the rows go in together (calaim.core.phi_insert).
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from calaim.core.phi_insert import phi_reads_insert

# The members' plans, by member id, for those of `ids` that exist; registered by calaim.members (a lower layer
# cannot import it). A noted id that is not a stored member (an unsaved instance) is dropped.
PlanResolver = Callable[[Collection[Any]], dict[Any, int]]
_plan_resolver: list[PlanResolver] = []


@dataclass
class ReadCollector:
    """The members whose data the current request has read so far: by id, the plan a member row brought and that
    row's state (a row loaded from the database, not one made in memory, vouches that the member exists)."""

    members: dict[Any, tuple[int | None, Any]] = field(default_factory=dict)

    @property
    def member_ids(self) -> set[Any]:
        return set(self.members)

    def add(self, member_id: Any, plan_id: int | None, state: Any) -> None:
        known = self.members.get(member_id)
        if known is None or (state is not None and _vouched(*known) is None):
            self.members[member_id] = (plan_id, state)

    def plans(self) -> tuple[dict[Any, int], list[Any]]:
        """The plans vouched for by loaded member rows, and the ids still to look up."""
        vouched: dict[Any, int] = {}
        unknown: list[Any] = []
        for member_id, (plan_id, state) in self.members.items():
            plan = _vouched(plan_id, state)
            if plan is None:
                unknown.append(member_id)
            else:
                vouched[member_id] = plan
        return vouched, unknown


def _vouched(plan_id: int | None, state: Any) -> int | None:
    # Django marks a row loaded from (or saved to) the database by `_state.adding = False`, right after post_init.
    return plan_id if state is not None and state.adding is False else None


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


def note_member(member_id: Any, *, plan_id: int | None = None, state: Any = None) -> None:
    """Record that the current request read this member's data (nothing outside a request); a member row passes its
    plan and its `_state`, which tells at the end whether it came from the database."""
    collector = _collector.get()
    if collector is not None and member_id is not None:
        collector.add(member_id, plan_id, state)


def note_members(member_ids: Iterable[Any]) -> None:
    """`note_member` for many: for reads that return member data without materializing a model."""
    collector = _collector.get()
    if collector is not None:
        for member_id in member_ids:
            if member_id is not None:
                collector.add(member_id, None, None)


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


def phi_reads_record(context: ReadContext, collector: ReadCollector) -> int:
    """Write one row per member the request read (the caller has decided the request disclosed them); returns how
    many rows were written. A noted id that is no stored member (a row made in memory) is left out."""
    plans, unknown = collector.plans()
    if unknown and _plan_resolver:
        plans.update(_plan_resolver[0](unknown))
    if plans:
        phi_reads_insert(
            {
                "at": timezone.now(),
                "request_id": context.request_id[:64],
                "user": context.user_id,
                "user_label": context.user_label[:200],
                "user_role": context.user_role[:40],
                "view": context.view[:120],
                "method": context.method[:10],
                "path": context.path[:500],
                "query": context.query[:1000],
                "ip": context.ip,
                "status": context.status,
            },
            list(plans.items()),
        )
    return len(plans)


def new_request_id() -> str:
    return uuid.uuid4().hex
