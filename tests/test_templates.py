"""The template corpus (tests/fixtures/templates/): each template scans with
exit 0 or 1 (a valid template is never an input error) and gives the verdicts
its expectations list, following Azure's documented semantics."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaa_scan.cli import main
from hipaa_scan.reporting.json_report import read_findings

CORPUS = Path(__file__).parent / "fixtures" / "templates"
EXPECTED: dict[str, Any] = yaml.safe_load((CORPUS / "expected.yaml").read_text())


def test_every_template_has_expectations() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_template_verdicts(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    code = main(["scan", str(CORPUS / name), "--out", str(tmp_path), "--now", "2026-11-21T09:00:00Z", "-q"])
    assert code == expected["exit"]
    findings = list(read_findings(json.loads((tmp_path / "hipaa-scan-report.json").read_text())))
    for rule_id, by_resource in expected["verdicts"].items():
        for suffix, status in by_resource.items():
            mine = [f for f in findings if f["rule_id"] == rule_id and f["resource_id"].endswith(suffix)]
            assert len(mine) == 1, (
                f"{rule_id} on *{suffix}: {[f['resource_id'] for f in findings if f['rule_id'] == rule_id]}"
            )
            assert mine[0]["status"] == status, f"{rule_id} on *{suffix}: {mine[0]['status']} ({mine[0]['message']})"


def test_a_parameters_file_decides_and_is_evidence(tmp_path: Path) -> None:
    params = CORPUS / "parameters" / "vm-simple-linux.ssh.parameters.json"
    code = main(
        ["scan", str(CORPUS / "vm-simple-linux.json"), "--parameters", str(params), "--out", str(tmp_path), "-q"]
    )
    assert code == 1  # other VM rules fail
    report = json.loads((tmp_path / "hipaa-scan-report.json").read_text())
    vm09 = {f["resource_id"].rsplit("/", 1)[1]: f["status"] for f in read_findings(report) if f["rule_id"] == "VM-09"}
    assert vm09 == {"simpleLinuxVM": "pass", "keyOnlyLinuxVM": "pass"}  # sshPublicKey from the parameters file
    formats = {i["path"]: i["format"] for i in report["manifest"]["inputs"]}
    assert formats[str(params)] == "arm-parameters"


def test_a_parameters_file_given_as_input_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = CORPUS / "parameters" / "vm-simple-linux.ssh.parameters.json"
    assert main(["scan", str(params), "--out", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pass it with --parameters" in err and str(params) in err


def test_observed_mode_reads_a_template_as_an_export(tmp_path: Path) -> None:
    template = CORPUS / "desired-state-defaults.json"
    assert main(["scan", str(template), "--template-mode", "observed", "--out", str(tmp_path), "-q"]) in (0, 1)
    report = json.loads((tmp_path / "hipaa-scan-report.json").read_text())
    assert report["manifest"]["inputs"][0]["semantics"] == "observed"
    sql01 = {f["resource_id"].rsplit("/", 1)[1]: f["status"] for f in read_findings(report) if f["rule_id"] == "SQL-01"}
    # An export that lacks a child says nothing about whether it exists.
    assert sql01["sql-phi-noaudit"] == "unknown"
    st01 = {f["resource_id"].rsplit("/", 1)[1]: f for f in read_findings(report) if f["rule_id"] == "ST-01"}
    assert st01["stphicurrentapi"]["status"] == "pass" and "default for" in st01["stphicurrentapi"]["message"]


def test_the_defaults_table_matches_its_schema_and_the_rules() -> None:
    import jsonschema

    from hipaa_scan.engine import load_rule_pack

    root = Path(__file__).resolve().parent.parent / "hipaa_scan"
    table = json.loads((root / "data" / "service-defaults.json").read_text())
    jsonschema.validate(table, json.loads((root / "schemas" / "service-defaults.schema.json").read_text()))
    read = {t.lower() for r in load_rule_pack().rules for t in (*r.resource_types, *r.reads)}
    for entry in table["defaults"] + table["children"]:
        assert entry["type"].lower() in read, f"{entry['type']}: no rule reads this type"


def test_a_linked_template_is_a_recorded_gap(tmp_path: Path) -> None:
    assert main(["scan", str(CORPUS / "bicep-modules.json"), "--out", str(tmp_path), "-q", "--fail-on", "never"]) == 0
    gaps = json.loads((tmp_path / "hipaa-scan-report.json").read_text())["manifest"]["coverage_gaps"]
    assert [g["api"] for g in gaps] == ["Microsoft.Resources/deployments"]
    assert "network-module" in gaps[0]["message"] and "example.org/templates/network.json" in gaps[0]["message"]


HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    "",
    "[",
    "[]",
    "[concat(]",
    "[parameters('nope')]",
    "[copyIndex('x')]",
    "[range(0, 99999999)]",
    "[json('{')]",
    "[if(true(), createObject(), 'x')]",
    [],
    {},
    {"copy": [{"name": "x", "count": "[parameters('n')]", "input": "[copyIndex('x')]"}]},
    {"type": "Microsoft.Resources/deployments", "properties": {"template": {"resources": [{}]}}},
]


def _mutate(value: Any, rng: Any, depth: int = 0) -> Any:
    if isinstance(value, dict) and value and depth < 12:
        key = rng.choice(sorted(value))
        out = dict(value)
        roll = rng.random()
        if roll < 0.25:
            del out[key]
        elif roll < 0.6:
            out[key] = rng.choice(HOSTILE_VALUES)
        else:
            out[key] = _mutate(value[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value and depth < 12:
        index = rng.randrange(len(value))
        out_list = list(value)
        out_list[index] = _mutate(value[index], rng, depth + 1) if rng.random() < 0.7 else rng.choice(HOSTILE_VALUES)
        return out_list
    return rng.choice(HOSTILE_VALUES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mutated_templates_never_crash(name: str, tmp_path: Path) -> None:
    # A template is judged or refused with one line; the loader never raises.
    import random

    from hipaa_scan.engine import Settings, load_rule_pack, run_rules
    from hipaa_scan.errors import InputError
    from hipaa_scan.loaders import load_inputs

    rng = random.Random(name)
    template = json.loads((CORPUS / name).read_text())
    pack = load_rule_pack()
    for attempt in range(int(os.environ.get("TEMPLATE_FUZZ", "40"))):  # TEMPLATE_FUZZ=2000 for a longer campaign
        path = tmp_path / f"m{attempt}.json"
        path.write_text(json.dumps(_mutate(template, rng)))
        try:
            snapshot = load_inputs([str(path)])
        except InputError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc)
            continue
        findings = run_rules(snapshot, pack.rules, settings=Settings(), now=__import__("datetime").datetime(2026, 1, 1))
        assert all(f.status != "error" for f in findings), [f.message for f in findings if f.status == "error"][:3]


def test_every_rule_path_has_a_default_or_a_reason() -> None:
    """An absent property is judged by its documented default (the table), by a
    non-compliant default the rule itself states (when_missing, to move into the
    table), or stays unknown for a stated reason: never silently."""
    from hipaa_scan.engine import Status, load_rule_pack
    from hipaa_scan.engine.defaults import service_defaults

    table = service_defaults()
    exempt = yaml.safe_load((Path(__file__).parent / "fixtures" / "defaults-exempt.yaml").read_text())
    uncovered = set()
    for rule in load_rule_pack().rules:
        for check in rule.checks:
            if any((t.lower(), check.path.lower()) in table for t in rule.type_keys):
                continue
            if check.when_missing is not Status.UNKNOWN:
                continue
            uncovered.add(f"{rule.id} {check.path}")
    assert uncovered - set(exempt) == set(), "add a default to hipaa_scan/data/service-defaults.json or a reason"
    assert set(exempt) - uncovered == set(), "stale entries in tests/fixtures/defaults-exempt.yaml"
