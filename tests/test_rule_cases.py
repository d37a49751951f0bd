"""Every rule runs its pass and fail cases from tests/fixtures/rules/<ID>.yaml.

Cases are data: a list of resources in real ARM shapes (or an ARM template),
the expected status on the target resource and, optionally, the observed value."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaa_scan.engine import Settings, load_rule_pack, run_rules
from hipaa_scan.loaders.arm import to_resource
from hipaa_scan.loaders.template import flatten_template
from hipaa_scan.model import ANY_SUBSCRIPTION, Snapshot

CASES_DIR = Path(__file__).parent / "fixtures" / "rules"
PACK = load_rule_pack()
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    return data


def _cases() -> list[Any]:
    out = []
    for path in _case_files():
        data = _load(path)
        for case in data["cases"]:
            out.append(pytest.param(data["rule"], case, id=f"{data['rule']}: {case['name']}"))
    return out


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_rule_case(rule_id: str, case: dict[str, Any]) -> None:
    rule = PACK.by_id()[rule_id]
    if "template" in case:
        # An ARM template case: proves unresolved expressions give unknown.
        resources = tuple(flatten_template(case["template"], "case", "case"))
    else:
        resources = tuple(to_resource(r, "case", f"resources[{i}]") for i, r in enumerate(case["resources"]))
    snapshot = Snapshot(
        resources=resources,
        inputs=(),
        complete_types={t.lower(): frozenset({ANY_SUBSCRIPTION}) for t in case.get("complete", [])},
    )
    given = case.get("settings", {})
    settings = Settings(
        allowed_locations=frozenset(given.get("allowed_locations", [])),
        break_glass_accounts=frozenset(a.lower() for a in given.get("break_glass_accounts", [])),
    )
    findings = run_rules(snapshot, [rule], settings=settings, now=NOW, debug=True)
    target = case.get("target", resources[0].id).lower()
    mine = [f for f in findings if f.resource_id.lower() == target]
    assert len(mine) == 1, f"expected one finding on {target}, got {[f.resource_id for f in findings]}"
    finding = mine[0]
    assert finding.status == case["expect"], f"{finding.status}: {finding.message} (observed {finding.observed!r})"
    if "observed" in case:
        assert finding.observed == case["observed"]
    assert finding.expected, "a verdict must say what was expected"
    assert rule.remediation


def test_every_rule_has_pass_fail_and_unknown_cases() -> None:
    statuses: dict[str, set[str]] = {}
    for path in _case_files():
        data = _load(path)
        assert path.stem == data["rule"], f"{path.name} holds cases for {data['rule']}"
        statuses[data["rule"]] = {c["expect"] for c in data["cases"]}
    # Unknown too: every rule must show what it does when its evidence is not in the input.
    missing = [r.id for r in PACK.rules if not {"pass", "fail", "unknown"} <= statuses.get(r.id, set())]
    assert not missing, f"rules without a pass, a fail and an unknown case: {missing}"
    orphans = sorted(set(statuses) - set(PACK.by_id()))
    assert not orphans, f"case files for rules that do not exist: {orphans}"
