"""Which template and version a notice's letter is written from (letters.yaml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from calaim.core.errors import ValidationFailed
from calaim.notices.reference import LetterTemplate, TemplateVersion, letters_config


@dataclass(frozen=True)
class Selection:
    template: LetterTemplate
    version: TemplateVersion
    template_name: str  # the Django template file, the plan's own when it has one


def letter_template_for(kind: str, content: Mapping[str, Any]) -> LetterTemplate:
    """The template a notice kind is written from, or the one its content asks for instead (an assignment letter
    owed by a provider change is the provider change notice)."""
    config = letters_config()
    key = config.by_kind.get(kind)
    if key is None:
        raise ValidationFailed(f"No letter template for notice kind {kind!r}.", field="kind")
    template = config.templates[key]
    for flag, other in template.instead_when.items():
        if content.get(flag):
            return config.templates[other]
    return template


def letter_select(kind: str, content: Mapping[str, Any], *, plan_code: str, day: dt.date) -> Selection:
    """The template, its version in force on `day`, and the file for the member's plan."""
    template = letter_template_for(kind, content)
    version = template.version_on(day)
    return Selection(template, version, version.template_for(plan_code))


def letter_select_version(key: str, version: str, *, plan_code: str) -> Selection:
    """A named template version (previews and reviews); NotFound-like ValidationFailed when there is none."""
    template = letters_config().templates.get(key)
    found = template.version_named(version) if template is not None else None
    if template is None or found is None:
        raise ValidationFailed(f"No letter template {key!r} version {version!r}.", field="template")
    return Selection(template, found, found.template_for(plan_code))
