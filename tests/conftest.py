from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
INPUTS = FIXTURES / "inputs"
SAMPLE = FIXTURES / "sample-tenant"
EXAMPLES = FIXTURES / "api-examples"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
