"""What the PHI read log answers through the API: one read of one member's data per row."""

import datetime as dt
import uuid

from ninja import Field, Schema


class PhiReadOut(Schema):
    at: dt.datetime
    username: str = Field(..., alias="user.username")
    user_label: str
    user_role: str
    member_id: uuid.UUID
    member_cin: str = Field(..., alias="member.cin")
    member_name: str = Field(..., alias="member.full_name")
    view: str = Field(..., description="The route's name, e.g. web:member or api:get_member.")
    method: str
    path: str
    query: str = Field(..., description="The query string as sent: a search's terms, filters, the page.")
    ip: str | None = Field(..., description="The client's address (behind trusted proxies, from X-Forwarded-For).")
    status: int
    request_id: str = Field(..., description="The request's id in the server's logs (X-Request-ID).")
