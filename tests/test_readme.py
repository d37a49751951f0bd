"""The README's --help block is the real output, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from hipaa_scan.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_help_block_matches_real_output() -> None:
    block = re.search(r"```text\n\$ hipaa-scan scan --help\n(.*?)```", README, re.S)
    assert block, "README lost its scan --help block"
    real = CliRunner().invoke(cli, ["scan", "--help"], prog_name="hipaa-scan").output
    assert block.group(1) == real


def test_readme_opens_with_the_two_commands() -> None:
    head = README[:1500]
    assert "make demo" in head and "make test" in head
