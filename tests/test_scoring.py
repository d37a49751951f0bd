"""Checklist statuses and the severity-weighted score, on real rules."""

from __future__ import annotations

from hipaa_scan.controls import Evidence, load_catalogue
from hipaa_scan.engine import load_rule_pack
from hipaa_scan.model import Finding, RuleId, Status
from hipaa_scan.scoring import ItemStatus, RuleSummary, assess, empty_counts, item_status, score_of

CATALOGUE = load_catalogue()
PACK = load_rule_pack()
RULES = PACK.by_id()


def counts(**given: int) -> dict[str, int]:
    out = empty_counts()
    out.update(given)
    return out


def test_item_status_table() -> None:
    technical = CATALOGUE.by_citation["164.312(e)(2)(ii)"]
    assert technical.evidence is Evidence.AUTOMATED
    assert item_status(technical, True, counts(**{"pass": 3})) is ItemStatus.MET
    assert item_status(technical, True, counts(**{"pass": 3, "fail": 1})) is ItemStatus.PARTIALLY_MET
    assert item_status(technical, True, counts(fail=2)) is ItemStatus.NOT_MET
    assert item_status(technical, True, counts(**{"pass": 2, "unknown": 1})) is ItemStatus.PARTIALLY_MET
    assert item_status(technical, True, counts(unknown=2, error=1)) is ItemStatus.NOT_ASSESSED
    assert item_status(technical, True, counts(not_applicable=2)) is ItemStatus.NO_RESOURCES
    assert item_status(technical, True, counts()) is ItemStatus.NO_RESOURCES
    assert item_status(technical, False, counts()) is ItemStatus.NOT_ASSESSED
    baa = CATALOGUE.by_citation["164.308(b)(1)"]
    assert item_status(baa, False, counts()) is ItemStatus.NEEDS_ATTESTATION


def test_score_weights_severity_and_counts_unknown_against() -> None:
    critical = RuleSummary(RULES["NET-01"], counts(**{"pass": 1, "fail": 1}))  # weight 10
    assert RULES["KV-03"].severity.value == "medium"  # weight 3
    medium = RuleSummary(RULES["KV-03"], counts(**{"pass": 4, "unknown": 1, "not_applicable": 7}))
    score = score_of("x", "x", [critical, medium])
    assert score.passed_weight == 10 + 4 * 3
    assert score.total_weight == 20 + 5 * 3  # not_applicable excluded, unknown counted against
    assert score.score == 62.9
    assert score_of("x", "x", [RuleSummary(RULES["KV-02"], counts(not_applicable=3))]).score is None


def test_assess_puts_every_specification_in_the_checklist() -> None:
    finding = Finding(
        rule_id=RuleId("KV-02"),
        subscription_id="s",
        resource_id="/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv",
        resource_type="Microsoft.KeyVault/vaults",
        status=Status.FAIL,
        path="properties.enablePurgeProtection",
        observed=False,
        expected="== True",
        message="",
    )
    result = assess(CATALOGUE, PACK.rules, [finding])
    assert len(result.items) == len(CATALOGUE.controls) == 66
    by_citation = {i.control.citation: i for i in result.items}
    assert by_citation["164.312(c)(1)"].status is ItemStatus.NOT_MET
    # a standard aggregates its specifications: 164.312(a)(1) includes (a)(2)(iv)
    assert by_citation["164.312(a)(1)"].counts["fail"] >= 1
    assert by_citation["164.316(a)"].status is ItemStatus.NEEDS_ATTESTATION
    assert result.overall.score == 0.0
