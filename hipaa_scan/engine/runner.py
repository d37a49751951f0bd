"""Run every rule over every resource of its types and stamp the findings."""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hipaa_scan.engine import parallel
from hipaa_scan.engine.index import ResourceIndex
from hipaa_scan.engine.rule import TENANT_TYPE_KEY, Context, Rule, Settings, Verdict
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.model import Finding, Resource, RuleId, Snapshot, Status, Unresolved

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 500


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One rule, ready to run: its output slot and its own Context."""

    slot: int
    rule: Rule
    ctx: Context
    # Only identity rules judge the tenant, whose Graph datasets are narrowed per rule.
    narrow: Callable[[Resource], Resource] | None


def in_finding_order(rules: Sequence[Rule]) -> list[Rule]:
    """Rules in the order of the findings (by id); a rule's slot is its place here."""
    return sorted(rules, key=lambda r: r.id)


def compile_rules(
    rules: Sequence[Rule], index: ResourceIndex, settings: Settings, now: datetime
) -> dict[str, list[_Compiled]]:
    """The rules for each resource type, so a resource meets only its own.
    Slots follow rule-id order, the order of the findings."""
    by_type: dict[str, list[_Compiled]] = defaultdict(list)
    for slot, rule in enumerate(in_finding_order(rules)):
        ctx = Context(index=index, settings=settings, now=now, readable=rule.readable)
        compiled = _Compiled(slot, rule, ctx, ctx.view if TENANT_TYPE_KEY in rule.type_keys else None)
        for type_key in dict.fromkeys(rule.type_keys):
            by_type[type_key].append(compiled)
    return dict(by_type)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Findings, and the resources they are about in the findings' order of
    resources (lower-cased id), each once."""

    findings: tuple[Finding, ...]
    resources: tuple[Resource, ...]


def run_rules(
    snapshot: Snapshot,
    rules: Sequence[Rule],
    *,
    settings: Settings,
    now: datetime,
    progress: Progress | None = None,
    debug: bool = False,
    jobs: int | None = 1,
) -> tuple[Finding, ...]:
    """The findings of ``evaluate``."""
    return evaluate(snapshot, rules, settings=settings, now=now, progress=progress, debug=debug, jobs=jobs).findings


@gc_paused()
def evaluate(
    snapshot: Snapshot,
    rules: Sequence[Rule],
    *,
    settings: Settings,
    now: datetime,
    progress: Progress | None = None,
    debug: bool = False,
    jobs: int | None = 1,
) -> Evaluation:
    """Evaluate every rule on every resource of its types, one resource at a
    time. Findings come out ordered by rule id, then resource id (lower-cased),
    without a sort: resources are visited in that order and each rule appends
    to its own list. A rule that raises yields an ``error`` finding and the
    run goes on; with ``debug`` the exception propagates instead.

    With ``jobs`` > 1 (``None``: decide by size and CPUs), the ordered resources are cut into
    that many contiguous chunks of about equal work; forked workers evaluate
    all but the first while this process evaluates the first, and the chunks'
    findings are joined in order, so the result is identical to ``jobs=1``.
    """
    index = ResourceIndex(snapshot)
    plan = compile_rules(rules, index, settings, now)
    resources = index.in_order()
    weights = [len(plan.get(r.type_key, ())) for r in resources]
    if jobs is None:
        jobs = parallel.auto_jobs(sum(weights))
    if debug or not parallel.can_fork():
        jobs = 1  # a crashing rule must raise here, not in a worker
    chunks = parallel.split(resources, weights, jobs, lead=parallel.LEAD)
    ticks = parallel.Ticks(len(chunks), progress, len(resources))
    work = functools.partial(_evaluate, plan=plan, slots=len(rules), debug=debug, ticks=ticks)
    rule_ids = [r.id for r in in_finding_order(rules)]
    unpack = functools.partial(_unpack, rule_ids=rule_ids)
    per_chunk = parallel.run_chunks(work, chunks, pack=_pack, unpack=unpack)
    ticks.finish()
    findings = tuple(itertools.chain.from_iterable(itertools.chain.from_iterable(zip(*per_chunk, strict=True))))
    # Every rule of a resource's type makes one finding on it, so the resources
    # with findings are those with rules, in the order they were visited.
    judged = tuple(r for r, weight in zip(resources, weights, strict=True) if weight)
    return Evaluation(findings, judged)


def _evaluate(
    chunk: int,
    resources: Sequence[Resource],
    *,
    plan: Mapping[str, list[_Compiled]],
    slots: int,
    debug: bool,
    ticks: parallel.Ticks,
) -> list[list[Finding]]:
    per_rule: list[list[Finding]] = [[] for _ in range(slots)]
    for done, resource in enumerate(resources, 1):
        for compiled in plan.get(resource.type_key, ()):
            seen = compiled.narrow(resource) if compiled.narrow else resource
            try:
                verdict = compiled.rule.check(seen, compiled.ctx)
                if not isinstance(verdict, Verdict):
                    raise TypeError(f"check returned {type(verdict).__name__}, not Verdict")
            except Exception as exc:
                if debug:
                    raise
                verdict = Verdict(Status.ERROR, "", None, "", f"rule raised {type(exc).__name__}: {exc}")
            observed = verdict.observed
            if observed is not None and type(observed) not in _SCALARS:
                observed = jsonable(observed)
            # tuple.__new__: a named tuple's own constructor is a Python function.
            per_rule[compiled.slot].append(
                _new(
                    Finding,
                    (
                        compiled.rule.id,
                        resource.id,
                        resource.type,
                        resource.subscription_id,
                        verdict.status,
                        verdict.path,
                        observed,
                        verdict.expected,
                        verdict.message,
                    ),
                )
            )
        if done % PROGRESS_EVERY == 0:
            ticks.tick(chunk, done)
    ticks.tick(chunk, len(resources))
    return per_rule


# A worker's findings cross the pipe as plain tuples that name the resource by
# its position in the chunk: the resource's id, type and subscription are in
# this process already, and a named tuple pickles several times slower.
def _pack(per_rule: list[list[Finding]], chunk: Sequence[Resource]) -> list[list[tuple[Any, ...]]]:
    position = {r.id: n for n, r in enumerate(chunk)}
    return [
        [(position[f.resource_id], f.status, f.path, f.observed, f.expected, f.message) for f in findings]
        for findings in per_rule
    ]


def _unpack(
    per_rule: list[list[tuple[Any, ...]]], chunk: Sequence[Resource], *, rule_ids: Sequence[RuleId]
) -> list[list[Finding]]:
    out: list[list[Finding]] = []
    for rule_id, rows in zip(rule_ids, per_rule, strict=True):
        findings: list[Finding] = []
        for n, status, path, observed, expected, message in rows:
            r = chunk[n]
            findings.append(
                _new(Finding, (rule_id, r.id, r.type, r.subscription_id, status, path, observed, expected, message))
            )
        out.append(findings)
    return out


_new = tuple.__new__
_SCALARS = frozenset({str, bool, int, float})


def jsonable(value: Any) -> Any:
    """Observed values go into JSON evidence; unresolved markers become text."""
    if value is None or type(value) in _SCALARS:
        return value
    if isinstance(value, Unresolved):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
