"""Frozen data shared by every layer: resources, snapshots, statuses, findings."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NewType

RuleId = NewType("RuleId", str)
ANY_SUBSCRIPTION = "*"


class Status(enum.StrEnum):
    """The verdict of one rule on one resource.

    ``unknown`` and ``error`` are never counted as compliant: they mean the
    evidence was not in the input, or the rule itself failed. ``waived`` is a
    failing finding that an unexpired waiver accepts (hipaa_scan/waivers.py):
    scored as a failure, shown everywhere with its waiver, failing no gate.
    """

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"
    ERROR = "error"
    WAIVED = "waived"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for gates and sorting."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value that an input could not pin down, such as an ARM template
    expression that refers to a runtime function. Any rule reading it
    yields ``unknown``."""

    expression: str

    def __str__(self) -> str:
        return f"<unresolved: {self.expression}>"


class Semantics(enum.StrEnum):
    """How to read what an input leaves out.

    ``observed``: an export of live state; an absent child is unknown unless a
    manifest claims completeness. ``desired``: an ARM template, the complete
    desired state of what it declares; an absent property takes the service
    default for its API version and an undeclared child will not exist.
    """

    OBSERVED = "observed"
    DESIRED = "desired"


@dataclass(frozen=True, slots=True)
class Resource:
    """One Azure resource as the input described it.

    ``id`` keeps the input's spelling; ``key`` is the lower-cased id used for
    every lookup, because ARM ids and types are case-insensitive.
    ``raw`` is the resource object itself (``properties`` included), so rules
    read the real ARM shape. ``properties_collected`` is false when the input
    carried no ``properties`` block at all (``az resource list``, a thin
    Resource Graph projection): then nothing under ``properties`` is known.
    """

    id: str
    type: str
    name: str
    location: str | None
    raw: Mapping[str, Any]
    source: str
    properties_collected: bool = True
    semantics: Semantics = Semantics.OBSERVED
    # Derived once: every lookup and every finding needs them.
    key: str = field(init=False)
    type_key: str = field(init=False)
    subscription_id: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.id.lower())
        object.__setattr__(self, "type_key", self.type.lower())
        object.__setattr__(self, "subscription_id", subscription_of(self.id))


def subscription_of(resource_id: str) -> str | None:
    """The subscription GUID in an ARM id, or None for tenant-level ids."""
    # Slicing, not split("/"): this runs once per resource of the estate.
    if resource_id[:15].lower() != "/subscriptions/":
        return None
    end = resource_id.find("/", 15)
    return resource_id[15 : end if end >= 0 else None].lower() or None


@dataclass(frozen=True, slots=True)
class InputFile:
    """Evidence about one file that fed the scan."""

    path: str
    sha256: str
    size: int
    format: str
    resources: int
    semantics: Semantics = Semantics.OBSERVED


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """Something a collector was not allowed or able to read.

    ``scope`` is an ARM scope (``/subscriptions/{id}``) or ``/tenants/{id}``;
    ``api`` the resource type or Graph dataset; ``status`` the HTTP status
    (0 for a network failure). Rules depending on it report ``unknown``, and
    every report lists the gaps.
    """

    scope: str
    api: str
    status: int
    message: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the scan knows about an estate.

    ``complete_types`` maps a lower-cased child or extension resource type
    to the subscriptions (lower-cased ids, or ``*`` for any) whose producer
    enumerated it exhaustively for every parent. Only there does "no child
    found" mean "none exists"; anywhere else it means "not in the input",
    which rules report as unknown. Coverage is per subscription because one
    export saying it listed every diagnostic setting says nothing about
    another export's subscription.
    """

    resources: tuple[Resource, ...]
    inputs: tuple[InputFile, ...]
    collected_at: str | None = None
    tenants: tuple[str, ...] = ()
    complete_types: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Microsoft Graph datasets by lower-cased tenant id (see hipaa_scan.entra).
    graph: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    gaps: tuple[CoverageGap, ...] = ()
    # Resources a template declares (desired state): their children and
    # extensions are complete, since what the template leaves out will not exist.
    closed_parents: frozenset[str] = frozenset()

    def is_complete(self, type_key: str, subscription_id: str | None) -> bool:
        scopes = self.complete_types.get(type_key)
        if not scopes:
            return False
        return ANY_SUBSCRIPTION in scopes or (subscription_id is not None and subscription_id in scopes)


class Finding(NamedTuple):
    """One rule's verdict on one resource, stamped with identity by the engine.

    Only what is specific to the verdict: the rule's title, severity,
    citations and remediation live on the rule, and the report states them
    once per rule. A named tuple, not a frozen dataclass: a scan of 100,000
    resources makes half a million of these, and a frozen dataclass's
    ``__init__`` costs four times as much (it cannot assign its own slots).
    """

    rule_id: RuleId
    resource_id: str
    resource_type: str
    subscription_id: str | None
    status: Status
    path: str
    observed: Any
    expected: str
    message: str
