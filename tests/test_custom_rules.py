"""Custom rule packs (`--rules-dir`): an organisation's own rule modules load
through the same API and the same validation as the shipped pack, and every
problem is one RulePackError line naming the file."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaa_scan.engine import Settings, load_rule_pack, run_rules
from hipaa_scan.engine.registry import default_rules_dir
from hipaa_scan.errors import RulePackError
from hipaa_scan.loaders.arm import to_resource
from hipaa_scan.loaders.template import flatten_template
from hipaa_scan.model import Snapshot, Status

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "custom-rules"
EXAMPLE = EXAMPLES / "contoso"  # the pack: what --rules-dir names
CASES = EXAMPLES / "cases"  # its case data, beside the pack (every .py in a pack must be a rule)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

RULE = """
from hipaa_scan.engine import Check, equals, property_rule
{name} = property_rule(
    id="{rid}", title="t", severity="high", resource_types=["Microsoft.KeyVault/vaults"],
    citations=["{citation}"], rationale="r", remediation="m",
    checks=[Check("properties.enablePurgeProtection", equals(True))],
)
"""


def _rule(rid: str = "ORG-02", citation: str = "164.312(b)", name: str = "RULE") -> str:
    return RULE.format(rid=rid, citation=citation, name=name)


def _custom(tmp_path: Path, modules: dict[str, str], name: str = "custom") -> Path:
    """A custom pack without __init__.py files: they are optional outside the shipped pack."""
    root = tmp_path / name
    for rel, text in modules.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _vault(group: str, tags: dict[str, str] | None = None) -> Any:
    raw: dict[str, Any] = {
        "id": f"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/kv",
        "type": "Microsoft.KeyVault/vaults",
        "location": "eastus",
        "properties": {"enablePurgeProtection": True},
    }
    if tags is not None:
        raw["tags"] = tags
    return to_resource(raw, "t", "r")


# --- the example pack ---------------------------------------------------------------------------


def test_the_example_pack_loads_beside_the_shipped_one() -> None:
    shipped = load_rule_pack()
    pack = load_rule_pack(extra_dirs=[EXAMPLE])
    (custom,) = pack.custom
    assert custom.directory == EXAMPLE
    assert custom.version == "contoso-2026.12.1"
    assert custom.rule_ids == ("ORG-01",)
    assert len(custom.sha256) == 64
    assert {r.id for r in pack.rules} == {r.id for r in shipped.rules} | {"ORG-01"}
    assert pack.by_id()["ORG-01"].module == "governance/org_01_required_tags"
    assert pack.origin("ORG-01") == custom and pack.origin(shipped.rules[0].id) is None
    # The shipped pack is described as before; the combined digest covers the custom pack too.
    assert (pack.version, pack.directory, pack.shipped_sha256) == (shipped.version, shipped.directory, shipped.sha256)
    assert shipped.sha256 == shipped.shipped_sha256 and not shipped.custom
    assert pack.sha256 != shipped.sha256


def test_the_example_rule_runs_on_a_resource_with_the_shipped_rules() -> None:
    pack = load_rule_pack(extra_dirs=[EXAMPLE])
    snapshot = Snapshot(resources=(_vault("rg-phi-ehr", {"owner": "ehr-team"}),), inputs=())
    findings = run_rules(snapshot, pack.rules, settings=Settings(), now=NOW)
    mine = [f for f in findings if f.rule_id == "ORG-01"]
    assert [(f.status, f.message) for f in mine] == [(Status.FAIL, "missing or empty: cost-center")]
    assert any(f.rule_id.startswith("KV-") for f in findings), "shipped rules run in the same scan"


def _example_cases() -> list[Any]:
    out: list[Any] = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        out.extend(pytest.param(data["rule"], c, id=f"{data['rule']}: {c['name']}") for c in data["cases"])
    return out


@pytest.mark.parametrize(("rule_id", "case"), _example_cases())
def test_example_case(rule_id: str, case: dict[str, Any]) -> None:
    # The same case format, and the same runner, as tests/test_rule_cases.py.
    rule = load_rule_pack(extra_dirs=[EXAMPLE]).by_id()[rule_id]
    if "template" in case:
        resources = tuple(flatten_template(case["template"], "case", case.get("resource_group", "case")))
    else:
        resources = tuple(to_resource(r, "case", f"resources[{i}]") for i, r in enumerate(case["resources"]))
    findings = run_rules(Snapshot(resources=resources, inputs=()), [rule], settings=Settings(), now=NOW, debug=True)
    target = case.get("target", resources[0].id).lower()
    (finding,) = [f for f in findings if f.resource_id.lower() == target]
    assert finding.status == case["expect"], f"{finding.status}: {finding.message} (observed {finding.observed!r})"
    if "observed" in case:
        assert finding.observed == case["observed"]
    assert finding.expected


def test_the_example_has_pass_and_fail_cases_for_every_rule() -> None:
    pack = load_rule_pack(extra_dirs=[EXAMPLE])
    statuses: dict[str, set[str]] = {}
    for path in CASES.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        statuses[data["rule"]] = {c["expect"] for c in data["cases"]}
    assert all({"pass", "fail"} <= statuses.get(rid, set()) for rid in pack.custom[0].rule_ids)


# --- loading ------------------------------------------------------------------------------------


def test_init_files_are_optional_and_the_version_defaults(tmp_path: Path) -> None:
    bare = _custom(tmp_path, {"org/org_02.py": _rule("ORG-02")}, "bare")
    no_version = _custom(tmp_path, {"__init__.py": '"""Ours."""\n', "org_03.py": _rule("ORG-03")}, "noversion")
    pack = load_rule_pack(extra_dirs=[bare, no_version])
    assert [(c.version, c.rule_ids) for c in pack.custom] == [
        ("unversioned", ("ORG-02",)),
        ("unversioned", ("ORG-03",)),
    ]
    assert pack.by_id()["ORG-02"].module == "org/org_02"


def test_the_combined_digest_follows_a_custom_rule_change(tmp_path: Path) -> None:
    copy = tmp_path / "contoso"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = load_rule_pack(extra_dirs=[copy])
    module = copy / "governance" / "org_01_required_tags.py"
    module.write_text(module.read_text().replace('severity="low"', 'severity="high"'))
    after = load_rule_pack(extra_dirs=[copy])
    assert after.shipped_sha256 == before.shipped_sha256
    assert after.custom[0].sha256 != before.custom[0].sha256
    assert after.sha256 != before.sha256
    # The edited module is loaded afresh, not served from the earlier import.
    assert (before.by_id()["ORG-01"].severity, after.by_id()["ORG-01"].severity) == ("low", "high")


def test_two_custom_packs_with_a_module_of_the_same_name_do_not_share_it(tmp_path: Path) -> None:
    one = _custom(tmp_path, {"org/rule.py": _rule("ORG-02")}, "one")
    two = _custom(tmp_path, {"org/rule.py": _rule("ORG-03")}, "two")
    pack = load_rule_pack(extra_dirs=[one, two])
    assert [c.rule_ids for c in pack.custom] == [("ORG-02",), ("ORG-03",)]


# --- every problem is one line naming the file --------------------------------------------------


def _error(tmp_path: Path, *dirs: Path) -> str:
    with pytest.raises(RulePackError) as caught:
        load_rule_pack(extra_dirs=list(dirs))
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def test_an_id_taken_by_a_shipped_rule_names_both_files(tmp_path: Path) -> None:
    shipped = load_rule_pack()
    taken = shipped.rules[0]
    custom = _custom(tmp_path, {"org/mine.py": _rule(taken.id)})
    message = _error(tmp_path, custom)
    assert "duplicate id" in message
    assert str(custom / "org" / "mine.py") in message
    assert str(default_rules_dir() / f"{taken.module}.py") in message


def test_an_id_taken_by_another_custom_pack_names_both_files(tmp_path: Path) -> None:
    one = _custom(tmp_path, {"a.py": _rule("ORG-09")}, "one")
    two = _custom(tmp_path, {"b.py": _rule("ORG-09")}, "two")
    message = _error(tmp_path, one, two)
    assert message.startswith(f"{two / 'b.py'}: rule ORG-09: duplicate id, also defined in {one / 'a.py'}")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (_rule(citation="164.312(z)"), "rule ORG-02: unknown citation '164.312(z)'"),
        (_rule() + _rule("ORG-03", name="OTHER"), "a rule module defines exactly one rule (found 2)"),
        ("import nonexistent_module_xyz\n", "failed to import (ModuleNotFoundError: No module named"),
        ("def broken(:\n", "failed to import (SyntaxError:"),
        (_rule(rid="org-2"), "rule org-2: id must look like 'KV-01'"),
        (_rule().replace('severity="high"', 'severity="severe"'), "failed to import (ValueError:"),
        ('"""No rule here."""\n', "exactly one rule (found 0)"),
    ],
    ids=["bad citation", "two rules", "import error", "syntax error", "bad id", "bad severity", "no rule"],
)
def test_a_bad_custom_module_is_one_line_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    custom = _custom(tmp_path, {"org/bad.py": text})
    message = _error(tmp_path, custom)
    assert message.startswith(f"{custom / 'org' / 'bad.py'}: "), message
    assert problem in message


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    assert _error(tmp_path, tmp_path / "nope") == f"{tmp_path / 'nope'}: custom rule directory does not exist"
    (tmp_path / "file.py").write_text("")
    assert _error(tmp_path, tmp_path / "file.py") == f"{tmp_path / 'file.py'}: custom rule directory is not a directory"


def test_a_directory_that_overlaps_a_loaded_pack_is_refused(tmp_path: Path) -> None:
    custom = _custom(tmp_path, {"a.py": _rule()})
    assert "overlaps the shipped rule pack" in _error(tmp_path, default_rules_dir())
    assert "overlaps the shipped rule pack" in _error(tmp_path, default_rules_dir().parent)
    assert f"overlaps custom rule directory {custom}" in _error(tmp_path, custom, custom)


def test_a_bad_version_is_named(tmp_path: Path) -> None:
    custom = _custom(tmp_path, {"__init__.py": "RULE_PACK_VERSION = 3\n", "a.py": _rule()})
    assert _error(tmp_path, custom) == f"{custom / '__init__.py'}: RULE_PACK_VERSION must be a non-empty string"


def test_a_module_name_that_is_no_identifier_is_named(tmp_path: Path) -> None:
    custom = _custom(tmp_path, {"org/org-02.py": _rule()})
    message = _error(tmp_path, custom)
    assert message.startswith(f"{custom / 'org' / 'org-02.py'}: folder and file names of rule modules must be Python")
