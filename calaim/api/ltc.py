"""Long-term care: facility stays, PASRR and Physician Certification Statements."""

from ninja import Router

router = Router(tags=["long-term care"])
