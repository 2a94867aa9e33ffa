"""The Content Security Policy in a real browser: the main pages, htmx swaps and the API docs break none of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from calaim.accounts.models import Role
from tests.browser.conftest import sign_in_through_pages
from tests.factories import PASSWORD, UserFactory

# Chromium reports a refused script, style, image or connection in the console and as a DOM event.
VIOLATION = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


def _watch(page: Any) -> Callable[[], list[str]]:
    """Record every CSP violation on this page from now on; the returned function lists them."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if VIOLATION.search(message.text) else None)
    page.add_init_script(LISTEN)

    def violations() -> list[str]:
        return console + list(page.evaluate("window.__cspViolations || []"))

    return violations


def test_the_policy_is_strict(page: Any, network: Any) -> None:
    response = page.goto("/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_main_pages_and_htmx_raise_no_csp_violation(signed_in, api, network, enrolled, pending, shot):
    member = enrolled["member"]
    problems: list[str] = []
    visits = {
        "intake": ["/", f"/members/{member.pk}/", f"/referrals/{pending['referral']}/"],
        "um": ["/", f"/authorizations/{pending['authorization'].pk}/decision/"],
        "cm_a": ["/", f"/members/{member.pk}/"],
        "sup_a": ["/"],
        "referrer": ["/", "/referrals/new/", "/community-supports/requests/new/"],
        "member_services": ["/", "/dashboard/"],
    }
    for name, urls in visits.items():
        page = signed_in(name)
        violations = _watch(page)
        for url in urls:
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            if name == "member_services" and url == "/":
                # Typing searches through htmx: a request, a swap, a pushed URL.
                page.get_by_role("searchbox", name=re.compile("CIN, last or first name")).fill(member.last_name)
                expect(page.locator("#results")).to_contain_text("found")
            if name == "cm_a" and url != "/":
                with page.expect_response(re.compile(r"/sections/outreach/$")):
                    page.get_by_role("button", name="Refresh Outreach log").click()
        problems += [f"{name}: {v}" for v in violations()]
    assert not problems, "\n".join(problems)


def test_sign_in_second_factor_and_admin_raise_no_csp_violation(page: Any, network: Any) -> None:
    admin = UserFactory(
        username="root", is_staff=True, is_superuser=True, role=Role.PLAN_COMPLIANCE, organization=network.hpsj
    )
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    violations = _watch(page)
    sign_in_through_pages(page, admin.username, device)  # the login form, then the authenticator code
    page.goto("/admin/")
    expect(page.get_by_role("link", name="calaim administration")).to_be_visible()
    page.goto("/admin/core/auditevent/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not violations()


def test_authenticator_set_up_page_raises_no_csp_violation(page: Any, network: Any) -> None:
    violations = _watch(page)
    page.goto("/login/")
    page.get_by_label("Username").fill(network.users["cm_b"].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("img", name=re.compile("QR", re.IGNORECASE))).to_be_visible()  # the app's own SVG
    assert not violations()


def test_api_docs_render_from_our_own_origin_under_the_policy(page: Any, base_url: str, shot) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    violations = _watch(page)
    page.goto("/api/docs")
    # Swagger UI has fetched the schema and drawn the operations.
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("calaim API")
    shot(page, "api-docs")
    foreign = [url for url in requested if not url.startswith(base_url) and not url.startswith("data:")]
    assert not foreign, foreign
    assert not violations()
