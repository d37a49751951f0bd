"""Read a dotted property path from a resource, distinguishing a value that is
absent from one that was never collected or could not be resolved."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, NamedTuple

from hipaa_scan.engine.defaults import default_for
from hipaa_scan.model import Resource, Unresolved


class Presence(enum.Enum):
    FOUND = "found"
    MISSING = "missing"  # the object that should hold it exists; the key does not
    DEFAULT = "default"  # absent, and a documented service default applies (engine/defaults.py)
    NOT_COLLECTED = "not_collected"  # the input carried no properties block at all
    UNRESOLVED = "unresolved"  # an ARM template expression we could not evaluate


class Lookup(NamedTuple):
    """One looked-up path (a named tuple: made for nearly every finding)."""

    path: str
    presence: Presence
    value: Any = None
    note: str = ""  # for a default: which one, and its source

    @property
    def found(self) -> bool:
        """A value is known: present in the input, or its documented default."""
        return self.presence is Presence.FOUND or self.presence is Presence.DEFAULT


def lookup(resource: Resource, path: str) -> Lookup:
    """``properties.networkAcls.defaultAction`` -> the value, or why there is none.

    A missing intermediate object counts as MISSING, because ARM omits empty
    blocks (no ``networkAcls`` means no network rules at all).
    """
    if path.startswith("properties") and not resource.properties_collected:
        return Lookup(path, Presence.NOT_COLLECTED)
    found = lookup_in(resource.raw, path)
    if found.presence is Presence.MISSING:
        hit = default_for(resource, path)
        if hit is not None:
            default, api_version = hit
            return Lookup(path, Presence.DEFAULT, default.value, default.describe(resource.type, api_version))
    return found


def lookup_in(data: Mapping[str, Any], path: str) -> Lookup:
    current: Any = data
    parts = _PARTS.get(path)
    if parts is None:
        parts = _PARTS[path] = tuple(path.split("."))
    for part in parts:
        # Parsed JSON is plain dicts; the exact-type test skips the slow ABC check.
        if type(current) is not dict and not isinstance(current, Mapping):
            if isinstance(current, Unresolved):
                return Lookup(path, Presence.UNRESOLVED, current)
            return _new(Lookup, (path, Presence.MISSING, None, ""))
        current = current[part] if part in current else _get_ci(current, part)
        if current is _ABSENT:
            return _new(Lookup, (path, Presence.MISSING, None, ""))
    if isinstance(current, Unresolved):
        return Lookup(path, Presence.UNRESOLVED, current)
    if current is None:
        # ARM writes null for "not set"; treat it exactly like an absent key.
        return _new(Lookup, (path, Presence.MISSING, None, ""))
    return _new(Lookup, (path, Presence.FOUND, current, ""))


_ABSENT = object()
# A named tuple's own constructor is a Python function; building the tuple
# directly skips that call on the hottest path of every rule.
_new = tuple.__new__
# Rules read a few hundred distinct paths, hundreds of thousands of times.
_PARTS: dict[str, tuple[str, ...]] = {}


def _get_ci(mapping: Mapping[str, Any], key: str) -> Any:
    """Exact key first; then a case-insensitive match, because exports
    disagree on casing (Storage's ``keyvaultproperties`` vs ``keyVaultProperties``)."""
    lowered = key.lower()
    size = len(key)
    for candidate, value in mapping.items():
        # Comparing lengths first spares lower-casing every key of the block.
        if isinstance(candidate, str) and len(candidate) == size and candidate.lower() == lowered:
            return value
    return _ABSENT


def list_at(mapping: object, key: str) -> list[Any]:
    """``mapping[key]`` when that is a JSON array, else an empty list.

    Exports are hostile as often as they are wrong: a ``logs`` that is a
    number or a ``rules`` that is a string must not crash a rule."""
    if isinstance(mapping, Mapping):
        value = mapping.get(key)
        if isinstance(value, list):
            return value
    return []
