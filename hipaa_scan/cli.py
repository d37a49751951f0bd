"""Command line. The only module that prints or exits.

Exit codes:
  0  no failing finding at or above the --fail-on severity
  1  at least one failing finding at or above it
  2  usage error, unreadable or malformed input, or a report that could not be written
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, assert_never

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hipaa_scan import __version__
from hipaa_scan.controls import load_catalogue
from hipaa_scan.engine import Settings, load_rule_pack, run_rules
from hipaa_scan.errors import ConfigError, HipaaScanError
from hipaa_scan.loaders import load_inputs
from hipaa_scan.model import Severity
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.html_report import render_html
from hipaa_scan.reporting.json_report import checklist_item, render_json, report_document, rule_metadata
from hipaa_scan.reporting.terminal import controls_table, failures_renderable, rules_table, summary_renderable
from hipaa_scan.reporting.write import write_all_atomically
from hipaa_scan.scoring import ScanResult, assess

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
REPORT_STEM = "hipaa-scan-report"
# Show a progress bar once the scan has this many rule evaluations to do.
PROGRESS_THRESHOLD = 20_000


def parse_now(value: str | None) -> datetime:
    """--now wins, then SOURCE_DATE_EPOCH, then the wall clock."""
    if value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"--now {value!r}: expected an ISO 8601 time such as 2026-01-31T00:00:00Z") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError):
            raise ConfigError(f"SOURCE_DATE_EPOCH {epoch!r}: expected whole seconds since 1970") from None
    return datetime.now(tz=UTC)


def parse_formats(value: str) -> list[OutputFormat]:
    formats = []
    for part in (p.strip().lower() for p in value.split(",") if p.strip()):
        try:
            formats.append(OutputFormat(part))
        except ValueError:
            choices = ", ".join(f.value for f in OutputFormat)
            raise ConfigError(f"--format {part!r}: choose from {choices}") from None
    if not formats:
        raise ConfigError("--format: name at least one format")
    return formats


def render(fmt: OutputFormat, document: dict[str, Any]) -> bytes:
    """Every format renders from the one report document."""
    match fmt:
        case OutputFormat.JSON:
            return render_json(document)
        case OutputFormat.HTML:
            return render_html(document).encode("utf-8")
        case _:
            assert_never(fmt)


# A fixed help width keeps --help identical everywhere (the README quotes it).
@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100, "terminal_width": 100})
@click.version_option(__version__, prog_name="hipaa-scan")
def cli() -> None:
    """Check an Azure estate against the HIPAA Security Rule (45 CFR 164.308-164.316)."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--format", "formats", default="json,html", show_default=True, help="Comma-separated: json, html.")
@click.option(
    "--out",
    "out_dir",
    default="hipaa-scan-out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory for the reports.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low", "never"]),
    default="low",
    show_default=True,
    help="Exit 1 when a finding of this severity or higher fails.",
)
@click.option("--allowed-locations", default="", help="Comma-separated approved Azure regions, e.g. eastus,eastus2.")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Fix the scan time (ISO 8601) for reproducible reports; SOURCE_DATE_EPOCH also works.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the report paths.")
@click.option("--debug", is_flag=True, help="Let a crashing rule raise instead of recording an error finding.")
def scan(
    inputs: tuple[str, ...],
    formats: str,
    out_dir: str,
    fail_on: str,
    allowed_locations: str,
    now_text: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Scan exported Azure resource JSON (files, .gz files or directories)."""
    console = Console(stderr=False, highlight=False)
    chosen = parse_formats(formats)
    now = parse_now(now_text)
    settings = Settings(
        allowed_locations=frozenset(loc.strip().lower() for loc in allowed_locations.split(",") if loc.strip())
    )
    pack = load_rule_pack()
    snapshot = load_inputs(inputs)

    with _progress(quiet) as progress:
        task = None

        def on_progress(done: int, total: int) -> None:
            nonlocal task
            if progress is None or total < PROGRESS_THRESHOLD:
                return
            if task is None:
                task = progress.add_task("Evaluating rules", total=total)
            progress.update(task, completed=done)

        findings = run_rules(snapshot, pack.rules, settings=settings, now=now, progress=on_progress, debug=debug)

    result = ScanResult(
        tool_version=__version__,
        rule_pack_version=pack.version,
        rule_pack_sha256=pack.sha256,
        rules=pack.rules,
        snapshot=snapshot,
        findings=findings,
        assessment=assess(load_catalogue(), pack.rules, findings),
        scanned_at=now,
        settings=settings,
        fail_on=None if fail_on == "never" else Severity(fail_on),
    )
    document = report_document(result)
    outputs = {Path(out_dir) / f"{REPORT_STEM}.{fmt.value}": render(fmt, document) for fmt in chosen}
    write_all_atomically(outputs)

    if not quiet:
        console.print(summary_renderable(document))
        console.print(failures_renderable(document))
    for path in outputs:
        console.print(f"report: {path}", soft_wrap=True)
    gate = result.gate_failures()
    if gate:
        click.get_current_context().exit(EXIT_FINDINGS)


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Progress | None]:
    """A stderr progress bar when attached to a terminal; nothing otherwise."""
    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with bar:
        yield bar


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules_command(fmt: str) -> None:
    """List every rule with its severity and HIPAA citations."""
    pack = load_rule_pack()
    rules = [rule_metadata(r) | {"module": r.module} for r in pack.rules]
    if fmt == "json":
        click.echo(orjson.dumps({"rule_pack": pack.version, "rules": rules}, option=orjson.OPT_INDENT_2).decode())
    else:
        Console(highlight=False).print(rules_table(rules))


@cli.command("controls")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def controls_command(fmt: str) -> None:
    """The implementation checklist: every standard and specification, and the rules behind it."""
    pack = load_rule_pack()
    # The same mapping a scan uses, computed from the rules' declared citations.
    # Status and counts belong to a scan, not to the catalogue.
    items = [
        {k: v for k, v in checklist_item(i).items() if k not in ("status", "counts")}
        for i in assess(load_catalogue(), pack.rules, []).items
    ]
    if fmt == "json":
        click.echo(orjson.dumps({"controls": items}, option=orjson.OPT_INDENT_2).decode())
    else:
        Console(highlight=False).print(controls_table(items))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (never raises for user errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = cli.main(args=args, prog_name="hipaa-scan", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("hipaa-scan: aborted", err=True)
        return EXIT_USAGE
    except HipaaScanError as exc:
        if "--debug" in args:
            raise
        click.echo(f"hipaa-scan: error: {exc}", err=True)
        return EXIT_USAGE
    return code if isinstance(code, int) else EXIT_OK


def run() -> None:
    sys.exit(main())
