"""The staff pages at a tablet's and a laptop's size: no sideways scrolling of the page (a wide table scrolls in
its own box), every control of the referral form named for assistive technology, and the keyboard reaching
the main actions with a focus indicator that shows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect

from calaim.careplans.models import Task
from calaim.core.clock import plan_today
from tests.web.conftest import TODAY

VIEWPORTS = {"tablet": {"width": 768, "height": 1024}, "laptop": {"width": 1366, "height": 768}}
LATER = (plan_today() + dt.timedelta(days=60)).isoformat()

# The page's width against the window's, and the visible elements reaching past the window's right edge that
# no scrolling box of their own contains: what to fix when the page scrolls sideways.
OVERFLOW_JS = """() => {
  const doc = document.documentElement, width = doc.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const path = el => { const parts = []; for (let e = el; e && e !== document.body; e = e.parentElement)
    parts.unshift(name(e)); return parts.slice(-4).join(' > '); };
  const contained = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
    if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true; return false; };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= width + 0.5 || contained(el)) continue;
    wide.push(`${path(el)} (right edge ${Math.round(box.right)} px)`);
  }
  return {scrollWidth: doc.scrollWidth, clientWidth: width, wide: wide.slice(0, 8)};
}"""

# Each form control's accessible name, worked out as a browser does for these cases (aria-labelledby,
# aria-label, <label>, title), with the control described if it has none.
UNNAMED_JS = """form => [...form.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden')
  .filter(el => {
    const text = ids => ids.split(/\\s+/).map(id => document.getElementById(id)?.textContent || '').join(' ');
    const named = (el.getAttribute('aria-labelledby') && text(el.getAttribute('aria-labelledby')).trim())
      || (el.getAttribute('aria-label') || '').trim() || [...el.labels].some(l => l.textContent.trim())
      || (el.title || '').trim() || (el.tagName === 'BUTTON' && el.textContent.trim());
    return !named;
  })
  .map(el => `${el.tagName.toLowerCase()} name=${el.name} id=${el.id}`)"""

# What has the keyboard focus, and whether a focus indicator is drawn around it.
FOCUSED_JS = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' '),
    id: el.id, visible: outline || style.boxShadow !== 'none',
    // A date field's calendar button: focus is inside the browser's own shadow tree, so the field itself
    // does not match :focus and Chromium draws its own ring around the button (the app's CSS cannot reach it).
    picker: el.type === 'date' && !el.matches(':focus'),
  };
}"""


def _overflow(page: Any, where: str) -> list[str]:
    found = page.evaluate(OVERFLOW_JS)
    if found["scrollWidth"] <= found["clientWidth"]:
        return []
    return [f"{where}: page is {found['scrollWidth']} px wide in a {found['clientWidth']} px window; {found['wide']}"]


def _tab_to(page: Any, text: str, limit: int = 250) -> dict[str, Any]:
    """Press Tab until the focus is on the element whose visible text is `text`; each stop must show its focus."""
    hidden: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if not focused["visible"] and not focused["picker"]:
            hidden.append(f"{focused['tag']}#{focused['id']} “{focused['text'][:40]}”")
        if focused["text"] == text:
            assert not hidden, f"no visible focus indicator on: {hidden}"
            return focused
    raise AssertionError(f"Tab never reached “{text}” in {limit} presses")


def _full_record(api: Any, network: Any, enrolled: dict[str, Any], pending: dict[str, Any]) -> None:
    """Fill the record and the worklist: care plan with a goal and an intervention, care team, outreach, an
    overdue task, and a second member newly assigned to the care manager's organization."""
    member, eid = enrolled["member"], enrolled["enrollment"]
    cm = api("cm_a")
    plan = cm.post(f"/enrollments/{eid}/care-plan", {"next_review_on": LATER, "summary": "Housing first"}).json()
    goal = cm.post(
        f"/care-plans/{plan['id']}/goals",
        {"description": "I want a place of my own with a kitchen", "domain": "housing", "target_date": LATER},
    ).json()
    response = cm.post(
        f"/goals/{goal['id']}/interventions",
        {
            "description": "Apply for the county's rapid rehousing programme",
            "responsible_user": "cm_a",
            "frequency": "weekly until placed",
        },
    )
    assert response.status_code == 201, response.content
    team = {"role": "pcp", "name": "Dr. Ana Rivera", "organization_name": "Valley PCP Clinic", "phone": "209-555-0142"}
    assert cm.post(f"/members/{member.pk}/care-team", team).status_code == 201
    attempt = {"attempted_on": TODAY, "method": "phone", "reached": True, "minutes_spent": 15}
    assert cm.post(f"/enrollments/{eid}/outreach-attempts", attempt).status_code == 201
    Task.objects.filter(member=member).update(due_date=plan_today() - dt.timedelta(days=2))
    api("um").post(f"/authorizations/{pending['authorization'].pk}/decision", {"outcome": "approve"})
    assignment = {"provider_id": str(network.provider_a.pk)}
    assert api("intake").post(f"/referrals/{pending['referral']}/assignment", assignment).status_code in (200, 201)


def test_pages_fit_tablet_and_laptop_widths(signed_in, api, network, enrolled, pending, shot):
    _full_record(api, network, enrolled, pending)
    member = enrolled["member"]
    cm, referrer = signed_in("cm_a"), signed_in("referrer")
    pages = [
        (cm, "/", "care manager worklist", "My worklist"),
        (cm, f"/members/{member.pk}/", "member record", f"{member.first_name} {member.last_name}"),
        (referrer, "/referrals/new/", "referral form", "Refer a member for Enhanced Care Management"),
    ]
    problems: list[str] = []
    for size, viewport in VIEWPORTS.items():
        for page, url, label, heading in pages:
            page.set_viewport_size(viewport)
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            if label == "member record":  # the widest parts: the care plan's and the tasks' tables, forms open
                for summary in ("Record an outreach attempt", "Add a goal", "Add a task"):
                    page.get_by_text(summary, exact=True).click()
            problems += _overflow(page, f"{label} at {size} {viewport['width']}x{viewport['height']}")
            shot(page, f"{size}-{label.replace(' ', '-')}")
    assert not problems, "\n".join(problems)


def test_referral_form_controls_are_named_and_keyboard_reaches_actions(signed_in, api, network, enrolled, pending):
    _full_record(api, network, enrolled, pending)
    member = enrolled["member"]

    referrer = signed_in("referrer")
    referrer.set_viewport_size(VIEWPORTS["tablet"])
    referrer.goto("/referrals/new/")
    form = referrer.get_by_role("form", name="ECM referral")
    expect(form).to_be_visible()
    assert form.evaluate(UNNAMED_JS) == []
    # The same through the accessibility tree Chromium builds: no unnamed field, box or list.
    unnamed = re.findall(
        r"^\s*- (?:textbox|combobox|checkbox|radio|spinbutton|searchbox)\b(?! \")", form.aria_snapshot(), re.M
    )
    assert unnamed == [], form.aria_snapshot()
    assert form.locator("input:not([type=hidden]), select, textarea").count() > 20
    _tab_to(referrer, "Submit referral", limit=400)

    # The care manager: from the worklist to the member, then to the tasks' form by keyboard alone.
    cm = signed_in("cm_a")
    cm.set_viewport_size(VIEWPORTS["tablet"])
    cm.goto("/")
    listed = f"{member.last_name}, {member.first_name}"
    assert _tab_to(cm, listed)["tag"] == "a"
    cm.keyboard.press("Enter")
    expect(cm.get_by_role("heading", level=1)).to_contain_text(member.cin)
    assert _tab_to(cm, "Add a task")["tag"] == "summary"
    cm.keyboard.press("Enter")  # opens the panel
    focused = _tab_to(cm, "Add task", limit=20)
    assert focused["tag"] == "button"
    cm.keyboard.press("Enter")  # nothing filled in: the errors come back, in place
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    expect(tasks.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
    expect(tasks.get_by_label("Kind of task")).to_have_attribute("aria-invalid", "true")
