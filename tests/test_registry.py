"""Rule-pack loading: validation at start-up, and a crashing rule becomes an
`error` finding while the run goes on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hipaa_scan.controls import load_catalogue
from hipaa_scan.engine import Settings, load_rule_pack, run_rules
from hipaa_scan.errors import RulePackError
from hipaa_scan.loaders.arm import to_resource
from hipaa_scan.model import Snapshot, Status

GOOD = """
from hipaa_scan.engine import Check, equals, property_rule
RULE = property_rule(
    id="{rid}", title="t", severity="high", resource_types=["Microsoft.KeyVault/vaults"],
    citations=["{citation}"], rationale="r", remediation="m",
    checks=[Check("properties.enablePurgeProtection", equals(True))],
)
"""
CRASHING = """
from hipaa_scan.engine import Context, Resource, Verdict, rule
@rule(id="ZZ-02", title="t", severity="low", resource_types=["Microsoft.KeyVault/vaults"],
      citations=["164.312(b)"], rationale="r", remediation="m")
def check(resource: Resource, ctx: Context) -> Verdict:
    raise KeyError("boom")
"""


def _pack(tmp_path: Path, modules: dict[str, str]) -> Path:
    root = tmp_path / "pack"
    (root / "svc").mkdir(parents=True)
    (root / "__init__.py").write_text('RULE_PACK_VERSION = "test"\n')
    (root / "svc" / "__init__.py").write_text("")
    for name, text in modules.items():
        (root / "svc" / f"{name}.py").write_text(text)
    return root


def test_shipped_pack_loads_and_cites_only_catalogue_entries() -> None:
    pack = load_rule_pack()
    catalogue = load_catalogue()
    assert len(pack.rules) >= 40
    assert all(c in catalogue for r in pack.rules for c in r.citations)
    assert len(pack.sha256) == 64


@pytest.mark.parametrize(
    ("modules", "problem"),
    [
        (
            {
                "a": GOOD.format(rid="ZZ-01", citation="164.312(b)"),
                "b": GOOD.format(rid="ZZ-01", citation="164.312(b)"),
            },
            "duplicate id",
        ),
        ({"a": GOOD.format(rid="ZZ-01", citation="164.312(z)")}, "unknown citation '164.312(z)'"),
        ({"a": GOOD.format(rid="bad id", citation="164.312(b)")}, "id must look like"),
        (
            {
                "a": GOOD.format(rid="ZZ-01", citation="164.312(b)")
                + GOOD.format(rid="ZZ-02", citation="164.312(b)").replace("RULE", "OTHER")
            },
            "exactly one rule",
        ),
        ({"a": "import nonexistent_module_xyz\n"}, "failed to import"),
    ],
)
def test_bad_rule_packs_fail_at_start_up(tmp_path: Path, modules: dict[str, str], problem: str) -> None:
    with pytest.raises(RulePackError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_rule_pack(_pack(tmp_path, modules))


def test_two_packs_do_not_share_modules(tmp_path: Path) -> None:
    shipped = load_rule_pack()
    other = load_rule_pack(_pack(tmp_path, {"a": GOOD.format(rid="ZZ-01", citation="164.312(b)")}))
    assert other.version == "test" and shipped.version != "test"
    assert [r.id for r in other.rules] == ["ZZ-01"]


def test_crashing_rule_is_an_error_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    pack = load_rule_pack(_pack(tmp_path, {"good": GOOD.format(rid="ZZ-01", citation="164.312(b)"), "crash": CRASHING}))
    vault = to_resource(
        {
            "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv",
            "type": "Microsoft.KeyVault/vaults",
            "properties": {"enablePurgeProtection": True},
        },
        "t",
        "r",
    )
    snapshot = Snapshot(resources=(vault,), inputs=())
    now = datetime(2026, 1, 1, tzinfo=UTC)
    findings = {f.rule_id: f for f in run_rules(snapshot, pack.rules, settings=Settings(), now=now)}
    assert findings["ZZ-01"].status is Status.PASS
    assert findings["ZZ-02"].status is Status.ERROR
    assert "KeyError" in findings["ZZ-02"].message
    with pytest.raises(KeyError):
        run_rules(snapshot, pack.rules, settings=Settings(), now=now, debug=True)


UNDECLARED = """
from hipaa_scan.engine import Context, Resource, Verdict, rule, unknown
@rule(id="ZZ-03", title="t", severity="low", resource_types=["Microsoft.KeyVault/vaults"],
      citations=["164.312(b)"], rationale="r", remediation="m", reads={reads})
def check(resource: Resource, ctx: Context) -> Verdict:
    found = ctx.extensions(resource, "Microsoft.Insights/diagnosticSettings")
    return unknown("p", f"{{len(found.items)}} settings", "e")
"""


@pytest.mark.parametrize(
    ("reads", "status"), [("[]", Status.ERROR), ('["Microsoft.Insights/diagnosticSettings"]', Status.UNKNOWN)]
)
def test_a_rule_reads_only_the_types_it_declares(tmp_path: Path, reads: str, status: Status) -> None:
    # The live collector fetches exactly what rules declare, so an undeclared read is a rule bug.
    pack = load_rule_pack(_pack(tmp_path, {"a": UNDECLARED.format(reads=reads)}))
    vault = to_resource(
        {
            "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv",
            "type": "Microsoft.KeyVault/vaults",
        },
        "t",
        "r",
    )
    (finding,) = run_rules(
        Snapshot(resources=(vault,), inputs=()), pack.rules, settings=Settings(), now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert finding.status is status
    if status is Status.ERROR:
        assert "does not declare" in finding.message


def test_bad_reads_fail_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="reads must list ARM types"):
        load_rule_pack(_pack(tmp_path, {"a": UNDECLARED.format(reads='["diagnosticSettings"]')}))
