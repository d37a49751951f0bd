"""One read-only view of a scan's results for the formats that derive from
the JSON report (SARIF, JUnit, Markdown, CSV).

It is built either from the in-memory report document of a scan that just
ran, or from a JSON report file read back (`hipaa-scan report`), and both give
the same view, so a format renders the same bytes either way.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hipaa_scan.errors import InputError
from hipaa_scan.model import Finding, Resource
from hipaa_scan.reporting.json_report import read_findings, readable_schema
from hipaa_scan.scoring import ItemStatus

# The order every format lists checklist statuses in: decided, then undecided, then out of scope.
ITEM_STATUSES = (
    ItemStatus.MET,
    ItemStatus.PARTIALLY_MET,
    ItemStatus.NOT_MET,
    ItemStatus.NOT_ASSESSED,
    ItemStatus.NEEDS_ATTESTATION,
    ItemStatus.NO_RESOURCES,
    ItemStatus.NOT_APPLICABLE,
)


@dataclass(frozen=True)
class ReportView:
    """``manifest`` and ``checklist`` as in the JSON report; ``findings`` one
    flat mapping per finding (rule_id, resource_id, resource_type,
    subscription_id, status, path, observed, expected, message), in the
    report's order (rule id, then resource id); ``sources`` the input file each
    resource came from, where the report says.

    ``architecture`` and ``readiness`` are the report's sections of those
    names (the reference architecture's checklist; a proposed rule's
    readiness view, with ``--profile``), None where the report has none (a
    report written before they existed has neither). ``phi_resources`` holds
    the lower-cased ids of the report's resources that are in the PHI scope:
    those whose row in the JSON report's resource table says ``"phi": true``."""

    manifest: Mapping[str, Any]
    checklist: Mapping[str, Any]
    findings: Sequence[Mapping[str, Any]]
    sources: Mapping[str, str] = field(default_factory=dict)
    architecture: Mapping[str, Any] | None = None
    readiness: Mapping[str, Any] | None = None
    phi_resources: frozenset[str] = frozenset()

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> ReportView:
        """The view of a scan that just ran (commands.scan's document)."""
        findings: Sequence[Finding] = document["findings"]
        flat = [{**f._asdict(), "status": str(f.status)} for f in findings]
        resources: Sequence[Resource] = document.get("resources") or ()
        # The document's PHI scope covers the whole snapshot; the JSON report
        # flags only the resources of its table, so the view holds only those.
        phi: frozenset[str] = document.get("phi_resources") or frozenset()
        return cls(
            document["manifest"],
            document["checklist"],
            flat,
            {r.id: r.source for r in resources},
            architecture=document.get("architecture"),
            readiness=document.get("readiness"),
            phi_resources=frozenset(r.key for r in resources if r.key in phi) if phi else frozenset(),
        )

    @classmethod
    def from_report(cls, report: Mapping[str, Any], source: str) -> ReportView:
        """The view of a parsed JSON report; ``source`` names the file in errors."""
        version = report.get("schema_version") if isinstance(report, Mapping) else None
        if not readable_schema(version):
            raise InputError(source, f"not a hipaa-scan JSON report of schema 2.x (schema_version {version!r})")
        try:
            flat = list(read_findings(report))
            sources = {r["id"]: r["source"] for r in report["resources"] if "source" in r}
            phi = frozenset(r["id"].lower() for r in report["resources"] if r.get("phi"))
            return cls(
                report["manifest"],
                report["checklist"],
                flat,
                sources,
                architecture=report.get("architecture"),
                readiness=report.get("readiness"),
                phi_resources=phi,
            )
        except (KeyError, IndexError, TypeError) as exc:
            raise InputError(source, f"malformed JSON report ({type(exc).__name__}: {exc})") from None

    # -- derived, for every format --------------------------------------------
    @functools.cached_property
    def rules(self) -> dict[str, Mapping[str, Any]]:
        """Rule metadata by id (title, severity, citations, rationale, remediation, counts)."""
        return {r["rule_id"]: r for r in self.checklist["rules"]}

    @property
    def phi_weighted(self) -> Mapping[str, Any] | None:
        """The PHI-weighted scores (checklist.phi_weighted), when a PHI scope was configured."""
        weighted: Mapping[str, Any] | None = self.checklist.get("phi_weighted")
        return weighted

    @functools.cached_property
    def attestations(self) -> AttestationSummary:
        """What the attestations file did: every attested entry the report shows, and what still needs one."""
        return AttestationSummary.of(self.manifest, self.checklist, self.architecture, self.readiness)


@dataclass(frozen=True)
class AttestationSummary:
    """The attestations a report shows, counted for a summary line.

    ``attested`` maps each key the report shows an attestation for (a
    citation or a checklist item id) to its state (valid, expired,
    not_yet_valid); ``needed`` counts, per list (specifications, architecture,
    readiness), the entries still waiting for one (status needs_attestation).
    ``file`` is manifest.attestations: path, sha256 and entries, or None."""

    file: Mapping[str, Any] | None
    attested: Mapping[str, str]
    needed: Mapping[str, int]

    @classmethod
    def of(
        cls,
        manifest: Mapping[str, Any],
        checklist: Mapping[str, Any],
        architecture: Mapping[str, Any] | None,
        readiness: Mapping[str, Any] | None,
    ) -> AttestationSummary:
        lists = {
            "specifications": [(i["citation"], i) for i in checklist["items"]],
            "architecture": [(i["id"], i) for i in (architecture or {}).get("items", ())],
            "readiness": [(i["id"], i) for i in (readiness or {}).get("items", ())],
        }
        attested: dict[str, str] = {}
        needed: dict[str, int] = {}
        for name, items in lists.items():
            needed[name] = sum(1 for _, i in items if i["status"] == ItemStatus.NEEDS_ATTESTATION)
            for key, item in items:
                if record := item.get("attestation"):
                    attested[key] = record["state"]
        return cls(manifest.get("attestations"), attested, needed)

    @property
    def states(self) -> Counter[str]:
        return Counter(self.attested.values())

    def in_state(self, state: str) -> list[str]:
        """The keys attested in ``state``, in the report's order."""
        return [key for key, s in self.attested.items() if s == state]


def status_counts(items: Iterable[Mapping[str, Any]]) -> list[tuple[ItemStatus, int]]:
    """(status, how many items have it) in ITEM_STATUSES order, statuses no item has left out."""
    counts = Counter(ItemStatus(i["status"]) for i in items)
    return [(s, counts[s]) for s in ITEM_STATUSES if counts[s]]


def status_label(status: str) -> str:
    """A status as words: partially_met -> "partially met"."""
    return status.replace("_", " ")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def group_label(rules: Sequence[str]) -> str:
    """A required group of alternative rules, any of which passing is enough: "KV-04 or KV-05"."""
    return " or ".join(rules)
