"""The public pages' own text from `reference/public_pages.yaml`: referral routes, questions, the long-term care
overview and the plan contacts the seed pages give, checked when read and kept for the life of the process."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from calaim.core.errors import ValidationFailed

CONTENT_FILE = Path(__file__).with_name("reference") / "public_pages.yaml"


@dataclass(frozen=True)
class ReferralRoute:
    """How one kind of referrer refers; shown when one of its referral sources is in force."""

    sources: tuple[str, ...]
    heading: str
    how: str
    how_without_fax: str


@dataclass(frozen=True)
class FacilityType:
    """A long-term care facility type and when each plan began covering it (None: before 2023)."""

    name: str
    covered_from: dict[str, dt.date | None]

    def covered_from_for(self, plan_code: str) -> dt.date | None:
        return self.covered_from.get(plan_code, self.covered_from["default"])


@dataclass(frozen=True)
class PublicContent:
    version: str
    plan_contacts: dict[str, dict[str, str]]
    referral_routes: tuple[ReferralRoute, ...]
    faq: tuple[tuple[str, str], ...]
    ltc_intro: tuple[str, ...]
    facility_types: tuple[FacilityType, ...]
    pasrr_intro: str
    pasrr_steps: tuple[str, ...]
    transportation: tuple[str, ...]

    def texts(self) -> list[str]:
        """Every English text in the file, each a msgid the catalogues must translate."""
        found: list[str] = []
        for route in self.referral_routes:
            found += [route.heading, route.how, route.how_without_fax]
        for question, answer in self.faq:
            found += [question, answer]
        found += [*self.ltc_intro, *(f.name for f in self.facility_types), self.pasrr_intro, *self.pasrr_steps]
        found += list(self.transportation)
        return [text for text in dict.fromkeys(found) if text]


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] in (None, "", []):
        raise ValidationFailed(f"{CONTENT_FILE.name}: {where} needs {key!r}.", field=key)
    return data[key]


def _routes(raw: list[dict[str, Any]]) -> tuple[ReferralRoute, ...]:
    return tuple(
        ReferralRoute(
            sources=tuple(_require(r, "sources", f"referral route {i}")),
            heading=_require(r, "heading", f"referral route {i}"),
            how=_require(r, "how", f"referral route {i}"),
            how_without_fax=r.get("how_without_fax", ""),
        )
        for i, r in enumerate(raw)
    )


def _facility_types(raw: list[dict[str, Any]]) -> tuple[FacilityType, ...]:
    types = []
    for i, entry in enumerate(raw):
        covered = _require(entry, "covered_from", f"facility type {i}")
        if "default" not in covered:
            raise ValidationFailed(f"{CONTENT_FILE.name}: facility type {i} needs a default covered_from date.")
        types.append(FacilityType(name=_require(entry, "name", f"facility type {i}"), covered_from=dict(covered)))
    return tuple(types)


def content_parse(data: dict[str, Any]) -> PublicContent:
    """The file's mapping as typed content; a missing text names where it is missing."""
    ltc = _require(data, "long_term_care", "the file")
    pasrr = _require(ltc, "pasrr", "long_term_care")
    return PublicContent(
        version=str(_require(data, "version", "the file")),
        plan_contacts={code: {k: str(v) for k, v in c.items()} for code, c in (data.get("plans") or {}).items()},
        referral_routes=_routes(_require(data, "referral_routes", "the file")),
        faq=tuple((_require(q, "question", "faq"), _require(q, "answer", "faq")) for q in _require(data, "faq", "")),
        ltc_intro=tuple(_require(ltc, "intro", "long_term_care")),
        facility_types=_facility_types(_require(ltc, "facility_types", "long_term_care")),
        pasrr_intro=_require(pasrr, "intro", "pasrr"),
        pasrr_steps=tuple(_require(pasrr, "steps", "pasrr")),
        transportation=tuple(_require(ltc, "transportation", "long_term_care")),
    )


@functools.cache
def public_content() -> PublicContent:
    """The content file as shipped with this release (it changes only with a deployment)."""
    return content_parse(yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8")))
