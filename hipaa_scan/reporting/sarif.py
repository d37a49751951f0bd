"""SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``)
and any other SARIF viewer.

A scan's results become alerts beside the code that declares the estate: each
result names the Azure resource id as a logical location and the input file
it came from as the physical location, on the line the resource is declared
on when the caller could find it (``find_lines``, for ARM templates). Every
rule of the pack is listed, whether or not it has results, so the rule
metadata never depends on what happened to fire.

Rendered from a ReportView, so a scan and a re-render of its JSON report give
the same bytes, and nothing here reads a clock or a file: the only time in
the output is the scan's own.

What GitHub documents and this module respects (SARIF support for code
scanning; SARIF results exceed limits):

- at most 25,000 results per run (``MAX_RESULTS``);
- at most 20 tags per rule, only 10 shown (``MAX_TAGS``);
- ``shortDescription`` and ``fullDescription`` at most 1,024 characters,
  ``name`` at most 255;
- ``properties.security-severity`` is read on rules only: over 9.0 is
  critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low;
- of ``partialFingerprints`` only ``primaryLocationLineHash`` is used;
- every result needs a physical location with a start line.

SARIF results are per rule and location, and the checklists judged from
them are not: the reference architecture's checklist, a proposed rule's
readiness view, the PHI-weighted scores and the attestations file are in the
run's property bag (``runs[0].properties``, keys ``hipaaScan/...``), each as
the JSON report states it, where GitHub ignores them and other tools can read
them. A result on a resource in the PHI scope says so (``properties.phi``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import orjson

from hipaa_scan.model import Severity, Status
from hipaa_scan.reporting.view import ReportView, clip

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"

# GitHub rejects a run with more results. A bigger scan keeps the most severe
# (see _cap) and records in run.properties how many it left out, so a cut
# file says it is partial; the JSON report has every finding.
MAX_RESULTS = 25_000
# GitHub rejects more than 20 tags per rule and shows only 10.
MAX_TAGS = 10
MAX_NAME = 255
MAX_DESCRIPTION = 1024
# An observed value is evidence, but a whole NSG rule list in every alert
# would push a big estate past GitHub's 10 MB (gzip-compressed) upload limit;
# the JSON report keeps it whole.
MAX_OBSERVED = 1000

# GitHub's bands for security-severity, each value well inside its band.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}

# The statuses that become results, and their SARIF kind. pass and
# not_applicable are not emitted: code scanning ignores ``kind`` and would
# open an alert for each of them.
#
# unknown and error are never compliant in this product, so reviewers must
# see them, but they are not confirmed failures either. SARIF has a kind for
# each: "open" is "the rule was evaluated, and the tool concluded that there
# was insufficient information to decide whether a problem exists" (unknown:
# the evidence was not in the input); "review" is "requires review by a human
# user to decide if it represents a problem" (error: the rule itself failed).
# SARIF (3.27.10) requires level "none" for any kind other than "fail", so a
# note or warning level would make the file non-conformant, and the SARIF
# TC's guidance is that viewers show open and review results as warnings
# anyway. GitHub does not read kind (it is not in its supported subset) and,
# for a rule with a security-severity, shows that rule-wide severity whatever
# the level: an undecided critical control is a critical alert until someone
# looks, which is what "never compliant" means. The message says it is
# undecided, not failed.
KINDS = {Status.FAIL: "fail", Status.UNKNOWN: "open", Status.ERROR: "review", Status.WAIVED: "fail"}
_KIND_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.UNKNOWN: 2, Status.WAIVED: 3}

# Rules compare settings the input states; they are as precise as the input.
PRECISION = "high"

_SRCROOT = "%SRCROOT%"
# A semantic version (semver.org 2.0.0), the only form semanticVersion takes.
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
    r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:[\\/]")
# Characters that CommonMark or GitHub would read as markup in rule texts
# (``<app>`` in a remediation would vanish as an HTML tag).
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~&])")


def render_sarif(view: ReportView, *, lines: Mapping[str, int] | None = None) -> bytes:
    """The SARIF log of ``view`` as bytes. ``lines`` maps a resource id to
    the 1-based line its input file declares it on (others are on line 1)."""
    rules = sorted(view.checklist["rules"], key=lambda r: str(r["rule_id"]))
    index = {r["rule_id"]: n for n, r in enumerate(rules)}
    severities = {r["rule_id"]: Severity(r["severity"]) for r in rules}
    artifacts = _Artifacts(view.manifest["inputs"], view.sources, lines or {})
    reported = [f for f in view.findings if f["status"] in KINDS]
    kept = _cap(reported, severities)
    phi = view.phi_resources
    results = [_result(f, rules[index[f["rule_id"]]], index[f["rule_id"]], artifacts, phi) for f in kept]
    run: dict[str, Any] = {
        "tool": {"driver": _driver(view, rules)},
        "automationDetails": {"id": f"hipaa-scan/{view.manifest['scanned_at']}"},
        "invocations": [_invocation(view.manifest)],
    }
    if artifacts.relative:
        run["originalUriBaseIds"] = {
            _SRCROOT: {"description": {"text": "The directory hipaa-scan ran in; relative input paths start there."}}
        }
    run["artifacts"] = artifacts.entries
    run["results"] = results
    run["properties"] = {
        "rulePack": {k: view.manifest["rule_pack"][k] for k in ("version", "sha256")},
        "collectedAt": view.manifest.get("collected_at"),
        "resultLimit": MAX_RESULTS,
        "resultsLeftOut": len(reported) - len(kept),
        **checklist_properties(view),
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return orjson.dumps(log, option=orjson.OPT_INDENT_2) + b"\n"


def checklist_properties(view: ReportView) -> dict[str, Any]:
    """What the run's property bag carries beyond the results, each as the
    JSON report states it (null where the report has none): the profile the
    scan was judged under, the reference architecture's checklist
    (``architecture``), the readiness view (``readiness``, with --profile),
    the PHI-weighted scores (``checklist.phi_weighted``, with a PHI scope) and
    the attestations file (``manifest.attestations``). The ``hipaaScan/``
    prefix keeps them apart from any property a viewer gives a meaning to."""
    return {
        "hipaaScan/profile": view.manifest.get("profile"),
        "hipaaScan/architecture": view.architecture,
        "hipaaScan/readiness": view.readiness,
        "hipaaScan/phiWeighted": view.phi_weighted,
        "hipaaScan/attestations": view.manifest.get("attestations"),
    }


# -- rules ----------------------------------------------------------------------
def _driver(view: ReportView, rules: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    version = str(view.manifest["tool"]["version"])
    driver: dict[str, Any] = {"name": "hipaa-scan", "version": version}
    if _SEMVER.fullmatch(version):
        driver["semanticVersion"] = version
    items = {i["citation"]: i for i in view.checklist["items"]}
    driver["rules"] = [_rule(r, items) for r in rules]
    return driver


def _rule(rule: Mapping[str, Any], items: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    severity = Severity(rule["severity"])
    citations = list(rule["citations"])
    title = rule["title"] or rule["rule_id"]
    tags = ["security", "hipaa", *(f"HIPAA-{c}" for c in citations)][:MAX_TAGS]
    return {
        "id": rule["rule_id"],
        "name": _identifier(title)[:MAX_NAME] or rule["rule_id"],
        "shortDescription": {"text": clip(title, MAX_DESCRIPTION)},
        "fullDescription": {"text": clip(rule["rationale"] or title, MAX_DESCRIPTION)},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "help": {"text": _help_text(rule, citations, items), "markdown": _help_markdown(rule, citations, items)},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": PRECISION,
            "severity": severity.value,
            "citations": citations,
            "resourceTypes": list(rule["resource_types"]),
        },
    }


def _help_text(rule: Mapping[str, Any], citations: Sequence[str], items: Mapping[str, Mapping[str, Any]]) -> str:
    parts = [rule["rationale"], f"Remediation: {rule['remediation']}", "HIPAA Security Rule (45 CFR Part 164):"]
    text = "\n\n".join(p for p in parts if p)
    for c in citations:
        item = items.get(c, {})
        line = " ".join(p for p in (f"§{c}", item.get("name"), f"({item['url']})" if item.get("url") else "") if p)
        text += f"\n- {line}"
    return text


def _help_markdown(rule: Mapping[str, Any], citations: Sequence[str], items: Mapping[str, Mapping[str, Any]]) -> str:
    parts = [
        _md(rule["rationale"]),
        f"**Remediation:** {_md(rule['remediation'])}",
        "**HIPAA Security Rule (45 CFR Part 164)**",
    ]
    text = "\n\n".join(p for p in parts if p) + "\n"
    for c in citations:
        item = items.get(c, {})
        label = _md(" ".join(p for p in (f"§{c}", item.get("name")) if p))
        url = item.get("url")
        # Parentheses and spaces would end the link destination early.
        link = f"[{label}]({quote(url, safe=':/?#=&%-._~')})" if url else label
        text += f"\n- {link}"
    return text


def _md(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _identifier(title: str) -> str:
    """A rule name as SARIF means it, an identifier a person can read:
    "App Service / Function app HTTPS only" -> "AppServiceFunctionAppHTTPSOnly"."""
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", title))


# -- results --------------------------------------------------------------------
def _cap(reported: Sequence[Mapping[str, Any]], severities: Mapping[str, Severity]) -> list[Mapping[str, Any]]:
    """At most MAX_RESULTS, in the report's order (rule id, resource id).
    Over the limit, the most severe are kept: by rule severity, then confirmed
    failures before errors before unknowns, then rule id and resource id."""
    if len(reported) <= MAX_RESULTS:
        return list(reported)

    def priority(n: int) -> tuple[int, int, str, str]:
        f = reported[n]
        return (
            -severities[f["rule_id"]].rank,
            _KIND_ORDER[Status(f["status"])],
            f["rule_id"],
            f["resource_id"].lower(),
        )

    kept = sorted(sorted(range(len(reported)), key=priority)[:MAX_RESULTS])
    return [reported[n] for n in kept]


def _result(
    finding: Mapping[str, Any],
    rule: Mapping[str, Any],
    rule_index: int,
    artifacts: _Artifacts,
    phi: frozenset[str],
) -> dict[str, Any]:
    status = Status(finding["status"])
    rule_id, resource_id = finding["rule_id"], finding["resource_id"]
    name = resource_id.rstrip("/").rsplit("/", 1)[-1] or resource_id
    observed = _observed(finding["observed"])
    location: dict[str, Any] = {}
    physical = artifacts.physical_location(resource_id)
    if physical is not None:
        location["physicalLocation"] = physical
    location["logicalLocations"] = [{"name": name, "fullyQualifiedName": resource_id, "kind": "resource"}]
    fingerprint = hashlib.sha256(f"{rule_id}\0{resource_id.lower()}".encode()).hexdigest()
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "kind": KINDS[status],
        "level": LEVELS[Severity(rule["severity"])] if KINDS[status] == "fail" else "none",
        "message": {"text": _message(finding, status, name, observed)},
        "locations": [location],
        # A waived finding is a failure someone accepted: SARIF's suppression,
        # which code scanning shows as a dismissed alert, with the waiver.
        **(
            {"suppressions": [{"kind": "external", "status": "accepted", "justification": finding["message"]}]}
            if status is Status.WAIVED
            else {}
        ),
        "partialFingerprints": {
            # The only key GitHub reads. upload-sarif would otherwise hash the
            # text of the result's line, which for a snapshot is line 1 for
            # every resource: all of a rule's results would merge into one
            # alert. An alert is about a rule and a resource, wherever its line.
            "primaryLocationLineHash": f"{fingerprint[:16]}:1",
            # The same identity under a name that says what it is, for other
            # SARIF consumers' result matching.
            "ruleResource/v1": fingerprint,
        },
        "properties": {
            "status": status.value,
            "resourceType": finding["resource_type"],
            "subscription": finding["subscription_id"],
            "path": finding["path"],
            "observed": observed,
            "expected": finding["expected"],
            # Only where true: without a PHI scope the results stay as they were.
            **({"phi": True} if resource_id.lower() in phi else {}),
        },
    }


def _message(finding: Mapping[str, Any], status: Status, name: str, observed: str) -> str:
    # The first sentence is the alert's title where space is short, so it
    # names the rule, the resource and the verdict, and nothing that might
    # hold a full stop.
    rule_id = finding["rule_id"]
    match status:
        case Status.FAIL:
            head = f"{rule_id} fails on {name}"
        case Status.UNKNOWN:
            head = f"{rule_id} is undecided on {name} (unknown, never counted as compliant)"
        case Status.WAIVED:
            head = f"{rule_id} fails on {name}, waived"
        case _:
            head = f"{rule_id} raised an error on {name} (never counted as compliant)"
    text = f"{head}: observed {observed} at {finding['path']}, expected {finding['expected']}."
    if note := finding["message"].strip().rstrip("."):
        text += f" {note}."
    return f"{text} Resource: {finding['resource_id']}"


def _observed(value: Any) -> str:
    """The observed value as JSON, cut to MAX_OBSERVED characters. orjson, as
    the JSON report writes it, so a value the engine holds as an object (an
    unresolved template expression) reads the same as in the report."""
    return clip(orjson.dumps(value).decode(), MAX_OBSERVED)


# -- artifacts and locations ----------------------------------------------------
class _Artifacts:
    """The input files as SARIF artifacts, and where each resource lives."""

    def __init__(self, inputs: Iterable[Mapping[str, Any]], sources: Mapping[str, str], lines: Mapping[str, int]):
        self.entries: list[dict[str, Any]] = []
        self.relative = False
        self._index: dict[str, int] = {}
        self._locations: dict[str, dict[str, str]] = {}
        # A resource derived from others' ids or from Microsoft Graph has a
        # source in parentheses, not a file; it is placed on the first input
        # that is not an ARM parameters file (which declares no resources).
        self._fallback: str | None = None
        for n, entry in enumerate(inputs):
            path = entry["path"]
            self._index.setdefault(path, n)
            if self._fallback is None and entry.get("format") != "arm-parameters":
                self._fallback = path
            artifact: dict[str, Any] = {"location": self._location(path), "roles": ["analysisTarget"]}
            if entry.get("bytes") is not None:
                artifact["length"] = entry["bytes"]
            artifact["hashes"] = {"sha-256": entry["sha256"]}
            artifact["properties"] = {"format": entry.get("format"), "semantics": entry.get("semantics")}
            self.entries.append(artifact)
        if self._fallback is None and self._index:
            self._fallback = next(iter(self._index))
        # Findings may spell an id otherwise than its resource does (ARM ids
        # are case-insensitive): exact first, then lower-cased.
        self._sources = dict(sources)
        self._sources_lower = {k.lower(): v for k, v in sources.items()}
        self._lines = dict(lines)
        self._lines_lower = {k.lower(): v for k, v in lines.items()}

    def _location(self, path: str) -> dict[str, str]:
        if path not in self._locations:
            self._locations[path] = artifact_location(path)
            self.relative = self.relative or "uriBaseId" in self._locations[path]
        return self._locations[path]

    def physical_location(self, resource_id: str) -> dict[str, Any] | None:
        source = self._sources.get(resource_id) or self._sources_lower.get(resource_id.lower())
        if not source or source.startswith("(") or source not in self._index:
            source = self._fallback
        if source is None:  # no input at all: only the logical location is known
            return None
        line = self._lines.get(resource_id) or self._lines_lower.get(resource_id.lower()) or 1
        return {
            "artifactLocation": {**self._location(source), "index": self._index[source]},
            "region": {"startLine": max(1, int(line))},
        }


def artifact_location(path: str) -> dict[str, str]:
    """A file path as a SARIF artifact location. A relative path (how CI
    passes inputs) is relative to %SRCROOT%, which GitHub reads as the root of
    the repository; an absolute one becomes a file: URI, which GitHub makes
    relative to the checkout. Written with forward slashes either way, so the
    URI is the same whichever system rendered it."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return {"uri": "file://" + quote(posix, safe="/")}
    if _WINDOWS_ABSOLUTE.match(path):
        return {"uri": "file:///" + quote(posix, safe="/:")}
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": _SRCROOT}


def _invocation(manifest: Mapping[str, Any]) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True, "startTimeUtc": manifest["scanned_at"]}
    # What the collector could not read: rules depending on it are unknown.
    gaps = manifest.get("coverage_gaps") or ()
    if gaps:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {"text": f"Not collected: {g['api']} at {g['scope']} (HTTP {g['status']}): {g['message']}"},
                "properties": {"scope": g["scope"], "api": g["api"], "status": g["status"]},
            }
            for g in gaps
        ]
    return invocation


# -- template lines -------------------------------------------------------------
# A "name" property and its string value, however spaced (JSON escapes kept).
_NAME_PROPERTY = re.compile(r'"name"\s*:\s*"((?:[^"\\]|\\.)*)"', re.IGNORECASE)
# A parameter declared with a string default, its declaration written without
# nested objects: "vmName": {"type": "string", "defaultValue": "simpleLinuxVM"}.
_PARAMETER_DEFAULT = re.compile(r'"(\w+)"\s*:\s*\{[^{}]*?"defaultValue"\s*:\s*"((?:[^"\\]|\\.)*)"', re.IGNORECASE)
# A name the template loader could not resolve: "{nsgName}" for
# "[parameters('nsgName')]" without a default.
_SYMBOL = re.compile(r"\{(\w+)\}")


def find_lines(text: str, names: Mapping[str, str]) -> dict[str, int]:
    """The 1-based line of each resource's ``"name"`` in an ARM template's
    text, for ``names`` mapping resource id to resource name. A best effort
    locator, no JSON parsing: the first ``"name"`` property (of anything, so
    an unlucky sku name can win) whose value

    - is the name, or ends with ``/name`` (a child declared at the top level
      as ``"parent/child"``), compared case-insensitively as ARM does;
    - for a name given as ``parent/child``, is that, or failing that the
      child's own name as above;
    - is an expression quoting the name as a literal (``'child'`` or
      ``'/child'`` in ``[format('{0}/{1}', parameters('p'), 'child')]``), or
      reading ``parameters('p')`` where the name is the loader's symbol for a
      parameter without a value (``{p}``) or ``p``'s default value.

    A resource whose name is found nowhere is absent from the result."""
    literal: dict[str, int] = {}  # whole value -> first line
    tails: dict[str, int] = {}  # the value's last "/" segment -> first line
    expressions: list[tuple[int, str]] = []
    line, position = 1, 0
    for match in _NAME_PROPERTY.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        value = _json_string(match.group(1)).casefold()
        if value.startswith("[") and not value.startswith("[["):
            expressions.append((line, value))
            continue
        value = value.removeprefix("[")  # "[[" escapes a literal "["
        literal.setdefault(value, line)
        tails.setdefault(value.rsplit("/", 1)[-1], line)
    defaults: dict[str, list[str]] = {}  # default value -> parameters
    if expressions:
        for match in _PARAMETER_DEFAULT.finditer(text):
            defaults.setdefault(_json_string(match.group(2)).casefold(), []).append(match.group(1).casefold())
    found: dict[str, int] = {}
    for resource_id, name in names.items():
        key = name.casefold()
        forms = [key, key.rsplit("/", 1)[-1]] if "/" in key else [key]
        for form in forms:
            hits = [
                literal.get(form),
                None if "/" in form else tails.get(form),
                _in_expressions(form, defaults.get(form, ()), expressions),
            ]
            if lines_found := [h for h in hits if h is not None]:
                found[resource_id] = min(lines_found)
                break
    return found


def _in_expressions(name: str, parameters: Iterable[str], expressions: Sequence[tuple[int, str]]) -> int | None:
    if not name:
        return None
    symbol = _SYMBOL.fullmatch(name)
    if symbol:
        needles = [f"parameters('{symbol.group(1)}')"]
    else:
        needles = [f"'{name}'", f"/{name}'", *(f"parameters('{p}')" for p in parameters)]
    return next((line for line, value in expressions if any(n in value for n in needles)), None)


def _json_string(raw: str) -> str:
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw
