"""What changed between two scans: findings that newly fail, that no longer
fail, and any other change of status.

The inputs are (rule_id, resource_id, status) triples, so a diff can be fed
from a ReportView (``(f["rule_id"], f["resource_id"], f["status"]) for f in
view.findings``) or from rows stored elsewhere. Findings are matched on the
rule id and the resource id compared case-insensitively (ARM ids are
case-insensitive); the new scan's spelling is reported where it has one.

Unknown is never pass: ``unknown -> pass`` and ``pass -> unknown`` are both
changes, listed in ``changed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from hipaa_scan.reporting.terminal import STATUS_STYLE

FAIL = "fail"


@dataclass(frozen=True)
class Change:
    """One finding's status in the old and the new scan (None: absent)."""

    rule_id: str
    resource_id: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class FindingsDiff:
    """``new``: failing now and not failing before (absent, or another
    status); ``resolved``: failing before and not now (including a resource
    that is gone); ``changed``: any other change of status, appearing or
    disappearing included (e.g. absent -> pass, unknown -> pass);
    ``unchanged``: how many findings have the same status in both. Each tuple
    is sorted by rule id, then resource id case-insensitively."""

    new: tuple[Change, ...]
    resolved: tuple[Change, ...]
    changed: tuple[Change, ...]
    unchanged: int


_Key = tuple[str, str]


def _index(findings: Iterable[tuple[str, str, str]]) -> dict[_Key, tuple[str, str]]:
    """(rule id, lower resource id) -> (resource id as spelt, status); a
    finding listed twice counts once, its last status winning."""
    return {(rule_id, resource_id.lower()): (resource_id, str(status)) for rule_id, resource_id, status in findings}


def diff_findings(old: Iterable[tuple[str, str, str]], new: Iterable[tuple[str, str, str]]) -> FindingsDiff:
    """The diff from the ``old`` scan's findings to the ``new`` one's."""
    before, after = _index(old), _index(new)
    added: list[Change] = []
    resolved: list[Change] = []
    changed: list[Change] = []
    unchanged = 0
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        old_status = was[1] if was else None
        new_status = now[1] if now else None
        if old_status == new_status:
            unchanged += 1
            continue
        spelling = now[0] if now else was[0] if was else key[1]
        change = Change(key[0], spelling, old_status, new_status)
        if new_status == FAIL:
            added.append(change)
        elif old_status == FAIL:
            resolved.append(change)
        else:
            changed.append(change)
    return FindingsDiff(tuple(added), tuple(resolved), tuple(changed), unchanged)


def summary_line(diff: FindingsDiff) -> str:
    """The counts as one line: N new, M resolved, K changed, U unchanged."""
    return (
        f"{len(diff.new):,} new, {len(diff.resolved):,} resolved, "
        f"{len(diff.changed):,} changed, {diff.unchanged:,} unchanged"
    )


def _status(status: str | None) -> Text:
    if status is None:
        return Text("absent", style="dim")
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _table(title: str, changes: tuple[Change, ...], old_label: str, new_label: str, limit: int) -> list[RenderableType]:
    table = Table(title=f"{title} ({len(changes):,})", title_justify="left")
    table.add_column("Rule", no_wrap=True)
    table.add_column("Resource", overflow="fold")
    table.add_column(old_label, no_wrap=True)
    table.add_column(new_label, no_wrap=True)
    for change in changes[: max(limit, 0)]:
        table.add_row(change.rule_id, change.resource_id, _status(change.before), _status(change.after))
    parts: list[RenderableType] = [table]
    if len(changes) > limit:
        parts.append(Text(f"... and {len(changes) - max(limit, 0):,} more", style="dim"))
    return parts


def diff_renderable(diff: FindingsDiff, *, old_label: str, new_label: str, limit: int = 50) -> RenderableType:
    """The summary line, then a table each of new, resolved and changed
    findings (those with any), each of at most ``limit`` rows."""
    summary = Text(f"{old_label} -> {new_label}: ", style="bold")
    summary.append(summary_line(diff), style="red" if diff.new else "green")
    parts: list[RenderableType] = [summary]
    for title, changes in (("New failures", diff.new), ("Resolved", diff.resolved), ("Changed", diff.changed)):
        if changes:
            parts.extend(_table(title, changes, old_label, new_label, limit))
    return Group(*parts)


def _change_document(change: Change) -> dict[str, Any]:
    return {
        "rule_id": change.rule_id,
        "resource_id": change.resource_id,
        "before": change.before,
        "after": change.after,
    }


def diff_document(diff: FindingsDiff) -> dict[str, Any]:
    """The diff as JSON-ready data: the counts and every change in full."""
    return {
        "counts": {
            "new": len(diff.new),
            "resolved": len(diff.resolved),
            "changed": len(diff.changed),
            "unchanged": diff.unchanged,
        },
        "new": [_change_document(c) for c in diff.new],
        "resolved": [_change_document(c) for c in diff.resolved],
        "changed": [_change_document(c) for c in diff.changed],
    }
