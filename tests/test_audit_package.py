"""The audit package on the sample tenant with a fixed clock: attestations
next to the automated evidence, the organization policy and its PHI scope,
the reference-architecture checklist and the proposed-rule readiness view.
Real scans through the CLI; bad files refused in one line with exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SAMPLE

from hipaa_scan import cli
from hipaa_scan.controls import Evidence, attestable_items, load_architecture, load_catalogue
from hipaa_scan.engine import load_rule_pack

NOW = "2026-11-21T09:00:00Z"
ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "docs" / "examples"
ATTESTATIONS = EXAMPLES / "attestations.yaml"
POLICY = EXAMPLES / "hipaa-scan.toml"


def _scan(tmp_path: Path, *options: str, name: str = "out") -> dict[str, Any]:
    out = tmp_path / name
    code = cli.main(
        ["scan", str(SAMPLE), "--out", str(out), "--now", NOW, "--fail-on", "never", "--format", "json", "-q", *options]
    )
    assert code == 0
    report: dict[str, Any] = json.loads((out / "hipaa-scan-report.json").read_text())
    return report


def _items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["citation"]: i for i in report["checklist"]["items"]}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- attestations ---------------------------------------------------------------


def test_attestations_decide_what_no_api_shows(tmp_path: Path) -> None:
    without = _items(_scan(tmp_path, name="without"))
    report = _scan(tmp_path, "--attestations", str(ATTESTATIONS))
    items = _items(report)
    # No attestation: a specification only an attestation can show is never met.
    assert without["164.308(a)(1)(ii)(C)"]["status"] == "needs_attestation"
    assert without["164.308(a)(1)(ii)(C)"]["attestation"] is None
    # A valid attestation makes it met, and the report shows who, when and what.
    sanction = items["164.308(a)(1)(ii)(C)"]
    assert sanction["status"] == "met"
    assert sanction["automated_status"] == without["164.308(a)(1)(ii)(C)"]["automated_status"]
    assert sanction["attestation"]["owner"] == "Lee Marsh, HR Director"
    assert sanction["attestation"]["state"] == "valid"
    assert sanction["attestation"]["expires"] == "2027-01-15"  # a year after its date by default
    # An expired attestation counts as not met.
    dr_test = items["164.308(a)(7)(ii)(D)"]
    assert dr_test["attestation"]["state"] == "expired"
    assert dr_test["status"] == "not_met"
    # A partial one keeps the specification partially met.
    assert items["164.308(a)(5)(i)"]["status"] == "partially_met"
    # Attestations never move the findings-based score.
    assert report["checklist"]["overall"] == _scan(tmp_path, name="again")["checklist"]["overall"]
    manifest = report["manifest"]["attestations"]
    assert manifest["path"] == str(ATTESTATIONS)
    assert manifest["entries"] == len(yaml.safe_load(ATTESTATIONS.read_text())["attestations"])
    assert len(manifest["sha256"]) == 64


def test_an_attestation_cannot_make_a_failing_hybrid_specification_met(tmp_path: Path) -> None:
    # 164.308(a)(1)(ii)(A) is evidenced by rules too; some of them fail on the sample tenant.
    items = _items(_scan(tmp_path, "--attestations", str(ATTESTATIONS)))
    risk = items["164.308(a)(1)(ii)(A)"]
    assert risk["attestation"]["status"] == "met"
    assert risk["automated_status"] in ("partially_met", "not_met")
    assert risk["status"] == risk["automated_status"]


def test_attest_init_lists_everything_that_needs_one_and_is_valid_as_written(tmp_path: Path) -> None:
    out = tmp_path / "attestations.yaml"
    assert cli.main(["attest", "init", "--out", str(out), "--organization", "Contoso Health"]) == 0
    document = yaml.safe_load(out.read_text())
    keys = {e.get("specification") or e["item"] for e in document["attestations"]}
    needed = {c.citation for c in load_catalogue().controls if c.evidence is not Evidence.AUTOMATED}
    assert needed <= keys
    assert set(attestable_items()) <= keys
    assert {a.id for a in load_architecture()[1] if a.attestation_guidance} <= keys
    guidance = {e.get("specification") or e["item"]: e["guidance"] for e in document["attestations"]}
    assert guidance["164.308(a)(1)(ii)(A)"] == load_catalogue().by_citation["164.308(a)(1)(ii)(A)"].attestation_guidance
    # The untouched template scans: every entry not met.
    items = _items(_scan(tmp_path, "--attestations", str(out)))
    assert items["164.308(a)(1)(ii)(C)"]["status"] == "not_met"
    # It is not overwritten by accident.
    assert cli.main(["attest", "init", "--out", str(out)]) == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("attestations:\n  - specification: '164.399(z)'\n    status: not_met\n", "164.399(z)"),
        ("attestations:\n  - item: RA-99\n    status: not_met\n", "unknown checklist item"),
        (
            "attestations:\n  - specification: '164.308(a)(2)'\n    status: met\n    owner: A\n    date: 2026-01-01\n",
            "'evidence' is a required property",
        ),
        (
            "attestations:\n  - specification: '164.308(a)(2)'\n    status: done\n",
            "attestations/0/status (164.308(a)(2))",
        ),
        (
            "attestations:\n  - specification: '164.308(a)(2)'\n    status: not_met\n"
            "  - specification: '164.308(a)(2)'\n    status: not_met\n",
            "attested twice",
        ),
        (
            "attestations:\n  - specification: '164.308(a)(2)'\n    status: met\n    owner: A\n"
            "    date: 2026-05-01\n    expires: 2026-01-01\n    evidence: [x]\n",
            "before its date",
        ),
        ("attestations: [\n", "not valid YAML"),
    ],
)
def test_a_bad_attestations_file_is_one_line_naming_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    bad = _write(tmp_path, "attestations.yaml", text)
    code = cli.main(["scan", str(SAMPLE), "--out", str(tmp_path / "out"), "--attestations", str(bad), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert str(bad) in err and problem in err
    assert not (tmp_path / "out").exists()


def test_an_attestation_dated_after_the_scan_is_not_valid(tmp_path: Path) -> None:
    future = _write(
        tmp_path,
        "a.yaml",
        "attestations:\n  - specification: '164.308(a)(1)(ii)(C)'\n    status: met\n    owner: A\n"
        "    date: 2027-01-01\n    evidence: [x]\n",
    )
    item = _items(_scan(tmp_path, "--attestations", str(future)))["164.308(a)(1)(ii)(C)"]
    assert item["attestation"]["state"] == "not_yet_valid"
    assert item["status"] == "not_met"


# --- organization policy and PHI scope -----------------------------------------------


def test_the_policy_file_sets_what_the_options_would(tmp_path: Path) -> None:
    with_options = _scan(
        tmp_path,
        "--allowed-locations",
        "eastus,eastus2,centralus,westus2",
        "--break-glass",
        "e3a1c5d7-0b2f-4e6a-9c8d-1f3b5d7e9a01",
        "--break-glass",
        "e3a1c5d7-0b2f-4e6a-9c8d-1f3b5d7e9a02",
        name="options",
    )
    with_policy = _scan(tmp_path, "--config", str(POLICY), name="policy")
    assert with_policy["manifest"]["settings"] == with_options["manifest"]["settings"]
    policy = with_policy["manifest"]["policy"]
    assert policy["path"] == str(POLICY)
    assert policy["phi_scope"]["weight"] == 2
    # Same regions and accounts, so every finding the options decide is the same.
    gov03 = [r for r in with_policy["checklist"]["rules"] if r["rule_id"] == "GOV-03"]
    assert gov03 == [r for r in with_options["checklist"]["rules"] if r["rule_id"] == "GOV-03"]


def test_hipaa_scan_toml_in_the_working_directory_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(POLICY, work / "hipaa-scan.toml")
    monkeypatch.chdir(work)
    report = _scan(tmp_path)
    assert report["manifest"]["policy"]["path"].endswith("hipaa-scan.toml")
    assert report["checklist"]["phi_weighted"] is not None


def test_a_stricter_policy_fails_what_the_default_passes(tmp_path: Path) -> None:
    strict = _write(tmp_path, "strict.toml", 'min_tls = "1.3"\nlog_retention_days = 3650\n')
    default = {r["rule_id"]: r["counts"] for r in _scan(tmp_path, name="default")["checklist"]["rules"]}
    report = _scan(tmp_path, "--config", str(strict), name="strict")
    stricter = {r["rule_id"]: r["counts"] for r in report["checklist"]["rules"]}
    assert report["manifest"]["policy"]["min_tls"] == "1.3"
    for rule_id in ("ST-02", "SQL-12", "MON-09"):
        assert default[rule_id]["pass"] > 0, rule_id
        assert stricter[rule_id]["pass"] == 0, rule_id
        assert stricter[rule_id]["fail"] == default[rule_id]["fail"] + default[rule_id]["pass"], rule_id


def test_phi_scoped_findings_weigh_more_and_the_unweighted_score_stays(tmp_path: Path) -> None:
    scope_only = _write(tmp_path, "scope.toml", POLICY.read_text()[POLICY.read_text().index("[phi_scope]") :])
    plain = _scan(tmp_path, name="plain")
    report = _scan(tmp_path, "--config", str(scope_only))
    assert plain["checklist"]["phi_weighted"] is None
    weighted = report["checklist"]["phi_weighted"]
    # Same findings, so the same unweighted score.
    assert report["checklist"]["overall"]["score"] == plain["checklist"]["overall"]["score"]
    assert weighted["overall"]["counts"] == report["checklist"]["overall"]["counts"]
    assert weighted["overall"]["total_weight"] > report["checklist"]["overall"]["total_weight"]
    phi = {r["id"] for r in report["resources"] if r.get("phi")}
    assert phi and len(phi) < len(report["resources"])
    # Tagged resources and everything under them are in scope, wherever they are;
    # the research estate's machine-learning resources (not tagged ePHI) are not.
    assert any(rid.endswith("/servers/sql-contoso-research") for rid in phi)
    assert any(rid.endswith("/sql-contoso-research/databases/sqldb-cohort-analytics") for rid in phi)
    assert not any("/rg-research-ml/" in rid.lower() for rid in phi)
    # Recompute the documented rule from the report itself.
    severity = {r["rule_id"]: r["severity"] for r in report["checklist"]["rules"]}
    weights = report["checklist"]["scoring"]["weights"]
    passed = total = 0.0
    for group in report["findings"]:
        for result in group["results"]:
            if result["status"] == "not_applicable":
                continue
            w = weights[severity[group["rule_id"]]]
            if report["resources"][result["resource"]].get("phi"):
                w *= weighted["weight"]
            total += w
            passed += w if result["status"] == "pass" else 0
    assert weighted["overall"]["score"] == round(100 * passed / total, 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('min_tls = "1.1"\n', "min_tls"),
        ("unknown_key = 1\n", "unknown_key"),
        ("[phi_scope]\ntags = ['no-equals-sign']\n", "phi_scope/tags/0"),
        ("min_tls = \n", "not valid TOML"),
    ],
)
def test_a_bad_policy_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    bad = _write(tmp_path, "hipaa-scan.toml", text)
    code = cli.main(["scan", str(SAMPLE), "--out", str(tmp_path / "out"), "--config", str(bad), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert str(bad) in err and problem in err


# --- the reference architecture's checklist and the readiness profile ------------------


def test_every_architecture_item_names_rules_that_exist_or_says_they_are_missing(tmp_path: Path) -> None:
    report = _scan(tmp_path, "--config", str(POLICY), "--attestations", str(ATTESTATIONS))
    pack = {r.id for r in load_rule_pack().rules}
    results = {r["rule_id"]: r["counts"] for r in report["checklist"]["rules"]}
    items = report["architecture"]["items"]
    assert [i["id"] for i in items] == [f"RA-{n:02d}" for n in range(1, 22)]
    for item in items:
        for group in item["required"]:
            for rule_id in group["rules"]:
                if rule_id not in pack:
                    assert group["status"] in ("not_implemented", "pass"), (item["id"], rule_id)
            # A group passes only when one of its rules has a passing finding and none failing.
            if group["status"] == "pass":
                assert any(
                    results.get(r, {}).get("pass") and not results[r]["fail"] and not results[r]["unknown"]
                    for r in group["rules"]
                )
        statuses = [g["status"] for g in item["required"]]
        if "fail" in statuses:
            assert item["automated_status"] in ("not_met", "partially_met"), item["id"]
        if item["automated_status"] == "met":
            assert set(statuses) <= {"pass", "no_resources"}, item["id"]
    by_id = {i["id"]: i for i in items}
    # The BAA is attested; the example file says so.
    assert by_id["RA-01"]["evidence"] == "attestation"
    assert by_id["RA-01"]["status"] == "met"
    assert by_id["RA-01"]["attestation"]["owner"] == "Dana Whitfield, Privacy Officer"


def test_an_unjudged_required_check_keeps_an_item_from_being_met(tmp_path: Path) -> None:
    report = _scan(tmp_path)
    for item in report["architecture"]["items"]:
        if any(g["status"] in ("unknown", "not_implemented") for g in item["required"]):
            assert item["status"] != "met", item["id"]


def test_the_readiness_profile_never_changes_the_score_in_force(tmp_path: Path) -> None:
    in_force = _scan(tmp_path, name="in-force")
    report = _scan(tmp_path, "--profile", "hipaa-nprm-2025", "--attestations", str(ATTESTATIONS))
    assert in_force["readiness"] is None
    assert in_force["manifest"]["profile"]["id"] == "hipaa"
    assert report["manifest"]["profile"]["id"] == "hipaa-nprm-2025"
    assert report["checklist"] == in_force["checklist"] | {
        "items": report["checklist"]["items"]  # only the attestations differ
    }
    assert report["checklist"]["overall"] == in_force["checklist"]["overall"]
    readiness = {i["id"]: i for i in report["readiness"]["items"]}
    # Addressable specifications become required: every unmet one is named.
    settled = ("met", "no_resources_in_scope", "not_applicable")
    unmet = [
        i["citation"]
        for i in report["checklist"]["items"]
        if i["designation"] == "Addressable" and i["status"] not in settled
    ]
    assert readiness["nprm2025:addressable-required"]["status"] == ("not_met" if unmet else "met")
    assert all(c in readiness["nprm2025:addressable-required"]["reason"] for c in unmet)
    # Backups no older than 48 hours are judged by BK-08.
    assert readiness["nprm2025:backup-48h"]["rules"] == ["BK-08"]
    # Only an attestation can show the annual compliance audit; the example says it was not done.
    assert readiness["nprm2025:compliance-audit"]["status"] == "not_met"
    assert readiness["nprm2025:ba-verification"]["status"] == "needs_attestation"
    # Encryption is required: every rule citing the encryption specifications counts.
    encryption = readiness["nprm2025:encryption"]["rules"]
    assert "ST-02" in encryption and "SQL-04" in encryption


def test_the_profile_can_come_from_the_policy_file(tmp_path: Path) -> None:
    policy = _write(tmp_path, "p.toml", 'profile = "hipaa-nprm-2025"\n')
    assert _scan(tmp_path, "--config", str(policy))["readiness"]["profile"] == "hipaa-nprm-2025"
    # The option wins over the file.
    assert _scan(tmp_path, "--config", str(policy), "--profile", "hipaa", name="o")["readiness"] is None


# --- custom rules ---------------------------------------------------------------------

CUSTOM = EXAMPLES / "custom-rules" / "contoso"


def test_custom_rules_run_in_a_scan_and_the_report_names_their_pack(tmp_path: Path) -> None:
    report = _scan(tmp_path, "--rules-dir", str(CUSTOM))
    pack = report["manifest"]["rule_pack"]
    assert [c["rules"] for c in pack["custom"]] == [["ORG-01"]]
    assert pack["sha256"] != pack["shipped_sha256"]
    org = next(r for r in report["checklist"]["rules"] if r["rule_id"] == "ORG-01")
    assert sum(org["counts"].values()) > 0
    # Custom rules count in the checklist like shipped ones.
    assert any("ORG-01" in i["rules"] for i in report["checklist"]["items"])
    plain = _scan(tmp_path, name="plain")
    assert plain["manifest"]["rule_pack"]["custom"] == []
    assert plain["manifest"]["rule_pack"]["sha256"] == plain["manifest"]["rule_pack"]["shipped_sha256"]


def test_a_custom_rule_that_reuses_a_shipped_id_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    source = next(CUSTOM.rglob("org_01_*.py")).read_text()
    (pack / "dup.py").write_text(source.replace('"ORG-01"', '"KV-01"'))
    code = cli.main(["scan", str(SAMPLE), "--out", str(tmp_path / "out"), "--rules-dir", str(pack), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "dup.py" in err and "KV-01" in err and "duplicate" in err
    assert not (tmp_path / "out").exists()


# --- verifiable evidence ----------------------------------------------------------------


def test_verify_rescans_a_full_package_byte_for_byte_and_catches_tampering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "history.db"
    options = [
        "--format",
        "json,html,sarif,junit,markdown,csv",
        "--now",
        NOW,
        "--fail-on",
        "never",
        "--config",
        str(POLICY),
        "--attestations",
        str(ATTESTATIONS),
        "--profile",
        "hipaa-nprm-2025",
        "--rules-dir",
        str(CUSTOM),
        "--min-score",
        "1",
        "--history",
        str(history),
        "-q",
    ]
    assert cli.main(["scan", str(SAMPLE), "--out", str(tmp_path / "first"), *options]) == 0
    out = tmp_path / "second"
    assert cli.main(["scan", str(SAMPLE), "--out", str(out), *options]) == 0
    manifest = json.loads((out / "hipaa-scan-manifest.json").read_text())
    assert manifest["invocation"]["previous"] is not None  # the history said something
    assert {o["name"] for o in manifest["outputs"]} == {
        f"hipaa-scan-report.{ext}" for ext in ("json", "html", "sarif", "junit.xml", "md", "csv")
    }
    roles = {i["role"] for i in manifest["inputs"]}
    assert {"input", "policy", "attestations", "rules"} <= roles
    capsys.readouterr()
    assert cli.main(["verify", str(out), "--rescan"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("rescan identical") == 6

    # One changed byte in a report: named, exit 1.
    report = out / "hipaa-scan-report.md"
    report.write_bytes(report.read_bytes().replace(b"HIPAA", b"HIPAa", 1))
    assert cli.main(["verify", str(out)]) == 1
    assert "modified: output hipaa-scan-report.md" in capsys.readouterr().out


def test_verify_without_a_manifest_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert cli.main(["verify", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "hipaa-scan-manifest.json" in err


def test_controls_shows_for_every_specification_its_checks_or_its_attestation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["controls", "--format", "json"]) == 0
    controls = json.loads(capsys.readouterr().out)["controls"]
    assert len(controls) == len(load_catalogue().controls)
    for control in controls:
        assert control["rules"] or (control["needs_attestation"] and control["attestation_guidance"]), control[
            "citation"
        ]
    assert cli.main(["controls"]) == 0
    table = capsys.readouterr().out
    assert "Attestation" in table and "required" in table


def test_inputs_from_another_tenant_than_the_policy_expects_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _write(tmp_path, "other.toml", 'expected_tenant = "00000000-0000-0000-0000-00000000beef"\n')
    code = cli.main(["scan", str(SAMPLE), "--out", str(tmp_path / "out"), "--config", str(other), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert str(other) in err and "7f3e0c2a-5b1d-4e8f-9a6c-2d4b8e1f0a37" in err
    assert not (tmp_path / "out").exists()


def test_a_report_from_before_the_audit_package_still_serves_as_a_baseline_and_renders(tmp_path: Path) -> None:
    report = _scan(tmp_path, name="today")
    # What schema 2.0 wrote: none of the audit package's keys.
    old = {k: v for k, v in report.items() if k not in ("architecture", "readiness")}
    old["schema_version"] = "2.0"
    old["manifest"] = {k: v for k, v in report["manifest"].items() if k not in ("profile", "policy", "attestations")}
    baseline = tmp_path / "old.json"
    baseline.write_text(json.dumps(old))
    gated = ["scan", str(SAMPLE), "--out", str(tmp_path / "gated"), "--now", NOW, "-q", "--format", "json"]
    assert cli.main([*gated, "--baseline", str(baseline), "--fail-on-new", "--fail-on", "high"]) == 0
    assert cli.main(["report", str(baseline), "--format", "markdown,html", "--out", str(tmp_path / "again")]) == 0
    assert "Reference architecture" not in (tmp_path / "again" / "hipaa-scan-report.md").read_text()
