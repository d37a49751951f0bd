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
observed and expected values, path, citations and the rule's remediation.
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
from hipaa_scan.reporting.view import ReportView, clip

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
            _testcase(suite, rule, finding, view.sources.get(finding["resource_id"], ""))
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


def _testcase(suite: ET.Element, rule: Mapping[str, Any], finding: Mapping[str, Any], source: str) -> None:
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
