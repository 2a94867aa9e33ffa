"""The plans' public pages: no sign-in, no member data, in each of the plan's languages, cacheable for minutes."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from calaim.core.errors import NotFound
from calaim.plans.models import Plan
from calaim.public import pages
from calaim.public.languages import PageLanguage, catalogued_languages
from calaim.public.selectors import public_plan_get, public_plan_list

MAX_AGE_SECONDS = 300


def _plan_or_404(plan_code: str) -> Plan:
    try:
        return public_plan_get(plan_code)
    except NotFound:
        raise Http404("No such plan.") from None


def _language_or_404(plan: Plan, code: str) -> PageLanguage:
    found = next((language for language in pages.page_languages(plan) if language.code == code), None)
    if found is None:
        raise Http404("The plan's pages are not written in this language.")
    return found


def _respond(request: HttpRequest, template: str, context: dict[str, Any], language: PageLanguage) -> HttpResponse:
    # Rendered without the context processors: they read the session (the staff inbox badge), which would make the
    # page vary by cookie. A request carrying a cookie may get one back (sessions are saved on every request), so
    # only a cookieless answer may sit in a shared cache; any answer may sit in the browser's for a few minutes.
    response = HttpResponse(render_to_string(template, {**context, "language": language}))
    response["Content-Language"] = language.html_lang
    patch_cache_control(response, max_age=MAX_AGE_SECONDS, **{"private" if request.COOKIES else "public": True})
    return response


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    plans = [(plan, pages.page_languages(plan)) for plan in public_plan_list()]
    english = catalogued_languages()[0]
    with translation.override(english.code):
        return _respond(request, "public/index.html", {"plans": plans}, english)


@require_safe
def plan_redirect(request: HttpRequest, plan_code: str) -> HttpResponseRedirect:
    plan = _plan_or_404(plan_code)
    return HttpResponseRedirect(reverse("public:plan", args=[plan.code, "en"]))


def _page(request: HttpRequest, plan_code: str, lang: str, url_name: str, build: Any, template: str) -> HttpResponse:
    plan = _plan_or_404(plan_code)
    language = _language_or_404(plan, lang)
    with translation.override(language.code):
        context = {
            "plan": plan,
            "alternates": pages.alternates(request, plan, url_name, language),
            "default_url": request.build_absolute_uri(reverse(url_name, args=[plan.code, "en"])),
            "ecm_url": request.build_absolute_uri(reverse("public:plan", args=[plan.code, language.code])),
            "ltc_url": request.build_absolute_uri(reverse("public:long_term_care", args=[plan.code, language.code])),
            **build(plan, language),
        }
        return _respond(request, template, context, language)


@require_safe
def plan_page(request: HttpRequest, plan_code: str, lang: str) -> HttpResponse:
    return _page(request, plan_code, lang, "public:plan", pages.plan_page, "public/plan.html")


@require_safe
def long_term_care(request: HttpRequest, plan_code: str, lang: str) -> HttpResponse:
    return _page(request, plan_code, lang, "public:long_term_care", pages.long_term_care_page, "public/ltc.html")
