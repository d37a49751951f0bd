"""Run every rule over every resource of its types and stamp the findings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from hipaa_scan.engine.index import ResourceIndex
from hipaa_scan.engine.rule import TENANT_TYPE_KEY, Context, Rule, Settings, Verdict
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.model import Finding, Resource, Snapshot, Status, Unresolved

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2000


@gc_paused()
def run_rules(
    snapshot: Snapshot,
    rules: Sequence[Rule],
    *,
    settings: Settings,
    now: datetime,
    progress: Progress | None = None,
    debug: bool = False,
) -> tuple[Finding, ...]:
    """Evaluate. A rule that raises yields an ``error`` finding and the run
    goes on; with ``debug`` the exception propagates instead."""
    index = ResourceIndex(snapshot)
    total = sum(index.count_of_types(r.type_keys) for r in rules)
    done = 0
    findings: list[Finding] = []
    for rule in rules:
        ctx = Context(index=index, settings=settings, now=now, readable=rule.readable)
        # Only identity rules judge the tenant, whose Graph datasets are narrowed per rule.
        narrow = ctx.view if TENANT_TYPE_KEY in rule.type_keys else None
        for resource in index.of_types(rule.type_keys):
            try:
                verdict = rule.check(narrow(resource) if narrow else resource, ctx)
                if not isinstance(verdict, Verdict):
                    raise TypeError(f"check returned {type(verdict).__name__}, not Verdict")
            except Exception as exc:
                if debug:
                    raise
                verdict = Verdict(Status.ERROR, "", None, "", f"rule raised {type(exc).__name__}: {exc}")
            findings.append(_stamp(rule, resource, verdict))
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
    if progress is not None:
        progress(done, total)
    findings.sort(key=lambda f: (f.rule_id, f.resource_id.lower()))
    return tuple(findings)


def _stamp(rule: Rule, resource: Resource, verdict: Verdict) -> Finding:
    return Finding(
        rule_id=rule.id,
        resource_id=resource.id,
        resource_type=resource.type,
        status=verdict.status,
        path=verdict.path,
        observed=jsonable(verdict.observed),
        expected=verdict.expected,
        message=verdict.message,
        subscription_id=resource.subscription_id,
    )


def jsonable(value: Any) -> Any:
    """Observed values go into JSON evidence; unresolved markers become text."""
    if value is None or type(value) in (str, bool, int, float):
        return value
    if isinstance(value, Unresolved):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
