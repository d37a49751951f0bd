"""Expectations: small, named predicates with a human description.

String comparisons are case-insensitive (ARM returns ``premium`` where the
portal shows ``Premium``, ``AlwaysON`` where policy writes ``AlwaysOn``) and
booleans also accept the strings ``"true"``/``"false"`` that some providers
emit (Defender pricing extensions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Expectation:
    description: str
    test: Callable[[Any], bool]

    def __call__(self, value: Any) -> bool:
        try:
            return self.test(value)
        except (TypeError, ValueError):
            return False


def show(value: Any) -> str:
    """Values in descriptions are written as JSON (``true``, ``["a", "b"]``),
    the notation of the resources they describe."""
    return json.dumps(value)


def normalise(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        return lowered
    return value


# Rules build expectations inside their checks, once per resource; the same
# expectation is made hundreds of thousands of times at tenant scale, so the
# hashable ones are made once. The key carries the types: True == 1 in Python.
_MADE: dict[tuple[Any, ...], Expectation] = {}


def _once(key: tuple[Any, ...], make: Callable[[], Expectation]) -> Expectation:
    try:
        return _MADE[key]
    except KeyError:
        made = _MADE[key] = make()
        return made
    except TypeError:  # unhashable arguments (a list of choices): not cached
        return make()


def equals(expected: Any) -> Expectation:
    def make() -> Expectation:
        target = normalise(expected)
        return Expectation(
            f"== {show(expected)}", lambda v: normalise(v) == target and type(normalise(v)) is type(target)
        )

    return _once(("equals", type(expected), expected), make)


def one_of(*choices: Any) -> Expectation:
    def make() -> Expectation:
        targets = {normalise(c) for c in choices}
        return Expectation(
            f"in {show(list(choices))}", lambda v: not isinstance(v, list | dict) and normalise(v) in targets
        )

    return _once(("one_of", *((type(c), c) for c in choices)), make)


def not_one_of(*choices: Any) -> Expectation:
    def make() -> Expectation:
        targets = {normalise(c) for c in choices}
        return Expectation(
            f"not in {show(list(choices))}", lambda v: not isinstance(v, list | dict) and normalise(v) not in targets
        )

    return _once(("not_one_of", *((type(c), c) for c in choices)), make)


def at_least(minimum: float) -> Expectation:
    return Expectation(f">= {minimum}", lambda v: not isinstance(v, bool) and float(v) >= minimum)


def non_empty() -> Expectation:
    return Expectation("non-empty", lambda v: v not in ("", [], {}, None))


def version_at_least(minimum: str) -> Expectation:
    """Dotted version compare that tolerates prefixes: ``TLS1_2``, ``1.2``, ``Tls12``."""
    want = _version_tuple(minimum)
    return Expectation(f"version >= {minimum}", lambda v: _version_tuple(str(v)) >= want)


def _version_tuple(text: str) -> tuple[int, ...]:
    digits = "".join(ch if ch.isdigit() else " " for ch in text).split()
    if len(digits) == 1 and len(digits[0]) == 2:  # "Tls12" -> 1.2
        digits = [digits[0][0], digits[0][1]]
    if not digits:
        raise ValueError(text)
    return tuple(int(d) for d in digits)


def later_than(moment: datetime) -> Expectation:
    """An epoch-seconds timestamp (Key Vault ``attributes.exp``) after ``moment``."""
    cutoff = moment.timestamp()
    return Expectation(
        f"set (epoch seconds) and later than {moment.isoformat(timespec='seconds')}",
        lambda v: not isinstance(v, bool) and float(v) > cutoff,
    )


def contains_all(*items: str) -> Expectation:
    """A list holding every one of ``items`` (case-insensitive)."""
    wanted = {i.lower() for i in items}
    return Expectation(
        f"contains all of {show(list(items))}",
        lambda v: isinstance(v, list) and wanted <= {str(x).strip().lower() for x in v},
    )
