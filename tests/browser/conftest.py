"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One Chromium for the whole session, a fresh context (cookies, storage) per person per test. People sign in
through the pages: the login form, then the TOTP code generated from their authenticator's secret. Each main
page is kept as a screenshot in test-output/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

# enrolled and pending: the web suite's data fixtures, shared with the browser tests.
from tests.web.conftest import current_code, enrolled, pending  # noqa: F401

CHROMIUM = os.environ.get("CALAIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright (tests/browser)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    # Locally a machine without Chromium skips these tests; in CI (CI=true) they run and fail instead.
    missing = not Path(CHROMIUM).exists() and os.environ.get("CI") != "true"
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (install Debian's chromium package)")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(skip)


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """One Chromium for all the browser tests, closed after the last of them.

    Playwright's sync API keeps an asyncio loop running in this thread while it is open, and Django refuses
    ORM calls from a thread with a running loop. The tests' own ORM calls are plain sync code, so the guard
    stands down while Playwright is open, and only then (the rest of the suite keeps it).
    """
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session", autouse=True)
def _screenshot_dir() -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def base_url(live_server: Any) -> str:
    return str(live_server.url)


@pytest.fixture
def new_page(chromium: Any, base_url: str) -> Iterator[Callable[[], Any]]:
    """Open a page in a fresh browser context (no cookies): one per person acting in a test."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as test-output/screenshots/<test>-<name>.png."""
    test = re.sub(r"[^\w.-]+", "_", request.node.name.removeprefix("test_"))

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in_through_pages(page: Any, username: str, device: TOTPDevice) -> None:
    """The login form, then the authenticator code; ends on the worklist."""
    from playwright.sync_api import expect

    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    page.get_by_label("6-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/$"))


@pytest.fixture
def signed_in(network: Any, new_page: Callable[[], Any]) -> Callable[[str], Any]:
    """A page signed in through the pages as one of the network's named users, in its own browser context."""
    pages: dict[str, Any] = {}

    def as_user(name: str) -> Any:
        if name not in pages:
            user = network.users[name]
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            page = new_page()
            sign_in_through_pages(page, user.username, device)
            pages[name] = page
        return pages[name]

    return as_user
