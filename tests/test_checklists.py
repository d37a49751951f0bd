"""The rules that turn rule results and attestations into a checklist status,
as tables: unknown is never pass, and a missing or expired attestation is
never met."""

from __future__ import annotations

from datetime import date

import pytest

from hipaa_scan.attestations import Attestation
from hipaa_scan.checklists import automated_status, group_result, rule_result
from hipaa_scan.scoring import ItemStatus, combine_with_attestation, empty_counts

TODAY = date(2026, 11, 21)


def counts(**given: int) -> dict[str, int]:
    return empty_counts() | given


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "not_implemented"),
        (counts(), "no_resources"),
        (counts(not_applicable=3), "no_resources"),
        (counts(**{"pass": 3}), "pass"),
        (counts(**{"pass": 3, "unknown": 1}), "unknown"),
        (counts(**{"pass": 3, "error": 1}), "unknown"),
        (counts(**{"pass": 3, "unknown": 1, "fail": 1}), "fail"),
        (counts(**{"pass": 3, "waived": 1}), "fail"),  # a waiver accepts a risk; the control still fails
    ],
)
def test_a_rule_result_is_the_worst_of_its_findings(given: dict[str, int] | None, expected: str) -> None:
    assert rule_result(given) == expected


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        (["fail", "pass"], "pass"),
        (["fail", "unknown"], "unknown"),  # the unjudged alternative might pass
        (["fail", "no_resources"], "fail"),  # an alternative with nothing to judge hides nothing
        (["not_implemented", "fail"], "fail"),
        (["not_implemented", "no_resources"], "not_implemented"),
        (["no_resources", "no_resources"], "no_resources"),
    ],
)
def test_a_group_passes_when_one_alternative_does(results: list[str], expected: str) -> None:
    assert group_result(results) == expected


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([], ItemStatus.NOT_ASSESSED),
        (["pass", "pass"], ItemStatus.MET),
        (["pass", "no_resources"], ItemStatus.MET),
        (["no_resources"], ItemStatus.NO_RESOURCES),
        (["pass", "unknown"], ItemStatus.PARTIALLY_MET),
        (["pass", "not_implemented"], ItemStatus.PARTIALLY_MET),
        (["unknown", "no_resources"], ItemStatus.NOT_ASSESSED),
        (["pass", "fail"], ItemStatus.PARTIALLY_MET),
        (["fail", "unknown"], ItemStatus.NOT_MET),
    ],
)
def test_an_item_is_the_worst_of_its_required_groups(results: list[str], expected: ItemStatus) -> None:
    assert automated_status(results) is expected


def attested(status: str, on: date = date(2026, 3, 1), until: date | None = date(2027, 3, 1)) -> Attestation:
    return Attestation("164.308(a)(1)(ii)(A)", status, "Owner", on, until, ("doc",), "")


M, P, N, NA = ItemStatus.MET, ItemStatus.PARTIALLY_MET, ItemStatus.NOT_MET, ItemStatus.NOT_ASSESSED


@pytest.mark.parametrize(
    ("automated", "needs", "attestation", "by_attestation", "expected"),
    [
        # No attestation needed: one is shown, never decisive.
        (M, False, None, False, M),
        (N, False, attested("met"), False, N),
        (M, False, attested("not_met"), False, M),
        # Needed and missing: never met.
        (M, True, None, False, ItemStatus.NEEDS_ATTESTATION),
        (ItemStatus.NO_RESOURCES, True, None, False, ItemStatus.NEEDS_ATTESTATION),
        (N, True, None, False, N),
        (NA, True, None, True, ItemStatus.NEEDS_ATTESTATION),
        # Needed and expired, or dated after the scan: not met.
        (M, True, attested("met", until=date(2026, 11, 20)), False, N),
        (M, True, attested("met", on=date(2026, 11, 22)), False, N),
        # Decided by the attestation alone.
        (NA, True, attested("met"), True, M),
        (NA, True, attested("not_applicable"), True, ItemStatus.NOT_APPLICABLE),
        # Rules and attestation together: the worse, and unjudged rules keep it partial.
        (M, True, attested("met"), False, M),
        (M, True, attested("partially_met"), False, P),
        (N, True, attested("met"), False, N),
        (NA, True, attested("met"), False, P),
        (M, True, attested("not_met"), False, N),
        (P, True, attested("not_applicable"), False, P),
    ],
)
def test_an_attestation_combines_with_the_rules(
    automated: ItemStatus,
    needs: bool,
    attestation: Attestation | None,
    by_attestation: bool,
    expected: ItemStatus,
) -> None:
    result = combine_with_attestation(automated, needs, attestation, TODAY, decided_by_attestation=by_attestation)
    assert result is expected


def test_the_expiry_day_itself_still_holds() -> None:
    on_the_day = attested("met", until=TODAY)
    assert combine_with_attestation(M, True, on_the_day, TODAY) is M
