"""Waivers: failing findings a team has accepted, with an owner and an expiry.

A waiver never hides a finding. It turns a matching ``fail`` into
``waived`` with the waiver's id, approver, ticket, expiry and justification
in its message, so every report shows it; a waived finding still counts as
failing in the score and fails no gate. An expired waiver waives nothing
and is listed as expired; one that matches no failing finding is listed as
stale, so the file does not silently rot. Only ``fail`` can be waived:
unknown means the evidence is missing, which no approval supplies.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from hipaa_scan.documents import list_entry_name, read_yaml, validate
from hipaa_scan.errors import InputError
from hipaa_scan.model import Finding, Status

DEFAULT_MAX_DAYS = 365


@dataclass(frozen=True)
class Waiver:
    id: str
    rule: str
    resource: str | None
    tags: Mapping[str, str]
    justification: str
    approver: str
    ticket: str
    expires: date

    def covers(self, finding: Finding, tags: Mapping[str, str]) -> bool:
        if self.rule != "*" and self.rule != finding.rule_id:
            return False
        if self.resource is not None and not fnmatch.fnmatchcase(finding.resource_id.lower(), self.resource.lower()):
            return False
        return all(tags.get(name.lower()) == value for name, value in self.tags.items())

    def note(self) -> str:
        return (
            f"waived by {self.id} until {self.expires.isoformat()} "
            f"(approved by {self.approver}, {self.ticket}): {self.justification}"
        )


@dataclass(frozen=True)
class Applied:
    findings: tuple[Finding, ...]
    records: list[dict[str, Any]]  # manifest.waivers


def load_waivers(path: Path, *, today: date, max_days: int = DEFAULT_MAX_DAYS) -> tuple[Waiver, ...]:
    """Read and check a waivers file; one clear line naming the entry otherwise."""
    source = str(path)
    document = read_yaml(path)
    validate(document, "waivers.schema.json", source, list_entry_name("waivers", "id"))
    waivers = []
    seen: set[str] = set()
    for n, entry in enumerate(document["waivers"]):
        label = f"waivers/{n} ({entry['id']})"
        if entry["id"] in seen:
            raise InputError(source, f"{label}: the id is used twice")
        seen.add(entry["id"])
        try:
            expires = date.fromisoformat(entry["expires"])
        except ValueError:
            raise InputError(source, f"{label}: expires {entry['expires']!r} is not a date") from None
        if expires > today + timedelta(days=max_days):
            raise InputError(
                source,
                f"{label}: expires {expires.isoformat()}, more than {max_days} days away "
                f"(the most --waiver-max-days allows); re-approve it nearer the time",
            )
        waivers.append(
            Waiver(
                id=entry["id"],
                rule=entry["rule"],
                resource=entry.get("resource"),
                tags={k.lower(): v for k, v in entry.get("tags", {}).items()},
                justification=entry["justification"],
                approver=entry["approver"],
                ticket=entry["ticket"],
                expires=expires,
            )
        )
    return tuple(waivers)


def apply_waivers(
    findings: Sequence[Finding],
    waivers: Sequence[Waiver],
    *,
    now: datetime,
    tags_of: Mapping[str, Mapping[str, str]],
) -> Applied:
    """``findings`` with the failing ones an active waiver covers made
    ``waived``; the first waiver in file order that covers a finding wins.
    ``tags_of`` maps lower-cased resource ids to lower-cased tag names."""
    today = now.date()
    active = [w for w in waivers if w.expires >= today]
    matched = {w.id: 0 for w in waivers}
    out: list[Finding] = []
    for finding in findings:
        if finding.status is Status.FAIL and waivers:
            tags = tags_of.get(finding.resource_id.lower(), {})
            covering = [w for w in waivers if w.covers(finding, tags)]
            for waiver in covering:
                matched[waiver.id] += 1
            live = next((w for w in covering if w in active), None)
            if live is not None:
                message = live.note() + (f"; {finding.message}" if finding.message else "")
                finding = finding._replace(status=Status.WAIVED, message=message)
        out.append(finding)
    records = []
    for w in waivers:
        state = "expired" if w.expires < today else "stale" if not matched[w.id] else "active"
        records.append(
            {
                "id": w.id,
                "rule": w.rule,
                "resource": w.resource,
                "tags": dict(w.tags),
                "justification": w.justification,
                "approver": w.approver,
                "ticket": w.ticket,
                "expires": w.expires.isoformat(),
                "state": state,
                "matched": matched[w.id],
            }
        )
    return Applied(tuple(out), records)


def tags_by_resource(resources_: Sequence[Any]) -> dict[str, dict[str, str]]:
    """Lower-cased resource id -> its tags (names lower-cased), from the snapshot."""
    out: dict[str, dict[str, str]] = {}
    for resource in resources_:
        tags = resource.raw.get("tags")
        if isinstance(tags, Mapping) and tags:
            out[resource.key] = {str(k).lower(): str(v) for k, v in tags.items()}
    return out
