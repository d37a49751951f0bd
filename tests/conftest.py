from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
INPUTS = FIXTURES / "inputs"
SAMPLE = FIXTURES / "sample-tenant"
EXAMPLES = FIXTURES / "api-examples"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def weakened_sample(tmp_path: Path) -> Path:
    """A copy of the sample tenant in which one storage account
    (stcontosophidocs) allows TLS 1.0: exactly one more failing finding
    (ST-02) than the sample, for tests of baselines, history and diffs."""
    estate = tmp_path / "weakened-estate"
    shutil.copytree(SAMPLE, estate)
    prod = estate / "contoso-health-prod.json"
    text = prod.read_text()
    old, new = '"minimumTlsVersion": "TLS1_2"', '"minimumTlsVersion": "TLS1_0"'
    at = text.index(old, text.index('"name": "stcontosophidocs"'))
    prod.write_text(text[:at] + new + text[at + len(old) :])
    return estate
