"""The appeals API (filled in by the appeals work)."""

from ninja import Router

router = Router(tags=["appeals"])
