"""The evidence manifest of a real scan of the sample tenant, and its verification:
untouched, a flipped byte, a deleted report, a changed or moved input, a bad
manifest, an unexpected report, and a rescan that reproduces every report."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import SAMPLE

from hipaa_scan import __version__, commands, evidence
from hipaa_scan.engine import Settings
from hipaa_scan.errors import InputError
from hipaa_scan.evidence import (
    MANIFEST_NAME,
    FileStatus,
    RescanStatus,
    build_manifest,
    manifest_problem,
    sha256_file,
    verify,
    write_manifest,
)
from hipaa_scan.model import Severity
from hipaa_scan.reporting import OutputFormat

SCHEMA = json.loads((Path(evidence.__file__).parent / "schemas" / "evidence-manifest.schema.json").read_text())
NOW = "2026-11-21T09:00:00Z"
REPORTS = sorted(f.filename for f in OutputFormat if f is not OutputFormat.PDF)


def run_scan(invocation: Mapping[str, Any], out_dir: Path) -> commands.ScanOutcome:
    """The scan an invocation describes: what the CLI's rescan does too."""
    options = invocation["options"]
    return commands.scan(
        invocation["inputs"],
        formats=[OutputFormat(f) for f in options["formats"]],
        out_dir=out_dir,
        settings=Settings(frozenset(options["allowed_locations"]), frozenset(options["break_glass"])),
        now=datetime.fromisoformat(invocation["now"].replace("Z", "+00:00")),
        fail_on=Severity(options["fail_on"]) if options["fail_on"] else None,
        jobs=1,
    )


def rescan(invocation: Mapping[str, Any], out_dir: Path) -> None:
    run_scan(invocation, out_dir)


@dataclass(frozen=True)
class Scanned:
    root: Path  # the working directory: estate/ (the inputs) and out/ (the reports)
    out: Path
    invocation: dict[str, Any]
    inputs: list[dict[str, Any]]
    reports: tuple[Path, ...]

    @property
    def manifest(self) -> Path:
        return self.out / MANIFEST_NAME


def scan_and_write_manifest(root: Path, monkeypatch: pytest.MonkeyPatch) -> Scanned:
    """A copy of the sample tenant scanned from ``root`` with relative paths,
    as a user would type them, then the manifest of what it read and wrote."""
    shutil.copytree(SAMPLE, root / "estate")
    monkeypatch.chdir(root)
    invocation = {
        "command": "scan",
        "cwd": str(root),
        "now": NOW,
        "inputs": ["estate"],
        "options": {
            # Every format but the PDF, which needs a browser and has tests of its own.
            "formats": [f.value for f in OutputFormat if f is not OutputFormat.PDF],
            "allowed_locations": ["eastus", "eastus2"],
            "break_glass": [],
            "fail_on": "high",
        },
    }
    outcome = run_scan(invocation, Path("out"))
    # The scan hashed each input as it read it; the manifest takes those digests.
    inputs = [
        {
            "path": i["path"],
            "role": "parameters" if i["format"] == "arm-parameters" else "input",
            "sha256": i["sha256"],
            "bytes": i["bytes"],
        }
        for i in outcome.document["manifest"]["inputs"]
    ]
    written = write_manifest(
        Path("out"),
        tool_version=__version__,
        created_at=NOW,
        inputs=inputs,
        outputs=outcome.reports,
        invocation=invocation,
    )
    assert written == Path("out") / MANIFEST_NAME
    return Scanned(root, root / "out", invocation, inputs, outcome.reports)


@pytest.fixture
def scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scanned:
    return scan_and_write_manifest(tmp_path / "work", monkeypatch)


def by_name(checks: Any) -> dict[str, Any]:
    return {c.name: c for c in checks}


# -- the manifest ----------------------------------------------------------------


def test_manifest_names_every_input_and_output_and_matches_its_schema(scanned: Scanned) -> None:
    data = scanned.manifest.read_bytes()
    manifest = json.loads(data)
    jsonschema.validate(manifest, SCHEMA)
    assert manifest_problem(manifest) is None
    assert manifest["kind"] == "hipaa-scan-manifest" and manifest["schema_version"] == 1
    assert manifest["tool"] == {"name": "hipaa-scan", "version": __version__}
    assert manifest["created_at"] == NOW
    assert manifest["invocation"]["cwd"] == str(scanned.root)
    assert list(manifest["invocation"]) == sorted(manifest["invocation"])
    # The three sample files, in the order scanned, each hashed as the scan read it.
    assert [i["path"] for i in manifest["inputs"]] == [
        "estate/contoso-health-entra.json",
        "estate/contoso-health-prod.json",
        "estate/contoso-health-research.json",
    ]
    for entry in manifest["inputs"]:
        content = (scanned.root / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(content).hexdigest() and entry["bytes"] == len(content)
    # Every report, by name, sorted, hashed as it is on disk.
    assert [o["name"] for o in manifest["outputs"]] == REPORTS
    for entry in manifest["outputs"]:
        content = (scanned.out / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(content).hexdigest() and entry["bytes"] == len(content)
    # Reports and manifest are readable by their owner only (SECURITY.md says so).
    for name in [*REPORTS, MANIFEST_NAME]:
        assert stat.S_IMODE((scanned.out / name).stat().st_mode) == 0o600
    assert not [p for p in scanned.out.iterdir() if p.name.startswith(".")]


def test_manifest_bytes_depend_only_on_what_it_records(scanned: Scanned) -> None:
    """Deterministic: the order the caller lists outputs, or builds the
    invocation's keys in, does not change a byte."""
    again = build_manifest(
        tool_version=__version__,
        created_at=NOW,
        inputs=scanned.inputs,
        outputs=list(reversed(scanned.reports)),
        invocation=dict(reversed(list(scanned.invocation.items()))),
        directory=Path("out"),
    )
    assert again == scanned.manifest.read_bytes()
    assert again.endswith(b"}\n") and b'\n  "kind": "hipaa-scan-manifest",' in again


def test_build_manifest_refuses_what_it_cannot_vouch_for(scanned: Scanned, tmp_path: Path) -> None:
    args: dict[str, Any] = {
        "tool_version": __version__,
        "created_at": NOW,
        "inputs": scanned.inputs,
        "outputs": scanned.reports,
        "invocation": scanned.invocation,
    }
    with pytest.raises(ValueError, match=r"inputs\[0\]\.role: 'snapshot' is not one of"):
        build_manifest(**{**args, "inputs": [{**scanned.inputs[0], "role": "snapshot"}]})
    with pytest.raises(ValueError, match="is not inside"):
        build_manifest(**args, directory=tmp_path / "elsewhere")
    with pytest.raises(ValueError, match=r"invocation\.now"):
        build_manifest(**{**args, "invocation": {**scanned.invocation, "now": "yesterday"}})
    with pytest.raises(ValueError, match="at least one output"):
        build_manifest(**{**args, "outputs": []})


def test_input_entry_hashes_extra_files_in_chunks(tmp_path: Path) -> None:
    big = tmp_path / "waivers.yaml"
    big.write_bytes(os.urandom(3 * evidence.CHUNK_BYTES + 7))
    expected = hashlib.sha256(big.read_bytes()).hexdigest()
    assert sha256_file(big) == (expected, 3 * evidence.CHUNK_BYTES + 7)
    assert evidence.input_entry(big, "waivers") == {
        "path": str(big),
        "role": "waivers",
        "sha256": expected,
        "bytes": 3 * evidence.CHUNK_BYTES + 7,
    }
    with pytest.raises(InputError, match=r"^.*no-such\.yaml: cannot read file"):
        evidence.input_entry(tmp_path / "no-such.yaml", "waivers")


# -- verify ----------------------------------------------------------------------


def test_untouched_reports_and_inputs_verify(scanned: Scanned) -> None:
    result = verify(scanned.out)
    assert result.ok
    assert result.inputs_checked and result.rescan is None and not result.unexpected
    assert sorted(by_name(result.outputs)) == REPORTS
    assert all(c.status is FileStatus.OK for c in (*result.outputs, *result.inputs))
    assert [c.role for c in result.inputs] == ["input"] * 3
    assert result.describe()[-1].startswith("verified (")
    # The manifest file itself may be named instead of its directory.
    assert verify(scanned.manifest).ok


def test_a_flipped_byte_is_a_modified_report(scanned: Scanned) -> None:
    report = scanned.out / OutputFormat.JSON.filename
    content = bytearray(report.read_bytes())
    content[len(content) // 2] ^= 0x01
    report.write_bytes(bytes(content))

    result = verify(scanned.out)
    assert not result.ok
    assert [(p.name, p.status) for p in result.problems] == [("hipaa-scan-report.json", FileStatus.MODIFIED)]
    check = by_name(result.outputs)["hipaa-scan-report.json"]
    assert check.actual_sha256 == hashlib.sha256(content).hexdigest() != check.expected_sha256
    assert check.actual_bytes == check.expected_bytes  # same size: only the digest tells
    assert "modified: output hipaa-scan-report.json (SHA-256 " in "\n".join(result.describe())
    assert result.describe()[-1].startswith("NOT verified: 1 problem (")


def test_a_deleted_report_is_missing(scanned: Scanned) -> None:
    (scanned.out / OutputFormat.SARIF.filename).unlink()
    result = verify(scanned.out)
    assert not result.ok
    assert [(p.name, p.status) for p in result.problems] == [("hipaa-scan-report.sarif", FileStatus.MISSING)]


def test_a_changed_input_is_a_modified_input_and_no_rescan_runs(scanned: Scanned) -> None:
    prod = scanned.root / "estate" / "contoso-health-prod.json"
    prod.write_text(prod.read_text().replace('"TLS1_2"', '"TLS1_0"', 1))
    research = scanned.root / "estate" / "contoso-health-research.json"
    research.rename(research.with_suffix(".bak"))

    result = verify(scanned.out, rescan=rescan)
    assert not result.ok
    assert all(c.ok for c in result.outputs)
    statuses = {c.name: c.status for c in result.inputs}
    assert statuses == {
        "estate/contoso-health-entra.json": FileStatus.OK,
        "estate/contoso-health-prod.json": FileStatus.MODIFIED,
        "estate/contoso-health-research.json": FileStatus.MISSING,
    }
    missing = by_name(result.inputs)["estate/contoso-health-research.json"]
    assert missing.path is None and str(scanned.root / "estate/contoso-health-research.json") in missing.detail
    assert result.rescan is None and result.rescan_skipped and "input is missing or modified" in result.rescan_skipped
    # Without the inputs checked, the reports alone still verify.
    reports_only = verify(scanned.out, check_inputs=False)
    assert reports_only.ok and reports_only.inputs == () and not reports_only.inputs_checked
    assert "inputs not checked" in reports_only.describe()


def test_a_report_the_manifest_does_not_name_is_unexpected(scanned: Scanned) -> None:
    (scanned.out / "hipaa-scan-report.pdf").write_bytes(b"%PDF-1.7\n")
    # A signature beside the manifest and files that are not hipaa-scan's are not reports.
    (scanned.out / f"{MANIFEST_NAME}.sig").write_bytes(b"signature")
    (scanned.out / "notes.txt").write_text("auditor's notes")
    result = verify(scanned.out)
    assert not result.ok
    assert [(c.name, c.status) for c in result.unexpected] == [("hipaa-scan-report.pdf", FileStatus.UNEXPECTED)]
    assert "unexpected: file hipaa-scan-report.pdf (a hipaa-scan file the manifest does not name)" in result.describe()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "missing: no evidence manifest here"),
        (b"{not json", "not valid JSON"),
        (b"[]", "not an evidence manifest (expected a JSON object)"),
        (
            b'{"kind": "hipaa-scan-snapshot", "schema_version": 1}',
            "not an evidence manifest (kind is 'hipaa-scan-snapshot'",
        ),
        (b'{"kind": "hipaa-scan-manifest", "schema_version": 2}', "unknown schema_version 2 (this hipaa-scan reads 1)"),
    ],
)
def test_a_bad_manifest_is_one_input_error_naming_it(scanned: Scanned, content: bytes | None, problem: str) -> None:
    if content is None:
        scanned.manifest.unlink()
    else:
        scanned.manifest.write_bytes(content)
    with pytest.raises(InputError) as caught:
        verify(scanned.out)
    message = str(caught.value)
    assert message.startswith(f"{scanned.manifest}: ") and problem in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"outputs": [{"name": "../../etc/passwd", "sha256": "0" * 64, "bytes": 1}]}, "outputs[0].name"),
        ({"outputs": [{"name": "/etc/passwd", "sha256": "0" * 64, "bytes": 1}]}, "outputs[0].name"),
        ({"outputs": []}, "outputs: expected an array naming at least one file"),
        ({"inputs": [{"path": "x.json", "role": "input", "sha256": "ABC", "bytes": 1}]}, "inputs[0].sha256"),
        ({"inputs": [{"path": "x.json", "role": "input", "sha256": "0" * 64, "bytes": -1}]}, "inputs[0].bytes"),
        ({"created_at": "last Tuesday"}, "created_at"),
        ({"invocation": {"command": "scan", "cwd": "relative", "now": NOW, "inputs": [], "options": {}}}, "cwd"),
    ],
)
def test_a_manifest_out_of_shape_is_refused_by_code_and_schema_alike(
    scanned: Scanned, change: dict[str, Any], problem: str
) -> None:
    broken = json.loads(scanned.manifest.read_text()) | change
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)
    assert problem in (manifest_problem(broken) or "")
    scanned.manifest.write_text(json.dumps(broken))
    with pytest.raises(InputError, match=f"^{scanned.manifest}: "):
        verify(scanned.out)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_hostile_input_path_cannot_hang_verify(scanned: Scanned) -> None:
    fifo = scanned.root / "fifo"
    os.mkfifo(fifo)
    manifest = json.loads(scanned.manifest.read_text())
    manifest["inputs"].append({"path": str(fifo), "role": "input", "sha256": "0" * 64, "bytes": 1})
    manifest["inputs"].append({"path": str(scanned.root), "role": "input", "sha256": "0" * 64, "bytes": 1})
    scanned.manifest.write_text(json.dumps(manifest))
    result = verify(scanned.out)
    unreadable = {c.name: c.detail for c in result.inputs if c.status is FileStatus.UNREADABLE}
    assert unreadable == {str(fifo): "not a regular file", str(scanned.root): "not a regular file"}


# -- rescan ----------------------------------------------------------------------


def test_a_rescan_reproduces_every_report_byte_for_byte(scanned: Scanned) -> None:
    # A PDF beside the reports is listed but cannot be compared: Chromium stamps it.
    pdf = scanned.out / "hipaa-scan-report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n% stand-in for a printed report\n")
    write_manifest(
        Path("out"),
        tool_version=__version__,
        created_at=NOW,
        inputs=scanned.inputs,
        outputs=[*scanned.reports, Path("out") / pdf.name],
        invocation=scanned.invocation,
    )
    seen: list[tuple[Mapping[str, Any], Path]] = []

    def recording_rescan(invocation: Mapping[str, Any], out_dir: Path) -> None:
        seen.append((invocation, out_dir))
        rescan(invocation, out_dir)

    result = verify(scanned.out, rescan=recording_rescan)
    assert result.ok, result.describe()
    assert seen[0][0] == scanned.invocation and seen[0][1].is_absolute() and seen[0][1] != scanned.out
    assert not seen[0][1].exists()  # the rescan's directory is removed afterwards
    statuses = {c.name: c.status for c in result.rescan or ()}
    assert statuses == dict.fromkeys(REPORTS, RescanStatus.IDENTICAL) | {
        "hipaa-scan-report.pdf": RescanStatus.NOT_COMPARED
    }
    assert "Chromium" in by_name(result.rescan)["hipaa-scan-report.pdf"].reason


def test_a_rescan_at_another_clock_is_different(scanned: Scanned) -> None:
    def later(invocation: Mapping[str, Any], out_dir: Path) -> None:
        rescan({**invocation, "now": "2027-01-01T00:00:00Z"}, out_dir)

    result = verify(scanned.out, rescan=later)
    assert not result.ok
    assert by_name(result.rescan)["hipaa-scan-report.json"].status is RescanStatus.DIFFERENT
    assert all(c.ok for c in (*result.outputs, *result.inputs))


def test_a_rescan_that_fails_is_recorded_not_raised(scanned: Scanned) -> None:
    def broken(invocation: Mapping[str, Any], out_dir: Path) -> None:
        rescan({**invocation, "inputs": [*invocation["inputs"], "no-such-export.json"]}, out_dir)

    result = verify(scanned.out, rescan=broken)
    assert not result.ok and result.rescan is None
    assert result.rescan_skipped == "the rescan failed: no-such-export.json: no such file or directory"
    assert "rescan not run: the rescan failed" in "\n".join(result.describe())


def test_moved_inputs_are_found_as_given_and_rescanned_from_there(
    scanned: Scanned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An auditor receives the directory elsewhere: the recorded working
    directory is gone, the relative paths hold from where verify runs."""
    moved = tmp_path / "audit"
    scanned.root.rename(moved)
    monkeypatch.chdir(moved)
    result = verify(Path("out"), rescan=rescan)
    assert result.ok, result.describe()
    assert [c.path for c in result.inputs] == [Path(i["path"]) for i in scanned.inputs]
    assert {c.status for c in result.rescan or ()} == {RescanStatus.IDENTICAL}
