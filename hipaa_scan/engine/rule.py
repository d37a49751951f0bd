"""The rule API: what a rule module declares and what a check returns.

A rule says its id once, declares its metadata and citations, and returns a
``Verdict`` with the path it read and the value it observed. The engine adds
identity (rule id, resource id, severity, citations) to make a Finding.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from hipaa_scan.engine.expect import Expectation
from hipaa_scan.engine.index import Related, ResourceIndex
from hipaa_scan.engine.lookup import Lookup, Presence, lookup
from hipaa_scan.entra import TENANT_TYPE, graph_type
from hipaa_scan.model import Resource, RuleId, Severity, Status

RULE_ID = re.compile(r"^[A-Z]{2,5}-\d{2,3}$")
# Named tuples built on the hot path skip their Python-level constructor.
_new = tuple.__new__
TENANT_TYPE_KEY = TENANT_TYPE.lower()


class Verdict(NamedTuple):
    """What a check returns. A named tuple because every finding makes one
    (cheaper to build than a frozen dataclass, and as immutable)."""

    status: Status
    path: str
    observed: Any
    expected: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """Organisation-specific inputs some rules need. A rule that needs a
    setting that is not given returns unknown, never a guess."""

    allowed_locations: frozenset[str] = frozenset()
    # Emergency-access accounts (object ids or UPNs, lower-cased), from --break-glass.
    break_glass_accounts: frozenset[str] = frozenset()
    # Organization policy (hipaa-scan.toml); the defaults are the catalogue's
    # suggested minimums, so a scan without a policy file judges as before.
    min_tls_version: str = "1.2"
    log_retention_days: int = 365
    backup_retention_days: int = 30
    expected_tenant: str | None = None
    sentinel_workbook_pattern: str = "hipaa"


class UndeclaredReadError(RuntimeError):
    """A rule read a resource type it did not declare in ``reads``.

    The live collector fetches only the types rules declare, so an undeclared
    read would silently see nothing in a collected snapshot."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may look at besides its own resource.

    ``readable`` holds the lower-cased types the running rule declared
    (its ``resource_types`` plus ``reads``); reading any other type raises
    ``UndeclaredReadError``. ``None`` allows everything.
    """

    index: ResourceIndex
    settings: Settings
    now: datetime
    readable: frozenset[str] | None = None

    def _allow(self, resource_type: str) -> str:
        wanted = resource_type.lower()
        if self.readable is not None and wanted not in self.readable:
            raise UndeclaredReadError(f"reads {resource_type}, which the rule does not declare in reads=[...]")
        return wanted

    def _allowed(self, resource: Resource | None) -> Resource | None:
        if resource is None:
            return None
        self._allow(resource.type)
        return self.view(resource)

    def view(self, resource: Resource) -> Resource:
        """The resource as the running rule may see it: the Entra tenant with
        only the Microsoft Graph datasets the rule declares in ``reads``, so an
        undeclared dataset reads as not collected (and fails the rule's cases)."""
        if self.readable is None or resource.type_key != TENANT_TYPE_KEY:
            return resource
        props = resource.raw.get("properties")
        if not isinstance(props, Mapping):
            return resource
        keep = {k: v for k, v in props.items() if graph_type(str(k)).lower() in self.readable}
        return Resource(
            id=resource.id,
            type=resource.type,
            name=resource.name,
            location=resource.location,
            raw={**resource.raw, "properties": keep},
            source=resource.source,
            properties_collected=resource.properties_collected,
        )

    def children(self, parent: Resource, child_type: str) -> Related:
        return self.index.children(parent, self._allow(child_type))

    def extensions(self, scope: Resource, extension_type: str) -> Related:
        return self.index.extensions(scope, self._allow(extension_type))

    def get(self, resource_id: str) -> Resource | None:
        return self._allowed(self.index.get(resource_id))

    def parent(self, resource: Resource) -> Resource | None:
        """The parent of a child resource (database -> server), if in the input."""
        return self._allowed(self.index.parent(resource))

    def of_type(self, resource_type: str) -> tuple[Resource, ...]:
        """Every resource of a type, from the index (no scan of the snapshot)."""
        return self.index.of_type(self._allow(resource_type))

    def is_complete(self, resource_type: str, subscription_id: str | None) -> bool:
        """Whether the input enumerated ``resource_type`` exhaustively in that
        subscription, so that finding none means none exists."""
        return self.index.is_complete(self._allow(resource_type), subscription_id)


CheckFn = Callable[[Resource, Context], Verdict]


@dataclass(frozen=True)
class Rule:
    id: RuleId
    title: str
    severity: Severity
    resource_types: tuple[str, ...]
    citations: tuple[str, ...]
    rationale: str
    remediation: str
    check: CheckFn = field(repr=False, compare=False)
    module: str = ""
    # Other resource types the check reads (children, extensions, parents,
    # resources it follows by id). The live collector fetches exactly
    # resource_types + reads, and the Context refuses anything else.
    reads: tuple[str, ...] = ()
    # The declarative conditions of a property_rule (empty for coded checks),
    # so tests can ask what each path means when it is absent.
    checks: tuple[Check | SettingCheck, ...] = ()

    @property
    def type_keys(self) -> tuple[str, ...]:
        return tuple(t.lower() for t in self.resource_types)

    @property
    def readable(self) -> frozenset[str]:
        return frozenset(self.type_keys) | {t.lower() for t in self.reads}


def rule(
    *,
    id: str,
    title: str,
    severity: str,
    resource_types: Sequence[str],
    citations: Sequence[str],
    rationale: str,
    remediation: str,
    reads: Sequence[str] = (),
) -> Callable[[CheckFn], Rule]:
    """Decorate a check function; the module-level name then holds the Rule.
    Nothing is registered as a side effect: the registry finds Rule objects
    by reading each module's attributes."""

    def wrap(fn: CheckFn) -> Rule:
        return Rule(
            id=RuleId(id),
            title=title,
            severity=Severity(severity),
            resource_types=tuple(resource_types),
            citations=tuple(citations),
            rationale=rationale,
            remediation=remediation,
            check=fn,
            module=fn.__module__,
            reads=tuple(reads),
        )

    return wrap


class Check(NamedTuple):
    """One condition on one property path. (A named tuple: rules build their
    checks inside the check function, once per resource.)

    ``when_missing`` is what an absent property means. It defaults to unknown;
    set it to fail only where the service default is known to be
    non-compliant (Azure Policy treats a missing ``minimumTlsVersion`` as
    non-compliant, so do we), and to pass only where the documented service
    default is compliant and cannot be turned off.
    """

    path: str
    expect: Expectation
    when_missing: Status = Status.UNKNOWN


class SettingCheck(NamedTuple):
    """A check whose threshold is the organization's choice: ``make`` turns
    the ``setting`` of the scan's Settings (hipaa-scan.toml) into the
    expectation, e.g. ``SettingCheck("properties.minimalTlsVersion",
    "min_tls_version", version_at_least)``. Resolved once per setting value."""

    path: str
    setting: str
    make: Callable[[Any], Expectation]
    when_missing: Status = Status.UNKNOWN

    def resolve(self, settings: Settings) -> Check:
        return Check(self.path, _expectation(self.make, getattr(settings, self.setting)), self.when_missing)


@functools.lru_cache(maxsize=256)
def _expectation(make: Callable[[Any], Expectation], value: Any) -> Expectation:
    return make(value)


def setting_expectation(setting: str, make: Callable[[Any], Expectation], settings: Settings) -> Expectation:
    """The expectation a policy setting gives, for rules that judge in code."""
    return _expectation(make, getattr(settings, setting))


def verdict_for(resource: Resource, check: Check) -> Verdict:
    return judge(lookup(resource, check.path), check.expect, check.when_missing)


def judge(found: Lookup, expect: Expectation, when_missing: Status = Status.UNKNOWN) -> Verdict:
    """Turn one looked-up value into a verdict."""
    presence = found.presence
    if presence is Presence.FOUND or presence is Presence.DEFAULT:
        ok = expect(found.value)
        return _new(
            Verdict, (Status.PASS if ok else Status.FAIL, found.path, found.value, expect.description, found.note)
        )
    if presence is Presence.NOT_COLLECTED:
        return Verdict(Status.UNKNOWN, found.path, None, expect.description, "properties were not in the input")
    if found.presence is Presence.UNRESOLVED:
        return Verdict(
            Status.UNKNOWN, found.path, found.value, expect.description, "value is an unresolved template expression"
        )
    if found.presence is Presence.MISSING:
        note = {
            Status.FAIL: "property absent; service default is non-compliant",
            Status.PASS: "property absent; service default is compliant",
        }.get(when_missing, "property absent")
        return Verdict(when_missing, found.path, None, expect.description, note)
    raise AssertionError(f"unhandled presence {presence}")


def all_of(resource: Resource, *checks: Check) -> Verdict:
    """Every check must pass. The first failure is reported; if none fails
    but one is unknown, the result is unknown."""
    verdicts = [verdict_for(resource, c) for c in checks]
    return combine_all(verdicts)


def combine_all(verdicts: Sequence[Verdict]) -> Verdict:
    for wanted in (Status.FAIL, Status.UNKNOWN):
        for v in verdicts:
            if v.status is wanted:
                return v
    if len(verdicts) == 1:
        return verdicts[0]
    path, expected = _joined(tuple((v.path, v.expected) for v in verdicts))
    return Verdict(
        Status.PASS,
        path,
        {v.path: v.observed for v in verdicts},
        expected,
        # A pass decided by a documented default says so.
        "; ".join(dict.fromkeys(v.message for v in verdicts if v.message)),
    )


# The joined path and expectation of a passing conjunction depend only on its
# checks, and a rule passes the same checks on thousands of resources.
_JOINED: dict[tuple[tuple[str, str], ...], tuple[str, str]] = {}


def _joined(parts: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    joined = _JOINED.get(parts)
    if joined is None:
        joined = _JOINED[parts] = (
            " & ".join(path for path, _ in parts),
            " AND ".join(f"{path} {expected}" for path, expected in parts),
        )
    return joined


def any_of(resource: Resource, *checks: Check) -> Verdict:
    """At least one check must pass. Fails only when every check is known to fail."""
    return combine_any([verdict_for(resource, c) for c in checks])


def combine_any(verdicts: Sequence[Verdict]) -> Verdict:
    """Pass if one verdict passes; otherwise unknown if one is unknown; otherwise fail."""
    for v in verdicts:
        if v.status is Status.PASS:
            return v
    statuses = {v.status for v in verdicts}
    status = Status.UNKNOWN if Status.UNKNOWN in statuses else Status.FAIL
    return Verdict(
        status,
        " | ".join(v.path for v in verdicts),
        {v.path: v.observed for v in verdicts},
        " OR ".join(f"{v.path} {v.expected}" for v in verdicts),
        "; ".join(dict.fromkeys(v.message for v in verdicts if v.message)),
    )


def property_rule(
    *,
    id: str,
    title: str,
    severity: str,
    resource_types: Sequence[str],
    citations: Sequence[str],
    rationale: str,
    remediation: str,
    checks: Sequence[Check | SettingCheck],
    mode: str = "all",
) -> Rule:
    """The declarative case: conditions on property paths, no code."""
    combine = all_of if mode == "all" else any_of
    frozen = tuple(checks)

    fixed = tuple(c for c in frozen if isinstance(c, Check))
    if len(fixed) == len(frozen):

        def check(resource: Resource, ctx: Context) -> Verdict:
            return combine(resource, *fixed)

    else:

        def check(resource: Resource, ctx: Context) -> Verdict:
            resolved = (c.resolve(ctx.settings) if isinstance(c, SettingCheck) else c for c in frozen)
            return combine(resource, *resolved)

    declared = rule(
        id=id,
        title=title,
        severity=severity,
        resource_types=resource_types,
        citations=citations,
        rationale=rationale,
        remediation=remediation,
    )(check)
    return replace(declared, checks=frozen)


def not_applicable(path: str, observed: Any, reason: str, expected: str = "rule applies to this resource") -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, path, observed, expected, reason)


def unknown(path: str, reason: str, expected: str = "") -> Verdict:
    return Verdict(Status.UNKNOWN, path, None, expected, reason)
