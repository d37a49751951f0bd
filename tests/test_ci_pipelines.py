"""The pipelines in docs/ci are valid YAML, and every hipaa-scan command line
in them is one the CLI accepts (parsed by click, not run)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from hipaa_scan.cli import cli

CI = Path(__file__).resolve().parent.parent / "docs" / "ci"
PIPELINES = sorted(CI.glob("*.yml"))
# Pipeline expressions stand for values only the CI system knows.
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}|\$\([^)]*\)")


def _scripts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "inlineScript") and isinstance(value, str):
                yield value
            else:
                yield from _scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _scripts(item)


def _command_lines(path: Path) -> list[list[str]]:
    document = yaml.safe_load(path.read_text())
    lines = []
    for script in _scripts(document):
        # `run: >-` folds lines into one; `|` keeps them, with \\ continuations.
        for line in script.replace("\\\n", " ").splitlines():
            words = shlex.split(EXPRESSION.sub("VALUE", line))
            if words and words[0] == "hipaa-scan":
                lines.append(words[1:])
    return lines


def test_there_are_pipelines_for_github_and_azure_devops() -> None:
    assert {p.name for p in PIPELINES} == {"github-actions.yml", "azure-pipelines.yml"}


@pytest.mark.parametrize("path", PIPELINES, ids=lambda p: p.name)
def test_every_hipaa_scan_command_in_the_pipeline_parses(path: Path) -> None:
    commands = _command_lines(path)
    assert commands, f"{path.name} runs no hipaa-scan command"
    for args in commands:
        _parse(path, args)


def _parse(path: Path, args: list[str]) -> None:
    # With the group's own settings: click caches each command's help option
    # from the first context it sees (-h/--help here).
    parent = click.Context(cli, info_name="hipaa-scan", **cli.context_settings)
    command = cli.get_command(parent, args[0]) if args else None
    assert command is not None, f"{path.name}: hipaa-scan {' '.join(args)}: no such command"
    try:
        command.make_context(args[0], args[1:], parent=parent)
    except click.UsageError as exc:
        pytest.fail(f"{path.name}: hipaa-scan {' '.join(args)}: {exc.format_message()}")


def test_a_bad_option_in_a_pipeline_would_be_caught() -> None:
    with pytest.raises(pytest.fail.Exception, match="No such option '--fail-when'"):
        _parse(Path("example.yml"), ["scan", "--live", "--fail-when", "high"])


def test_the_github_workflow_uploads_sarif_and_logs_in_without_a_secret() -> None:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text())
    steps = workflow["jobs"]["scan"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("azure/login@") for u in uses)
    login = next(s for s in steps if s.get("uses", "").startswith("azure/login@"))
    assert "client-secret" not in login["with"] and "creds" not in login["with"]
    assert workflow["permissions"]["id-token"] == "write"
    # PyYAML reads the bare key `on` as True (YAML 1.1).
    assert "schedule" in (workflow.get("on") or workflow[True])
