"""docs/rules.md is generated from the registry (`make docs`) and never
edited by hand: it must be exactly what the generator produces now."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hipaa_scan.controls import load_catalogue
from hipaa_scan.engine import load_rule_pack
from hipaa_scan.reporting.rule_reference import render_rule_reference

RULES_MD = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_rules_md_is_current() -> None:
    expected = render_rule_reference(load_rule_pack(), load_catalogue())
    current = RULES_MD.read_text("utf-8") if RULES_MD.is_file() else ""
    if current != expected:
        old, new = current.splitlines(), expected.splitlines()
        line = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        pytest.fail(f"docs/rules.md is stale: run make docs (first difference at line {line + 1})", pytrace=False)


def test_the_reference_covers_every_rule_and_every_specification() -> None:
    pack, catalogue = load_rule_pack(), load_catalogue()
    text = render_rule_reference(pack, catalogue)
    headings = re.findall(r"^### ([A-Z]+-\d+)$", text, re.MULTILINE)
    assert sorted(headings) == sorted(r.id for r in pack.rules)
    rows = re.findall(r"^\| \[(164\.[^\]]+)\]\(https://www\.ecfr\.gov/[^)]+\) \|", text, re.MULTILINE)
    assert rows == [c.citation for c in catalogue.controls]
    assert "**attestation required**" in text
    assert text == render_rule_reference(pack, catalogue), "deterministic"


def test_custom_rules_are_shown_with_their_pack() -> None:
    example = Path(__file__).resolve().parent.parent / "docs" / "examples" / "custom-rules" / "contoso"
    text = render_rule_reference(load_rule_pack(extra_dirs=[example]), load_catalogue())
    assert "## governance (custom: contoso)" in text
    assert "`contoso/governance/org_01_required_tags.py`" in text
    assert "Custom pack contoso (version contoso-2026.12.1): 1 rule." in text
