"""Verdicts: the answer of a `can_*` policy, which a service enforces and a page uses to show the action.

One predicate decides both, so what a page offers and what the service allows cannot drift. A refusal carries
the error the service raises: 404 when the object is outside the caller's scope (its existence must not leak),
403 when the caller may see it but their role may not act, 409 when its state does not allow the action now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from calaim.core.errors import Conflict, DomainError, Forbidden, NotFound


@dataclass(frozen=True)
class Verdict:
    """Allowed when `error` is None; true in `if` and in templates exactly when allowed."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def reason(self) -> str:
        """Why not, in words a person can act on; empty when allowed."""
        return self.error.message if self.error is not None else ""

    def enforce(self) -> None:
        """Raise the refusal; a service calls this before it writes."""
        if self.error is not None:
            raise self.error


ALLOWED = Verdict()


def out_of_scope(message: str = "Not found.") -> Verdict:
    return Verdict(NotFound(message))


def forbidden(message: str, *, field: str | None = None) -> Verdict:
    return Verdict(Forbidden(message, field=field))


def conflict(message: str, *, field: str | None = None) -> Verdict:
    return Verdict(Conflict(message, field=field))


def first_refusal(*checks: Callable[[], Verdict]) -> Verdict:
    """Run the checks in order (scope, then role, then state) and answer with the first refusal."""
    for check in checks:
        verdict = check()
        if not verdict:
            return verdict
    return ALLOWED
