"""The letters' configuration, read from `calaim/notices/reference/`: which template each notice kind is written
from (letters.yaml: versions, plan overrides, languages, agencies, rights, timing) and the threshold languages and
taglines (languages.yaml). Files in the repository, versioned with the code that reads them; read once a process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from calaim.core.errors import ValidationFailed
from calaim.notices.models import NoticeKind

REFERENCE_DIR = Path(__file__).with_name("reference")
TIMING_RULES = frozenset({"same_day", "plan_business_days"})


class LetterConfigError(ValidationFailed):
    """A letters or languages file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class TemplateVersion:
    version: str
    effective_from: dt.date
    template: str
    languages: tuple[str, ...]
    plans: Mapping[str, str] = field(default_factory=dict)

    def template_for(self, plan_code: str) -> str:
        """The plan's own template for this version when it has one, else the shared one."""
        return self.plans.get(plan_code, self.template)


@dataclass(frozen=True)
class LetterTemplate:
    key: str
    kind: str
    title: str
    versions: tuple[TemplateVersion, ...]  # oldest first
    instead_when: Mapping[str, str] = field(default_factory=dict)

    def version_on(self, day: dt.date) -> TemplateVersion:
        """The version in force on `day` (the first version also covers any earlier day)."""
        found = [v for v in self.versions if v.effective_from <= day]
        return found[-1] if found else self.versions[0]

    def version_named(self, version: str) -> TemplateVersion | None:
        return next((v for v in self.versions if v.version == version), None)


@dataclass(frozen=True)
class Timing:
    default: str
    kinds: Mapping[str, str]
    knox_keene_business_days: int
    knox_keene_kinds: frozenset[str]
    advance_days: int
    advance_kinds: frozenset[str]
    advance_exceptions: frozenset[str]


@dataclass(frozen=True)
class LettersConfig:
    version: str
    source_language: str
    awaiting_review: str
    templates: Mapping[str, LetterTemplate]  # by key
    by_kind: Mapping[str, str]  # notice kind to template key
    rights: Mapping[str, int]
    agencies: Mapping[str, Mapping[str, str]]
    timing: Timing


@dataclass(frozen=True)
class Threshold:
    plan: str
    county: str
    languages: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    confidence: str


@dataclass(frozen=True)
class Tagline:
    language: str
    name: str
    text: str
    direction: str = "ltr"


@dataclass(frozen=True)
class LanguagesConfig:
    version: str
    thresholds: tuple[Threshold, ...]
    taglines: Mapping[str, Tagline]
    common: tuple[str, ...]

    def thresholds_for(self, plan_code: str, county: str, day: dt.date) -> tuple[str, ...]:
        """The threshold languages of a plan in a county on `day` (none when the county is not listed)."""
        for row in self.thresholds:
            in_force = row.effective_from <= day and (row.effective_to is None or day <= row.effective_to)
            if row.plan == plan_code and row.county == county and in_force:
                return row.languages
        return ()


def _read(directory: Path, filename: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load((directory / filename).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LetterConfigError(f"{filename}: cannot be read: {exc}") from exc
    if not isinstance(document, dict):
        raise LetterConfigError(f"{filename}: expected a mapping at the top")
    return document


def _require(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise LetterConfigError(f"{where}: {key!r} must be a {kind.__name__}, got {value!r}")
    return value


def _version(data: Mapping[str, Any], where: str) -> TemplateVersion:
    languages = tuple(_require(data, "languages", list, where))
    if "en" not in languages:
        raise LetterConfigError(f"{where}: every version is written in English (en) first")
    return TemplateVersion(
        version=str(_require(data, "version", str, where)),
        effective_from=_require(data, "effective_from", dt.date, where),
        template=_require(data, "template", str, where),
        languages=languages,
        plans=dict(data.get("plans") or {}),
    )


def _template(data: Mapping[str, Any], index: int) -> LetterTemplate:
    where = f"letters.yaml, letter {index} ({data.get('key')})"
    kind = _require(data, "kind", str, where)
    if kind not in NoticeKind.values:
        raise LetterConfigError(f"{where}: unknown notice kind {kind!r}")
    raw = _require(data, "versions", list, where)
    versions = sorted(
        (_version(v, f"{where}, version {n}") for n, v in enumerate(raw, 1)), key=lambda v: v.effective_from
    )
    if not versions:
        raise LetterConfigError(f"{where}: needs at least one version")
    return LetterTemplate(
        key=_require(data, "key", str, where),
        kind=kind,
        title=_require(data, "title", str, where),
        versions=tuple(versions),
        instead_when=dict(data.get("instead_when") or {}),
    )


def _timing(data: Mapping[str, Any]) -> Timing:
    kinds = dict(data.get("kinds") or {})
    rules = {data.get("default"), *kinds.values()}
    if not rules <= TIMING_RULES:
        raise LetterConfigError(f"letters.yaml, timing: rules must be among {sorted(TIMING_RULES)}, got {rules}")
    knox, advance = data.get("knox_keene") or {}, data.get("advance_notice") or {}
    return Timing(
        default=str(data["default"]),
        kinds=kinds,
        knox_keene_business_days=int(knox.get("business_days", 2)),
        knox_keene_kinds=frozenset(knox.get("kinds", [])),
        advance_days=int(advance.get("days", 10)),
        advance_kinds=frozenset(advance.get("kinds", [])),
        advance_exceptions=frozenset(advance.get("exceptions", [])),
    )


def letters_config_read(directory: Path = REFERENCE_DIR) -> LettersConfig:
    """Read and check letters.yaml: each member notice kind has one template, each template resolves."""
    document = _read(directory, "letters.yaml")
    templates = [_template(item, n) for n, item in enumerate(_require(document, "letters", list, "letters.yaml"), 1)]
    by_key = {t.key: t for t in templates}
    if len(by_key) != len(templates):
        raise LetterConfigError("letters.yaml: a template key appears more than once")
    for template in templates:
        unknown = set(template.instead_when.values()) - set(by_key)
        if unknown:
            raise LetterConfigError(f"letters.yaml, {template.key}: instead_when names unknown {sorted(unknown)}")
    return LettersConfig(
        version=str(document.get("version", "")),
        source_language=str(document.get("source_language", "en")),
        awaiting_review=_require(document, "awaiting_review", str, "letters.yaml"),
        templates=by_key,
        by_kind={t.kind: t.key for t in templates},
        rights={k: int(v) for k, v in _require(document, "rights", dict, "letters.yaml").items()},
        agencies={k: {a: str(b) for a, b in v.items()} for k, v in document.get("agencies", {}).items()},
        timing=_timing(_require(document, "timing", dict, "letters.yaml")),
    )


def _threshold(data: Mapping[str, Any], index: int) -> Threshold:
    where = f"languages.yaml, threshold {index}"
    return Threshold(
        plan=_require(data, "plan", str, where),
        county=_require(data, "county", str, where),
        languages=tuple(_require(data, "languages", list, where)),
        effective_from=_require(data, "effective_from", dt.date, where),
        effective_to=data.get("effective_to"),
        confidence=str(data.get("confidence", "M")),
    )


def languages_config_read(directory: Path = REFERENCE_DIR) -> LanguagesConfig:
    """Read and check languages.yaml: thresholds by plan and county, and a tagline for each language named."""
    document = _read(directory, "languages.yaml")
    thresholds = tuple(
        _threshold(row, n) for n, row in enumerate(_require(document, "thresholds", list, "languages.yaml"), 1)
    )
    section = _require(document, "taglines", dict, "languages.yaml")
    texts = {
        code: Tagline(code, str(item["name"]), " ".join(str(item["text"]).split()), str(item.get("dir", "ltr")))
        for code, item in _require(section, "texts", dict, "languages.yaml, taglines").items()
    }
    common = tuple(_require(section, "common", list, "languages.yaml, taglines"))
    named = set(common) | {code for row in thresholds for code in row.languages}
    missing = sorted(named - set(texts))
    if missing:
        raise LetterConfigError(f"languages.yaml: no tagline for {', '.join(missing)}")
    return LanguagesConfig(str(document.get("version", "")), thresholds, texts, common)


@lru_cache(maxsize=1)
def letters_config() -> LettersConfig:
    return letters_config_read()


@lru_cache(maxsize=1)
def languages_config() -> LanguagesConfig:
    return languages_config_read()
