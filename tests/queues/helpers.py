"""Reading a queue's page and CSV in tests."""

from __future__ import annotations

import csv
import io
from typing import Any


def page(client: Any, path: str = "/", **params: Any) -> str:
    response = client.get(path, params)
    assert response.status_code == 200, response
    return response.content.decode()


def section(body: str, start: str, end: str | None = None) -> str:
    """The part of a page from heading `start` up to `end` (or the end)."""
    after = body.split(start, 1)[1]
    return after.split(end, 1)[0] if end else after


def download(client: Any, name: str, **params: Any) -> tuple[Any, list[list[str]]]:
    """The export's response and its rows (header first), read to the end as a browser would."""
    response = client.get(f"/queues/{name}.csv", params)
    assert response.status_code == 200, response
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text[1:])))
