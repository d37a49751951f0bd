"""Attestations: what no API can show (a signed BAA, workforce training, a
tested contingency plan), recorded by a compliance officer with an owner,
a date, an expiry and the evidence.

An attestation is evidence next to the automated findings, never a
substitute for them: it decides a specification only where the catalogue
says an attestation is needed, and an expired one, or none, counts as not
met. One naming a citation or item this tool does not know is an error.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from hipaa_scan.controls import Catalogue, Evidence, attestable_items
from hipaa_scan.documents import list_entry_name, parse_yaml, read_bytes, validate
from hipaa_scan.errors import InputError

# An attestation without an expiry date holds for a year: HIPAA asks for
# periodic evaluation (164.308(a)(8)), and a sign-off older than that is stale.
DEFAULT_VALIDITY = timedelta(days=365)


class AttestationState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"  # dated after the scan clock


@dataclass(frozen=True, slots=True)
class Attestation:
    key: str  # a citation, or a checklist item id
    status: str  # met, partially_met, not_met, not_applicable
    owner: str
    date: dt.date | None
    expires: dt.date | None
    evidence: tuple[str, ...]
    notes: str

    def state(self, today: dt.date) -> AttestationState:
        if self.date is not None and self.date > today:
            return AttestationState.NOT_YET_VALID
        if self.expires is not None and self.expires < today:
            return AttestationState.EXPIRED
        return AttestationState.VALID

    def record(self, today: dt.date) -> dict[str, Any]:
        """As reports show it."""
        return {
            "status": self.status,
            "state": self.state(today).value,
            "owner": self.owner,
            "date": self.date.isoformat() if self.date else None,
            "expires": self.expires.isoformat() if self.expires else None,
            "evidence": list(self.evidence),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Attestations:
    path: str
    sha256: str
    by_key: Mapping[str, Attestation]

    def get(self, key: str) -> Attestation | None:
        return self.by_key.get(key)


NONE = Attestations("", "", {})


def load_attestations(path: Path, catalogue: Catalogue) -> Attestations:
    """Read and check an attestations file: one clear line naming the entry otherwise."""
    source = str(path)
    raw = read_bytes(path)
    document = parse_yaml(raw, source)
    validate(document, "attestations.schema.json", source, list_entry_name("attestations", "specification", "item"))
    items = attestable_items()
    out: dict[str, Attestation] = {}
    for n, entry in enumerate(document["attestations"]):
        key = entry.get("specification") or entry["item"]
        label = f"attestations/{n} ({key})"
        if "specification" in entry and key not in catalogue:
            raise InputError(source, f"{label}: unknown citation; `hipaa-scan controls` lists them")
        if "item" in entry and key not in items:
            raise InputError(source, f"{label}: unknown checklist item; `hipaa-scan attest init` lists them")
        if key in out:
            raise InputError(source, f"{label}: attested twice")
        attested = _date(entry.get("date"), source, label, "date")
        expires = _date(entry.get("expires"), source, label, "expires")
        if expires is None and attested is not None:
            expires = attested + DEFAULT_VALIDITY
        if attested and expires and expires < attested:
            raise InputError(source, f"{label}: expires {expires.isoformat()} before its date {attested.isoformat()}")
        out[key] = Attestation(
            key=key,
            status=entry["status"],
            owner=entry.get("owner") or "",
            date=attested,
            expires=expires,
            evidence=tuple(entry.get("evidence") or ()),
            notes=entry.get("notes") or "",
        )
    return Attestations(source, hashlib.sha256(raw).hexdigest(), out)


def _date(text: str | None, source: str, label: str, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(source, f"{label}: {field} {text!r} is not a date") from None


def attestation_template(catalogue: Catalogue, organization: str = "") -> str:
    """The file ``hipaa-scan attest init`` writes: every specification and
    checklist item that needs an attestation, not yet attested, with the
    catalogue's guidance on what evidence to record. Valid as it stands."""
    lines = [
        "# hipaa-scan attestations: what no Azure API can show.",
        "# For each entry set status (met, partially_met, not_met, not_applicable), and for",
        "# anything but not_met: owner, date (YYYY-MM-DD), evidence (links or document",
        "# references) and, optionally, expires (default: one year after date) and notes.",
        "# Pass it to a scan with --attestations FILE. Schema: hipaa_scan/schemas/attestations.schema.json",
        f"organization: {_quote(organization)}",
        "attestations:",
    ]
    for control in catalogue.controls:
        if control.evidence is Evidence.AUTOMATED:
            continue
        lines += _entry(
            "specification", control.citation, f"{control.name} ({control.designation})", control.attestation_guidance
        )
    for key, guidance in attestable_items().items():
        lines += _entry("item", key, "", guidance)
    return "\n".join(lines) + "\n"


def _entry(field: str, key: str, title: str, guidance: str) -> list[str]:
    out = [f"  - {field}: {_quote(key)}"]
    if title:
        out.append(f"    # {title}")
    out += [
        f"    guidance: {_quote(guidance)}",
        "    status: not_met",
        "    owner: null",
        "    date: null",
        "    expires: null",
        "    evidence: []",
        "    notes: null",
    ]
    return out


def _quote(text: str) -> str:
    # JSON strings are valid YAML scalars, with every character escaped.
    return json.dumps(text, ensure_ascii=False)
