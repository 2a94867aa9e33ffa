"""What each public page shows, in the active language: the plan's offer from the reference data, and the
content file's texts translated through the catalogues and filled in with the plan's contacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from calaim.core.clock import plan_today
from calaim.plans.models import Plan
from calaim.public.content import public_content
from calaim.public.languages import PageLanguage, long_date, plan_languages
from calaim.public.selectors import PlanOffer, plan_offer


@dataclass(frozen=True)
class Alternate:
    """The same page in one of the plan's languages (the switcher and the hreflang links)."""

    name: str
    html_lang: str
    url: str
    current: bool


def page_languages(plan: Plan) -> list[PageLanguage]:
    return plan_languages(plan.code, [county.name for county in plan.counties.all()], plan_today())


def alternates(request: HttpRequest, plan: Plan, url_name: str, current: PageLanguage) -> list[Alternate]:
    """The page in each of the plan's languages, as absolute addresses (search engines and printouts need them)."""
    return [
        Alternate(
            name=language.name,
            html_lang=language.html_lang,
            url=request.build_absolute_uri(reverse(url_name, args=[plan.code, language.code])),
            current=language.code == current.code,
        )
        for language in page_languages(plan)
    ]


def _values(plan: Plan | PlanOffer) -> dict[str, str]:
    contacts = public_content().plan_contacts.get(plan.code, {})
    return {
        "plan": plan.name,
        "phone": plan.member_services_phone,
        "tty": contacts.get("tty", "711"),
        "fax": contacts.get("case_management_fax", ""),
    }


def filled(text: str, values: dict[str, str]) -> str:
    """The text translated and filled in; a translation that names a blank it should not falls back to English."""
    try:
        return gettext(text) % values
    except (KeyError, ValueError, TypeError):
        return text % values


def referral_routes(offer: PlanOffer) -> list[dict[str, Any]]:
    """How each kind of referrer refers, for the kinds whose referral sources are in force."""
    values, labels = _values(offer), dict(offer.referral_sources)
    routes = []
    for route in public_content().referral_routes:
        sources = [gettext(labels[code]) for code in route.sources if code in labels]
        if not sources:
            continue
        how = route.how if values["fax"] or "%(fax)s" not in route.how else route.how_without_fax
        routes.append({"heading": gettext(route.heading), "how": filled(how, values), "sources": sources})
    return routes


def questions(offer: PlanOffer) -> list[tuple[str, str]]:
    values = _values(offer)
    return [(filled(q, values), filled(a, values)) for q, a in public_content().faq]


def plan_page(plan: Plan, language: PageLanguage) -> dict[str, Any]:
    """The ECM and Community Supports page's context, read on the plan's today."""
    offer = plan_offer(plan, plan_today())
    return {
        "offer": offer,
        "routes": referral_routes(offer),
        "questions": questions(offer),
        "tty": _values(offer)["tty"],
        "as_of": long_date(offer.as_of, language),
    }


def long_term_care_page(plan: Plan, language: PageLanguage) -> dict[str, Any]:
    """The long-term care overview's context: the content file's text and each facility type's date for the plan."""
    content = public_content()
    values = _values(plan)
    facilities = []
    for facility in content.facility_types:
        covered = facility.covered_from_for(plan.code)
        when = long_date(covered, language) if covered else gettext("Before 2023")
        facilities.append({"name": gettext(facility.name), "covered_from": when})
    return {
        "intro": [filled(text, values) for text in content.ltc_intro],
        "facilities": facilities,
        "pasrr_intro": gettext(content.pasrr_intro),
        "pasrr_steps": [gettext(step) for step in content.pasrr_steps],
        "transportation": [gettext(text) for text in content.transportation],
        "tty": values["tty"],
        "as_of": long_date(plan_today(), language),
    }
