"""The HIPAA Security Rule catalogue: every standard and implementation
specification of 45 CFR 164.308, .310, .312, .314 and .316.

Loaded once from package data; rules cite entries by their citation string and
the registry rejects any citation that is not here.
"""

from __future__ import annotations

import enum
import functools
import json
from dataclasses import dataclass
from importlib import resources

SAFEGUARDS: dict[str, str] = {
    "164.308": "Administrative safeguards",
    "164.310": "Physical safeguards",
    "164.312": "Technical safeguards",
    "164.314": "Organizational requirements",
    "164.316": "Policies, procedures and documentation",
}

ECFR_BASE = "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C/section-"


class Evidence(enum.StrEnum):
    """How a specification can be evidenced."""

    AUTOMATED = "automated"  # Azure configuration can show it
    HYBRID = "hybrid"  # rules support it, an attestation completes it
    ATTESTATION = "attestation"  # only a recorded attestation can


@dataclass(frozen=True, slots=True)
class Control:
    citation: str
    id: str
    section: str
    kind: str  # "standard" or "implementation_specification"
    name: str
    designation: str  # "Required" or "Addressable"
    summary: str
    parent: str | None
    evidence: Evidence
    attestation_guidance: str

    @property
    def safeguard(self) -> str:
        return SAFEGUARDS[self.section]

    @property
    def designation_code(self) -> str:
        return self.designation[:1]

    @property
    def url(self) -> str:
        return ECFR_BASE + self.section


@dataclass(frozen=True)
class Catalogue:
    controls: tuple[Control, ...]

    @functools.cached_property
    def by_citation(self) -> dict[str, Control]:
        return {c.citation: c for c in self.controls}

    def __contains__(self, citation: object) -> bool:
        return citation in self.by_citation

    def descendants(self, citation: str) -> tuple[str, ...]:
        """The citation itself and every specification under it."""
        out = [citation]
        for control in self.controls:
            if control.parent == citation:
                out.extend(self.descendants(control.citation))
        return tuple(out)


def _read_data(name: str) -> object:
    text = resources.files("hipaa_scan").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


@functools.cache
def load_catalogue() -> Catalogue:
    rule_text = _read_data("hipaa-security-rule.json")
    attest = _read_data("attestations.json")
    assert isinstance(rule_text, dict) and isinstance(attest, dict)
    controls = []
    for item in rule_text["items"]:
        marker = attest.get(item["citation"], {})
        controls.append(
            Control(
                citation=item["citation"],
                id=item["id"],
                section=item["section"],
                kind=item["kind"],
                name=item["name"],
                designation=item["designation"],
                summary=item["summary"],
                parent=item.get("parent"),
                evidence=Evidence(marker.get("kind", Evidence.AUTOMATED)),
                attestation_guidance=marker.get("evidence", ""),
            )
        )
    return Catalogue(tuple(controls))


@dataclass(frozen=True, slots=True)
class ArchitectureItem:
    """One row of the reference architecture's implementation checklist."""

    id: str
    list: int
    title: str
    evidence: str  # automated, automated_graph, partial or attestation
    # Every group must pass; a group of several rules passes when one does.
    required: tuple[tuple[str, ...], ...]
    supporting: tuple[str, ...]
    citations: tuple[str, ...]
    attestation_guidance: str  # empty when checks alone decide the item


@dataclass(frozen=True, slots=True)
class ReadinessItem:
    """One requirement of a readiness profile (the 2025 proposed rule)."""

    id: str
    title: str
    kind: str  # rules, citations, addressable or attestation
    required: tuple[str, ...]  # rule ids, or citations for kind "citations"
    supporting: tuple[str, ...]
    description: str
    needs_attestation: bool


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    note: str
    items: tuple[ReadinessItem, ...]


IN_FORCE_PROFILE = "hipaa"
PROFILE_FILES = {"hipaa-nprm-2025": "nprm-2025.json"}
PROFILES = (IN_FORCE_PROFILE, *PROFILE_FILES)


@functools.cache
def load_architecture() -> tuple[str, tuple[ArchitectureItem, ...]]:
    """The checklist's source and its items (hipaa_scan/data/architecture-checklist.json)."""
    data = _read_data("architecture-checklist.json")
    assert isinstance(data, dict)
    items = tuple(
        ArchitectureItem(
            id=i["id"],
            list=i["list"],
            title=i["title"],
            evidence=i["evidence"],
            required=tuple(tuple(group) for group in i["required"]),
            supporting=tuple(i["supporting"]),
            citations=tuple(i["citations"]),
            attestation_guidance=i["attestation"],
        )
        for i in data["items"]
    )
    return data["source"], items


@functools.cache
def load_profile(profile_id: str) -> Profile | None:
    """A readiness profile, or None for the rule in force."""
    if profile_id == IN_FORCE_PROFILE:
        return None
    data = _read_data(PROFILE_FILES[profile_id])
    assert isinstance(data, dict)
    items = tuple(
        ReadinessItem(
            id=i["id"],
            title=i["title"],
            kind=i["kind"],
            required=tuple(i["required"]),
            supporting=tuple(i["supporting"]),
            description=i["description"],
            needs_attestation=i["attestation"],
        )
        for i in data["items"]
    )
    return Profile(data["id"], data["title"], data["note"], items)


def attestable_items() -> dict[str, str]:
    """Checklist and readiness items an attestation may name, with the
    guidance for each: architecture items that need one, and every readiness
    item that does (in any profile)."""
    out = {a.id: a.attestation_guidance for a in load_architecture()[1] if a.attestation_guidance}
    for profile_id in PROFILE_FILES:
        profile = load_profile(profile_id)
        assert profile is not None
        out.update({i.id: i.description for i in profile.items if i.needs_attestation})
    return out
