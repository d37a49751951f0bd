"""JUnit XML for the test tabs of CI systems: Azure DevOps (PublishTestResults@2,
format JUnit) and GitLab (``artifacts:reports:junit``).

Each rule is a ``<testsuite>`` and each finding a ``<testcase>`` whose
classname is the rule id and whose name is the resource id, so a CI tab lists
every resource each rule looked at. Statuses map as follows:

- pass: a test case with no child (passed in both CIs);
- fail: ``<failure type="SEVERITY">``;
- unknown: ``<error type="unknown">`` (see ``_outcome`` for why);
- error: ``<error type="error">``;
- not_applicable: ``<skipped>`` (Azure DevOps "Not executed").

Both CIs read a ``<failure>``'s or ``<error>``'s text as the details of a red
test (Azure DevOps calls it the stack trace; GitLab shows it and ignores the
message attribute), so the text carries everything needed to act: resource,
observed and expected values, path, citations and the rule's remediation
(and, with a PHI scope, whether the resource is in it).

After the rule suites come the checklists that are judged from the same
results: a ``reference-architecture`` suite with one test case per item of
the reference architecture's implementation checklist, and, with
``--profile``, a ``readiness-PROFILE`` suite with one per requirement of the
proposed rule. Their statuses map as follows:

- met, no_resources_in_scope, not_applicable: a test case with no child;
- not_met, partially_met: ``<failure type="not_met">`` (or ``partially_met``);
- not_assessed: ``<error type="not_assessed">`` (never met, as unknown is
  never pass);
- needs_attestation: ``<skipped>``, its message saying what to attest: no
  scan can decide it, and the attestations file can.

The root's totals count every suite, the checklists included.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, assert_never

from hipaa_scan.model import Status
from hipaa_scan.reporting.view import ReportView, clip, group_label, status_label
from hipaa_scan.scoring import ItemStatus

# Characters XML 1.0 forbids anywhere in a document (C0 controls other than
# tab, newline and carriage return; lone surrogates; U+FFFE and U+FFFF).
# Escaping cannot help: a parser rejects even ``&#1;``. They are replaced with
# U+FFFD, so a hostile resource name stays visibly altered instead of
# silently shortened.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Azure DevOps stores "classname.name" as the automated test name, at most 512
# characters; GitLab keeps only the first of two test cases with the same
# classname and name. A longer name is cut and given a digest of the whole id,
# so it stays unique.
_TEST_NAME_LIMIT = 512
_DIGEST = 12

# The message attribute is a one-line summary; the full observed value is in
# the element's text.
_MESSAGE_OBSERVED = 200

# The suite of the reference architecture's checklist, also its test cases' classname.
ARCHITECTURE_SUITE = "reference-architecture"

# Which totals attribute each status counts towards.
_TOTALS = {
    Status.FAIL: "failures",
    Status.UNKNOWN: "errors",
    Status.ERROR: "errors",
    Status.NOT_APPLICABLE: "skipped",
    Status.WAIVED: "skipped",
}


def render_junit(view: ReportView) -> bytes:
    """The scan as JUnit XML (UTF-8). Deterministic: the timestamp is the
    scan's ``scanned_at`` and every time is 0, since rules are not timed."""
    rules = view.rules
    findings: dict[str, list[Mapping[str, Any]]] = {rule_id: [] for rule_id in rules}
    for finding in view.findings:
        findings[finding["rule_id"]].append(finding)
    timestamp = _xml_text(str(view.manifest["scanned_at"]))
    phi = view.phi_resources if view.phi_weighted is not None else None

    root = ET.Element("testsuites", _totals(view.findings, name="hipaa-scan", timestamp=timestamp))
    for rule_id, rule in rules.items():
        group = findings[rule_id]
        suite = ET.SubElement(
            root,
            "testsuite",
            _totals(group, name=_xml_text(f"{rule_id} {rule['title']}"), timestamp=timestamp),
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("severity", rule["severity"]),
            ("citations", ", ".join(rule["citations"])),
            ("remediation", rule["remediation"]),
        ):
            ET.SubElement(properties, "property", name=name, value=_xml_text(value))
        for finding in group:
            _testcase(suite, rule, finding, view.sources.get(finding["resource_id"], ""), phi)
    if view.architecture is not None:
        section = view.architecture
        cases = [(item, _architecture_details(item)) for item in section["items"]]
        _checklist_suite(root, ARCHITECTURE_SUITE, [("source", section["source"])], cases, timestamp)
    if view.readiness is not None:
        section = view.readiness
        cases = [(item, _readiness_details(item)) for item in section["items"]]
        about = [("profile", section["profile"]), ("title", section["title"]), ("note", section["note"])]
        _checklist_suite(root, f"readiness-{section['profile']}", about, cases, timestamp)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _totals(findings: Sequence[Mapping[str, Any]], *, name: str, timestamp: str) -> dict[str, str]:
    """A suite's attributes: its name, test counts, no time, the scan's timestamp."""
    counts = Counter(_TOTALS.get(Status(f["status"]), "passed") for f in findings)
    return {
        "name": name,
        "tests": str(len(findings)),
        "failures": str(counts["failures"]),
        "errors": str(counts["errors"]),
        "skipped": str(counts["skipped"]),
        "time": "0",
        "timestamp": timestamp,
    }


def _testcase(
    suite: ET.Element,
    rule: Mapping[str, Any],
    finding: Mapping[str, Any],
    source: str,
    phi: frozenset[str] | None,
) -> None:
    rule_id = _xml_text(rule["rule_id"])
    case = ET.SubElement(
        suite, "testcase", classname=rule_id, name=_test_name(rule_id, finding["resource_id"]), time="0"
    )
    outcome = _outcome(Status(finding["status"]), rule)
    if outcome is None:
        return
    tag, kind, headline = outcome
    observed = _json(finding["observed"])
    summary = f"observed {clip(observed, _MESSAGE_OBSERVED)} at {finding['path']}, expected {finding['expected']}"
    if finding["message"]:
        summary = f"{finding['message']}; {summary}"
    message = _xml_text(f"{headline}: {summary}")
    if tag == "skipped":
        ET.SubElement(case, tag, message=message)
        return
    lines = [
        f"{rule['rule_id']} {rule['title']} ({rule['severity']}): {finding['status']}",
        f"Resource: {finding['resource_id']}",
        f"Resource type: {finding['resource_type']}",
        f"Source: {source or '(not stated)'}",
        *([f"PHI scope: {'yes' if finding['resource_id'].lower() in phi else 'no'}"] if phi is not None else []),
        f"Path: {finding['path']}",
        f"Observed: {observed}",
        f"Expected: {finding['expected']}",
        f"Message: {finding['message'] or '-'}",
        f"Citations: {', '.join(rule['citations'])}",
        "",
    ]
    if tag == "failure":
        lines += ["Remediation:", rule["remediation"]]
    else:
        lines.append("Never counted as compliant: the evidence was not in the input, or the rule itself failed.")
    ET.SubElement(case, tag, message=message, type=kind).text = _xml_text("\n".join(lines) + "\n")


def _outcome(status: Status, rule: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The child element for a status: (tag, type, message headline), or None for a pass.

    Unknown is an ``<error>``, not a ``<skipped>`` and not a ``<failure>``. A
    skipped test reads as benign in both CIs (GitLab counts it apart from the
    red tests, Azure DevOps as "Not executed"), which would let evidence the
    scan never saw pass quietly. A failure would merge it with proven
    non-compliance, making the failure count larger than the report's fail
    count that ``--fail-on`` gates on. JUnit's error means "the test could not
    reach a verdict", which is what unknown is, and both CIs show an error as
    a failed test (Azure DevOps outcome Failed, GitLab status error).
    """
    match status:
        case Status.PASS:
            return None
        case Status.FAIL:
            return "failure", str(rule["severity"]), f"{rule['severity']} failure"
        case Status.UNKNOWN:
            return "error", "unknown", "unknown, never counted as compliant"
        case Status.ERROR:
            return "error", "error", "rule error"
        case Status.NOT_APPLICABLE:
            return "skipped", "", "not applicable"
        case Status.WAIVED:
            # An accepted risk: shown as skipped, with its waiver in the message.
            return "skipped", "waived", "waived"
        case _:
            assert_never(status)


# -- checklists -------------------------------------------------------------------
# A checklist item's details: (the message's one-line reason, the text's lines).
Details = tuple[str, list[str]]
# Which totals attribute each child element of a checklist test case counts towards.
_ITEM_TOTALS = {"failure": "failures", "error": "errors", "skipped": "skipped"}


def _checklist_suite(
    root: ET.Element,
    name: str,
    properties: Sequence[tuple[str, str]],
    cases: Sequence[tuple[Mapping[str, Any], Details]],
    timestamp: str,
) -> None:
    """One suite for a checklist, one test case per item, and its counts
    added to the root's totals."""
    outcomes = [_item_outcome(ItemStatus(item["status"])) for item, _ in cases]
    counts = Counter(_ITEM_TOTALS[o[0]] for o in outcomes if o)
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": _xml_text(name),
            "tests": str(len(cases)),
            "failures": str(counts["failures"]),
            "errors": str(counts["errors"]),
            "skipped": str(counts["skipped"]),
            "time": "0",
            "timestamp": timestamp,
        },
    )
    root.set("tests", str(int(root.get("tests", "0")) + len(cases)))
    for key in ("failures", "errors", "skipped"):
        root.set(key, str(int(root.get(key, "0")) + counts[key]))
    props = ET.SubElement(suite, "properties")
    for prop, value in properties:
        ET.SubElement(props, "property", name=prop, value=_xml_text(value))
    for (item, (reason, lines)), outcome in zip(cases, outcomes, strict=True):
        case = ET.SubElement(
            suite, "testcase", classname=_xml_text(name), name=_xml_text(f"{item['id']} {item['title']}"), time="0"
        )
        if outcome is None:
            continue
        tag, kind, headline = outcome
        message = _xml_text(f"{headline}: {reason}" if reason else headline)
        if tag == "skipped":
            ET.SubElement(case, tag, message=message)
            continue
        ET.SubElement(case, tag, message=message, type=kind).text = _xml_text("\n".join(lines) + "\n")


def _item_outcome(status: ItemStatus) -> tuple[str, str, str] | None:
    """The child element for a checklist item's status: (tag, type, message
    headline), or None for a pass. Not assessed is an error for the reason
    unknown is (see ``_outcome``); needing an attestation is a skip, which
    says that no scan decides it."""
    match status:
        case ItemStatus.MET | ItemStatus.NO_RESOURCES | ItemStatus.NOT_APPLICABLE:
            return None
        case ItemStatus.NOT_MET | ItemStatus.PARTIALLY_MET:
            return "failure", status.value, status_label(status.value)
        case ItemStatus.NOT_ASSESSED:
            return "error", status.value, "not assessed, never counted as met"
        case ItemStatus.NEEDS_ATTESTATION:
            return "skipped", status.value, "needs attestation"
        case _:
            assert_never(status)


def _architecture_details(item: Mapping[str, Any]) -> Details:
    required = item["required"]
    failing = [group_label(g["rules"]) for g in required if g["status"] == "fail"]
    unknown = [group_label(g["rules"]) for g in required if g["status"] in ("unknown", "not_implemented")]
    reason = "; ".join(
        part
        for part in (
            "failing " + ", ".join(failing) if failing else "",
            "unknown " + ", ".join(unknown) if unknown else "",
        )
        if part
    )
    if item["status"] == ItemStatus.NEEDS_ATTESTATION:
        reason = item["attestation_guidance"] or reason
    lines = [
        f"{item['id']} {item['title']}: {status_label(item['status'])}",
        f"Evidence: {item['evidence']}",
        f"Citations: {', '.join(item['citations'])}",
        "Required checks (a group of alternatives passes when one of its rules passes):",
        *(f"- {group_label(g['rules'])}: {_rule_result(g['status'])}" for g in required),
    ]
    if not required:
        lines.append("- none: decided by attestation")
    if item["supporting"]:
        lines.append("Supporting checks: " + ", ".join(f"{s['rule_id']} {s['status']}" for s in item["supporting"]))
    lines += _attestation_lines(item.get("attestation"), item.get("attestation_guidance", ""))
    return reason, lines


def _readiness_details(item: Mapping[str, Any]) -> Details:
    reason = item["reason"] or (item["description"] if item["status"] == ItemStatus.NEEDS_ATTESTATION else "")
    lines = [
        f"{item['id']} {item['title']}: {status_label(item['status'])}",
        item["description"],
        f"Why: {item['reason'] or '-'}",
    ]
    if item["rules"]:
        lines.append("Rules: " + ", ".join(f"{r} {_rule_result(item['rule_results'][r])}" for r in item["rules"]))
    if item["supporting"]:
        lines.append("Supporting checks: " + ", ".join(f"{s['rule_id']} {s['status']}" for s in item["supporting"]))
    lines += _attestation_lines(item.get("attestation"), "")
    return reason, lines


def _rule_result(result: str) -> str:
    return "not_implemented (no rule in the pack yet)" if result == "not_implemented" else result


def _attestation_lines(record: Mapping[str, Any] | None, guidance: str) -> list[str]:
    lines = []
    if record:
        lines.append(
            f"Attestation: {record['status']} ({record['state']}), owner {record['owner'] or '-'}, "
            f"dated {record['date'] or '-'}, expires {record['expires'] or '-'}"
        )
        lines += [f"Evidence: {e}" for e in record["evidence"]]
        if record["notes"]:
            lines.append(f"Notes: {record['notes']}")
    if guidance:
        lines.append(f"What to attest: {guidance}")
    return lines


def _test_name(rule_id: str, resource_id: str) -> str:
    name = _xml_text(resource_id)
    room = _TEST_NAME_LIMIT - len(rule_id) - 1
    if len(name) <= room:
        return name
    digest = hashlib.sha256(resource_id.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST]
    return f"{name[: room - _DIGEST - 1]}…{digest}"


def _json(value: Any) -> str:
    """An observed value as JSON text, as the JSON report states it."""
    return json.dumps(value, ensure_ascii=False)


def _xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced; ElementTree
    escapes the rest (``<``, ``&``, quotes, and newlines in attributes)."""
    return _NOT_XML.sub("\ufffd", text)
