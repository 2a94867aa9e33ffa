"""Documents attached to referrals, CS requests, authorizations and appeals."""

from ninja import Router

router = Router(tags=["documents"])
