"""Fixtures for the public pages: an anonymous reader, and a page read as a reader would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.public.pagehtml import Page, read_page

CAPTIONS = {
    "pofs": "Populations of Focus in {} County and when each went live",
    "providers": "Contracted ECM providers in {} County",
    "supports": "Community Supports offered in {} County and since when",
}


@pytest.fixture
def read(network: Any) -> Callable[[str], Page]:
    """GET a public page as an anonymous reader (no cookie) and read it; it must answer 200."""

    def get(url: str) -> Page:
        response = Client().get(url)
        assert response.status_code == 200, (url, response.status_code)
        return read_page(response.content.decode())

    return get
