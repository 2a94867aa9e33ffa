"""Diagnosis code lists: prefixes, ranges and exclusions compiled to one regular expression each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from identification.errors import RulesError

# Characters an undotted ICD-10-CM code is made of; used to carve an excluded prefix out of a wider one.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE = r"[0-9A-Z]+"
# Whitespace that may surround an item inside a `;`-list (items are trimmed before comparison).
BLANK = "[ \t]*"


@dataclass(frozen=True)
class Pattern:
    """A code matches when it starts with `prefix` (or, if `exact`, equals it)."""

    prefix: str
    exact: bool = False


@dataclass(frozen=True)
class CodeList:
    """A compiled list: the patterns it matches, as sorted tuples for deterministic SQL."""

    name: str
    patterns: tuple[Pattern, ...]

    def alternation(self) -> str:
        """Regex alternation of the patterns, for use after an item boundary."""
        alts = [f"{p.prefix}{BLANK}(;|$)" if p.exact else p.prefix for p in self.patterns]
        # An empty list must match nothing in both RE2 and Java: a dot never survives normalisation.
        return "(" + "|".join(alts) + ")" if alts else "([.])"

    def any_item_regex(self) -> str:
        """Regex matching a normalised `;`-list holding at least one code on this list."""
        return f"(^|;){BLANK}{self.alternation()}"

    def first_item_regex(self) -> str:
        """Regex matching a normalised `;`-list whose first non-empty item is on this list."""
        return f"^[ \t;]*{self.alternation()}"

    def matches(self, code: str) -> bool:
        """Whether one undotted upper-case code is on the list (the Python reference of the regex)."""
        return any(code == p.prefix if p.exact else code.startswith(p.prefix) for p in self.patterns)


def expand_range(item: str, key: str) -> list[str]:
    """Expand "F20-F29" to F20..F29 (same letters, numeric tails of equal length); single codes pass."""
    item = item.strip().upper().replace(".", "").replace("\u2013", "-")
    low, _, high = item.partition("-")
    if not re.fullmatch(CODE, low) or (high and not re.fullmatch(CODE, high)):
        raise RulesError(f"key '{key}': {item!r} is not a code prefix or a range like F20-F29")
    if not high:
        return [low]
    lo_match = re.fullmatch(r"(.*?)([0-9]+)", low)  # matches exactly when `low` ends in a digit
    lo_head, lo_num = lo_match.groups() if lo_match else (low, "")
    hi_match = re.fullmatch(r"(.*?)([0-9]+)", high)
    if not lo_num or not hi_match or hi_match.group(1) != lo_head or len(hi_match.group(2)) != len(lo_num) \
            or int(hi_match.group(2)) < int(lo_num):
        raise RulesError(f"key '{key}': range {item!r} must keep its letters and count up, like F20-F29")
    width = len(lo_num)
    return [f"{lo_head}{str(n).zfill(width)}" for n in range(int(lo_num), int(hi_match.group(2)) + 1)]


def subtract(patterns: set[Pattern], excluded: str) -> set[Pattern]:
    """Remove every code starting with `excluded` from a pattern set, splitting wider prefixes."""
    out: set[Pattern] = set()
    for p in patterns:
        if p.prefix.startswith(excluded):
            continue  # wholly inside the exclusion
        if p.exact or not excluded.startswith(p.prefix):
            out.add(p)
            continue
        # p is a strictly shorter prefix of the exclusion: keep p itself exactly and every
        # one-character extension except the one leading toward the exclusion, recursively.
        out.add(Pattern(p.prefix, exact=True))
        nxt = excluded[len(p.prefix)]
        out.update(Pattern(p.prefix + c) for c in ALPHABET if c != nxt)
        out |= subtract({Pattern(p.prefix + nxt)}, excluded)
    return out


def minimise(patterns: set[Pattern]) -> tuple[Pattern, ...]:
    """Drop patterns already covered by a shorter prefix, and sort for stable output."""
    prefixes = [p.prefix for p in patterns if not p.exact]
    kept = {p for p in patterns
            if not any(p.prefix.startswith(q) and (p.exact or q != p.prefix) for q in prefixes)}
    return tuple(sorted(kept, key=lambda p: (p.prefix, p.exact)))


def compile_code_lists(raw: dict[str, Any]) -> dict[str, CodeList]:
    """Compile every list, resolving `lists` references (cycles are an error)."""
    compiled: dict[str, CodeList] = {}

    def build(name: str, stack: tuple[str, ...]) -> CodeList:
        if name in compiled:
            return compiled[name]
        if name in stack:
            raise RulesError(f"key 'code_lists.{name}': refers to itself through {' -> '.join(stack)}")
        body = raw.get(name)
        key = f"code_lists.{name}"
        if not isinstance(body, dict) or not set(body) <= {"include", "exclude", "lists"} or not body:
            raise RulesError(f"key '{key}': must be a mapping of include, exclude and/or lists")
        patterns: set[Pattern] = set()
        for i, item in enumerate(_items(body.get("include", []), f"{key}.include")):
            patterns.update(Pattern(code) for code in expand_range(item, f"{key}.include[{i}]"))
        for i, ref in enumerate(_items(body.get("lists", []), f"{key}.lists")):
            if ref not in raw:
                raise RulesError(f"key '{key}.lists[{i}]': {ref!r} is not a list under code_lists")
            patterns.update(build(ref, (*stack, name)).patterns)
        for i, item in enumerate(_items(body.get("exclude", []), f"{key}.exclude")):
            for code in expand_range(item, f"{key}.exclude[{i}]"):
                patterns = subtract(patterns, code)
        compiled[name] = CodeList(name, minimise(patterns))
        return compiled[name]

    for name in raw:
        build(str(name), ())
    return compiled


def _items(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"key '{key}': must be a list of strings")
    return value
