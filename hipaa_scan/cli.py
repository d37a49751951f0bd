"""Command line. The only module that prints or exits.

Exit codes:
  0  every gate passed (--fail-on, --gate, --min-score; with --fail-on-new, new findings only)
  1  at least one gate failed
  2  usage error, unreadable or malformed input, a report that could not be written,
     or a live collection that could not authenticate
  3  --fail-on-incomplete: the evidence has coverage gaps (and every gate passed)
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hipaa_scan import __version__
from hipaa_scan.collector.clouds import CLOUDS, Cloud, resolve_cloud
from hipaa_scan.controls import PROFILES
from hipaa_scan.errors import ConfigError, HipaaScanError
from hipaa_scan.model import Semantics, Severity
from hipaa_scan.reporting import OutputFormat

# The engine, rule pack, reporting and scoring are imported by the commands
# that use them, so `hipaa-scan --help` and `--version` start in well under 0.3 s.
if TYPE_CHECKING:
    from hipaa_scan.commands import CollectOutcome

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
# Show a progress bar once the scan has this many resources to evaluate.
PROGRESS_THRESHOLD = 5_000

# What a command built, kept until the process ends when run as the console
# script: a tenant-scale scan holds millions of small objects, and freeing them
# one by one on the way out costs more than some whole scans (1.5 s at 100,000
# resources). run() ends the process without that teardown once everything is
# written; tests calling main() keep nothing.
_RETAINED: list[object] | None = None


def _retain(value: object) -> None:
    if _RETAINED is not None:
        _RETAINED.append(value)


def parse_jobs(text: str) -> int | None:
    """``auto`` (None) or a positive process count."""
    if text.strip().lower() == "auto":
        return None
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if not 1 <= jobs <= 64:
        raise click.BadParameter(f"{text!r} is not 'auto' or a number from 1 to 64", param_hint="--jobs")
    return jobs


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


def _options(options: Sequence[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def apply(fn: Any) -> Any:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return apply


# Where and what to collect: shared by `collect` and `scan --live`.
COLLECTION_OPTIONS = [
    click.option("--tenant", default=None, help="Entra tenant id (default: the one the subscriptions belong to)."),
    click.option(
        "--subscription",
        "subscriptions",
        multiple=True,
        help="Subscription id to collect (repeatable; default: every subscription the identity can read).",
    ),
    click.option("--management-group", default=None, help="Collect the subscriptions under this management group."),
    click.option(
        "--cloud",
        type=click.Choice(list(CLOUDS)),
        default="AzureCloud",
        show_default=True,
        envvar="HIPAA_SCAN_CLOUD",
        help="Azure cloud.",
    ),
    click.option("--arm-endpoint", envvar="HIPAA_SCAN_ARM_ENDPOINT", help="Custom Resource Manager URL."),
    click.option("--authority-host", envvar="HIPAA_SCAN_AUTHORITY_HOST", help="Custom Entra authority URL."),
    click.option("--graph-endpoint", envvar="HIPAA_SCAN_GRAPH_ENDPOINT", help="Custom Microsoft Graph URL."),
    click.option("--concurrency", type=click.IntRange(1, 64), default=16, show_default=True, help="Parallel requests."),
    click.option("--no-graph", is_flag=True, help="Skip Microsoft Graph (identity rules are then unknown)."),
    click.option("-v", "--verbose", is_flag=True, help="Log each request: method, URL path, status, time."),
]

BREAK_GLASS = click.option(
    "--break-glass",
    "break_glass",
    multiple=True,
    help="Emergency-access account (object id or UPN; repeatable).",
)
FAIL_ON_INCOMPLETE = click.option(
    "--fail-on-incomplete",
    is_flag=True,
    help=f"Exit {EXIT_INCOMPLETE} when the evidence has coverage gaps.",
)


def _cloud(cloud: str, arm_endpoint: str | None, authority_host: str | None, graph_endpoint: str | None) -> Cloud:
    return resolve_cloud(cloud, arm_endpoint=arm_endpoint, authority_host=authority_host, graph_endpoint=graph_endpoint)


@contextlib.contextmanager
def _request_log(verbose: bool) -> Iterator[None]:
    """-v: one stderr line per request (the collector logs no header, so no token)."""
    collector_log = logging.getLogger("hipaa_scan.collector")
    azure_log = logging.getLogger("azure")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = (collector_log.level, azure_log.level)
    collector_log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    collector_log.addHandler(handler)
    # azure-identity explains at WARNING which credentials it tried; keep that
    # for -v and silence it otherwise (an authentication failure is still reported).
    azure_log.setLevel(logging.WARNING if verbose else logging.CRITICAL)
    try:
        yield
    finally:
        collector_log.removeHandler(handler)
        collector_log.setLevel(saved[0])
        azure_log.setLevel(saved[1])


def _collect(
    out: Path,
    quiet: bool,
    opts: dict[str, Any],
    now: datetime,
    break_glass: Sequence[str],
    rules_dirs: Sequence[Path] = (),
) -> CollectOutcome:
    from hipaa_scan.commands import collect_snapshot

    with _request_log(opts["verbose"]), _progress(quiet) as progress:
        tasks: dict[str, Any] = {}

        def on_progress(phase: str, done: int, total: int) -> None:
            if progress is None:
                return
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase.capitalize(), total=total)
            progress.update(tasks[phase], completed=done, total=total)

        return collect_snapshot(
            out,
            cloud=_cloud(opts["cloud"], opts["arm_endpoint"], opts["authority_host"], opts["graph_endpoint"]),
            now=now,
            tenant=opts["tenant"],
            subscriptions=opts["subscriptions"],
            management_group=opts["management_group"],
            break_glass=break_glass,
            concurrency=opts["concurrency"],
            graph=not opts["no_graph"],
            progress=on_progress,
            rules_dirs=rules_dirs,
        )


def _collect_summary(outcome: CollectOutcome) -> str:
    c = outcome.collection
    manifest = c.document["manifest"]
    phases = ", ".join(f"{k} {v}" for k, v in sorted(c.stats.by_phase.items()))
    return (
        f"collected {len(c.document['resources'])} resources from {len(manifest['subscriptions'])} subscriptions"
        f" in {c.stats.total} requests ({phases}); {len(c.gaps)} coverage gaps; {c.redactions} secrets redacted"
    )


RULES_DIR = click.option(
    "--rules-dir",
    "rules_dirs",
    multiple=True,
    metavar="DIR",
    # Not exists=True: the registry names a missing directory in its own one-line error.
    type=click.Path(path_type=Path),
    help="Custom rule modules, loaded and validated like the shipped rules (repeatable).",
)


# A fixed help width keeps --help identical everywhere (the README quotes it).
@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100, "terminal_width": 100})
@click.version_option(__version__, prog_name="hipaa-scan")
def cli() -> None:
    """Check an Azure estate against the HIPAA Security Rule (45 CFR 164.308-164.316)."""


@cli.command()
@click.argument("inputs", nargs=-1, required=False, metavar="[INPUT]...")
@click.option("--live", is_flag=True, help="Collect from Azure first (see `hipaa-scan collect`), then scan.")
@click.option(
    "--format",
    "formats",
    default="json,html",
    show_default=True,
    help="Comma-separated: json, html, pdf, sarif, junit, markdown, csv.",
)
@click.option(
    "--report-url",
    default=None,
    metavar="URL",
    help="Where the Markdown summary links to the full report (e.g. the CI run's artifacts).",
)
@click.option(
    "--out",
    "out_dir",
    default="hipaa-scan-out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory for the reports (and, with --live, the snapshot).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low", "never"]),
    default="low",
    show_default=True,
    help="Exit 1 when a finding of this severity or higher fails.",
)
@click.option(
    "--gate",
    "gate_citations",
    multiple=True,
    metavar="CITATION",
    help="Exit 1 when a finding of a rule citing this specification fails, e.g. 164.312(b) (repeatable).",
)
@click.option(
    "--min-score",
    "min_scores",
    multiple=True,
    metavar="[SECTION=]N",
    help="Exit 1 when the overall score, or a safeguard's (164.312=80), is below N (repeatable).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="RESULTS.json",
    help="The JSON report of an accepted earlier scan, for --fail-on-new.",
)
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Accepted failing findings (YAML; see the README): shown as waived, failing no gate, until they expire.",
)
@click.option(
    "--waiver-max-days",
    type=click.IntRange(1, 3650),
    default=365,
    show_default=True,
    help="Reject a waiver that expires further away than this.",
)
@click.option(
    "--history",
    "history_file",
    is_flag=False,
    flag_value=".hipaa-scan/history.db",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="[PATH.db]",
    help="Record this scan in a SQLite history (default .hipaa-scan/history.db); reports show the change since "
    "the previous scan of the same scope.",
)
@click.option(
    "--fail-on-new",
    is_flag=True,
    help="The finding gates count only findings that did not fail in --baseline (same rule and resource).",
)
@click.option(
    "--attestations",
    "attestations_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="What no API shows (YAML from `hipaa-scan attest init`): BAA, training, plans; shown in every report.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Organization policy (TOML; default ./hipaa-scan.toml when present): regions, TLS, retention, PHI scope.",
)
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES)),
    default=None,
    help="hipaa: the rule in force (default). hipaa-nprm-2025 adds a readiness view of the 2025 proposed rule.",
)
@RULES_DIR
@FAIL_ON_INCOMPLETE
@click.option(
    "--allowed-locations",
    default="",
    help="Comma-separated approved Azure regions, e.g. eastus,eastus2 (overrides --config).",
)
@BREAK_GLASS
@click.option(
    "--parameters",
    "parameter_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="ARM parameters file for the templates scanned (repeatable).",
)
@click.option(
    "--template-mode",
    type=click.Choice(["desired", "observed"]),
    default="desired",
    show_default=True,
    help="Read ARM templates as desired state (defaults apply, undeclared children absent) or as an export.",
)
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Fix the scan time (ISO 8601) for reproducible reports; SOURCE_DATE_EPOCH also works.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the report paths.")
@click.option("--debug", is_flag=True, help="Let a crashing rule raise instead of recording an error finding.")
@click.option(
    "--jobs",
    "jobs_text",
    default="auto",
    show_default=True,
    metavar="N|auto",
    help="Processes that evaluate rules and write reports (forked; Linux only, elsewhere 1). "
    "auto: one per usable CPU, up to 4, from 40,000 rule evaluations.",
)
@_options(COLLECTION_OPTIONS)
def scan(
    inputs: tuple[str, ...],
    live: bool,
    formats: str,
    out_dir: str,
    fail_on: str,
    fail_on_incomplete: bool,
    allowed_locations: str,
    break_glass: tuple[str, ...],
    parameter_files: tuple[str, ...],
    template_mode: str,
    now_text: str | None,
    quiet: bool,
    debug: bool,
    jobs_text: str,
    report_url: str | None,
    gate_citations: tuple[str, ...],
    min_scores: tuple[str, ...],
    baseline: Path | None,
    fail_on_new: bool,
    history_file: Path | None,
    waivers_file: Path | None,
    waiver_max_days: int,
    attestations_file: Path | None,
    config_file: Path | None,
    profile: str | None,
    rules_dirs: tuple[Path, ...],
    **collection: Any,
) -> None:
    """Scan exported Azure resource JSON (files, .gz files or directories), or a live tenant with --live."""
    from hipaa_scan.commands import LIVE_SNAPSHOT, gate_policy
    from hipaa_scan.commands import scan as run_scan
    from hipaa_scan.policy import find_policy, load_policy
    from hipaa_scan.reporting.json_report import rfc3339
    from hipaa_scan.reporting.terminal import (
        failures_renderable,
        gaps_renderable,
        gates_renderable,
        summary_renderable,
    )

    console = Console(stderr=False, highlight=False)
    if live == bool(inputs):
        raise click.UsageError("give INPUT files or directories, or --live (not both)")
    chosen = parse_formats(formats)
    now = parse_now(now_text)
    jobs = parse_jobs(jobs_text)
    if fail_on_new and baseline is None:
        raise click.UsageError("--fail-on-new compares with a --baseline RESULTS.json; give one")
    policy = gate_policy(
        None if fail_on == "never" else Severity(fail_on), gate_citations, min_scores, baseline, fail_on_new
    )
    found = find_policy(config_file)
    org = load_policy(found)
    settings = org.settings([loc for loc in allowed_locations.split(",") if loc.strip()], break_glass)
    if live:
        accounts = break_glass or org.break_glass_accounts
        # The policy's tenant is the one to sign in to, unless --tenant says otherwise.
        collection["tenant"] = collection["tenant"] or org.expected_tenant
        collected = _collect(Path(out_dir) / LIVE_SNAPSHOT, quiet, collection, now, accounts, rules_dirs)
        if not quiet:
            console.print(_collect_summary(collected), soft_wrap=True)
        inputs = (str(collected.path),)
    # How this scan was asked for, as the evidence manifest records it and
    # `verify --rescan` replays it (a --live scan replays its snapshot).
    invocation = {
        "command": "scan",
        "cwd": str(Path.cwd()),
        "now": rfc3339(now),
        "inputs": list(inputs),
        "options": {
            "live": live,
            "formats": [f.value for f in chosen],
            "fail_on": fail_on,
            "gate": list(gate_citations),
            "min_score": list(min_scores),
            "baseline": str(baseline) if baseline else None,
            "fail_on_new": fail_on_new,
            "waivers": str(waivers_file) if waivers_file else None,
            "waiver_max_days": waiver_max_days,
            "attestations": str(attestations_file) if attestations_file else None,
            "config": str(found) if found else None,
            "profile": profile,
            "allowed_locations": allowed_locations,
            "break_glass": list(break_glass),
            "parameters": list(parameter_files),
            "template_mode": template_mode,
            "report_url": report_url,
            "rules_dir": [str(d) for d in rules_dirs],
            "history": str(history_file) if history_file else None,
        },
    }

    if _RETAINED is not None:
        # As a console script the process ends once the reports are written:
        # leave the collector off, so the millions of objects the scan made
        # are never walked by a collection on the way out.
        gc.disable()
    with _progress(quiet) as progress:
        task = None

        def on_progress(done: int, total: int) -> None:
            nonlocal task
            if progress is None or total < PROGRESS_THRESHOLD:
                return
            if task is None:
                task = progress.add_task("Evaluating resources", total=total)
            progress.update(task, completed=done)

        outcome = run_scan(
            inputs,
            formats=chosen,
            out_dir=Path(out_dir),
            settings=settings,
            now=now,
            fail_on=None if fail_on == "never" else Severity(fail_on),
            progress=on_progress,
            debug=debug,
            parameter_files=parameter_files,
            template_mode=Semantics(template_mode),
            jobs=jobs,
            report_url=report_url,
            gates=policy,
            history_file=history_file,
            waivers_file=waivers_file,
            waiver_max_days=waiver_max_days,
            policy=org,
            attestations_file=attestations_file,
            profile=profile,
            rules_dirs=rules_dirs,
            invocation=invocation,
            extra_outputs=(Path(inputs[0]),) if live else (),
        )
        _retain(outcome)

    if not quiet:
        console.print(summary_renderable(outcome.document))
        console.print(failures_renderable(outcome.document))
        console.print(gaps_renderable(outcome.document))
    if not quiet or outcome.gate_failures:
        console.print(gates_renderable(outcome.gates), soft_wrap=True)
    for waiver in outcome.document["manifest"]["waivers"]:
        if waiver["state"] != "active" and not quiet:
            console.print(
                f"waiver {waiver['id']} is {waiver['state']}"
                + (f" (expired {waiver['expires']}: its findings fail again)" if waiver["state"] == "expired" else "")
                + (" (it matches no failing finding)" if waiver["state"] == "stale" else ""),
                style="yellow",
                soft_wrap=True,
            )
    previous = outcome.document["manifest"]["previous"]
    if previous is not None and not quiet:
        console.print(
            f"Since scan {previous['scan_id']} ({previous['scanned_at']}): {previous['new']} new failing, "
            f"{previous['resolved']} resolved, {previous['changed']} changed",
            soft_wrap=True,
        )
    for path in outcome.reports:
        console.print(f"report: {path}", soft_wrap=True)
    if outcome.gate_failures:
        click.get_current_context().exit(EXIT_FINDINGS)
    if fail_on_incomplete and outcome.gaps:
        click.get_current_context().exit(EXIT_INCOMPLETE)


@cli.command()
@click.option(
    "--out",
    default="hipaa-scan-snapshot.json.gz",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Snapshot file (gzip when it ends in .gz).",
)
@BREAK_GLASS
@RULES_DIR
@FAIL_ON_INCOMPLETE
@click.option("--now", "now_text", default=None, help="Fix collected_at (ISO 8601); SOURCE_DATE_EPOCH also works.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the snapshot path.")
@_options(COLLECTION_OPTIONS)
def collect(
    out: str,
    break_glass: tuple[str, ...],
    rules_dirs: tuple[Path, ...],
    fail_on_incomplete: bool,
    now_text: str | None,
    quiet: bool,
    **collection: Any,
) -> None:
    """Collect a read-only snapshot of a live tenant (Azure and Microsoft Entra ID)."""
    console = Console(highlight=False)
    outcome = _collect(Path(out), quiet, collection, parse_now(now_text), break_glass, rules_dirs)
    if not quiet:
        console.print(_collect_summary(outcome), soft_wrap=True)
        for gap in outcome.collection.gaps:
            console.print(f"gap: {gap.scope} {gap.api}: {gap.status} {gap.message}", soft_wrap=True, markup=False)
    console.print(f"snapshot: {outcome.path}", soft_wrap=True)
    if fail_on_incomplete and outcome.collection.gaps:
        click.get_current_context().exit(EXIT_INCOMPLETE)


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


@cli.command("report")
@click.argument("results", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "formats",
    default="sarif,junit,markdown,csv",
    show_default=True,
    help="Comma-separated: json, html, pdf, sarif, junit, markdown, csv.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for the reports (default: the one RESULTS is in).",
)
@click.option("--report-url", default=None, metavar="URL", help="Where the Markdown summary links to the full report.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the report paths.")
def report_command(results: Path, formats: str, out_dir: Path | None, report_url: str | None, quiet: bool) -> None:
    """Render other formats from the JSON report of an earlier scan, without scanning again."""
    from hipaa_scan.commands import report

    outcome = report(results, formats=parse_formats(formats), out_dir=out_dir or results.parent, report_url=report_url)
    console = Console(stderr=False, highlight=False)
    if not quiet:
        score = outcome.view.checklist["overall"]["score"]
        shown = "n/a" if score is None else f"{score}%"
        console.print(f"{results}: {len(outcome.view.findings)} findings, overall score {shown}", soft_wrap=True)
    for path in outcome.reports:
        console.print(f"report: {path}", soft_wrap=True)


HISTORY_OPTION = click.option(
    "--history",
    "history_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=".hipaa-scan/history.db",
    show_default=True,
    help="The SQLite scan history.",
)


@cli.command("history")
@HISTORY_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def history_command(history_file: Path, fmt: str) -> None:
    """The trend of recorded scans: score and failing findings, oldest first."""
    from hipaa_scan.commands import history_trend

    records = history_trend(history_file)
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "scanned_at": r.scanned_at,
                "scope": r.scope,
                "tool_version": r.tool_version,
                "rule_pack_version": r.rule_pack_version,
                "overall": r.overall,
                "failing": r.failing,
                "unknown": r.unknown,
                "scores": dict(r.scores),
            }
            for r in records
        ]
        click.echo(orjson.dumps({"scans": rows}, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title=f"Scan history: {history_file}", title_justify="left")
    for column in ("id", "scanned at", "scope", "overall", "change", "failing", "unknown or error"):
        table.add_column(column, justify="right" if column not in ("scanned at", "scope") else "left", overflow="fold")
    last: dict[str, float | None] = {}
    for r in records:
        before = last.get(r.scope)
        trend = "" if before is None or r.overall is None else f"{r.overall - before:+.1f}"
        last[r.scope] = r.overall
        overall = "n/a" if r.overall is None else f"{r.overall:.1f}%"
        table.add_row(str(r.id), r.scanned_at, r.scope, overall, trend, str(r.failing), str(r.unknown))
    Console(highlight=False).print(table, soft_wrap=True)


@cli.command("diff")
@click.argument("old")
@click.argument("new")
@HISTORY_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(old: str, new: str, history_file: Path, fmt: str) -> None:
    """New, resolved and changed findings between two scans: JSON reports, or ids from `hipaa-scan history`."""
    from hipaa_scan.commands import diff_scans
    from hipaa_scan.reporting.diff import diff_document, diff_renderable

    change = diff_scans(old, new, history_file)
    if fmt == "json":
        click.echo(orjson.dumps(diff_document(change), option=orjson.OPT_INDENT_2).decode())
        return
    Console(highlight=False).print(diff_renderable(change, old_label=old, new_label=new), soft_wrap=True)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@RULES_DIR
def rules_command(fmt: str, rules_dirs: tuple[Path, ...]) -> None:
    """List every rule with its severity and HIPAA citations."""
    from hipaa_scan.commands import custom_pack_records
    from hipaa_scan.engine import load_rule_pack
    from hipaa_scan.reporting.json_report import rule_metadata
    from hipaa_scan.reporting.terminal import rules_table

    pack = load_rule_pack(extra_dirs=rules_dirs)
    rules = [
        rule_metadata(r) | {"module": r.module, "pack": str(o.directory) if (o := pack.origin(r.id)) else "shipped"}
        for r in pack.rules
    ]
    if fmt == "json":
        listing = {"rule_pack": pack.version, "custom": list(custom_pack_records(pack)), "rules": rules}
        click.echo(orjson.dumps(listing, option=orjson.OPT_INDENT_2).decode())
    else:
        Console(highlight=False).print(rules_table(rules))


@cli.command("verify")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--rescan", is_flag=True, help="Re-run the recorded scan and compare every report byte for byte.")
@click.option("--no-inputs", is_flag=True, help="Check the reports only (the inputs are not at hand).")
def verify_command(directory: Path, rescan: bool, no_inputs: bool) -> None:
    """Check a report directory against its hipaa-scan-manifest.json: exit 0 verified, 1 not verified."""
    from hipaa_scan.commands import verify_reports

    result = verify_reports(directory, check_inputs=not no_inputs, rescan_reports=rescan)
    console = Console(highlight=False)
    for line in result.describe():
        console.print(line, soft_wrap=True, markup=False)
    if not result.ok:
        click.get_current_context().exit(EXIT_FINDINGS)


@cli.group("attest")
def attest_group() -> None:
    """Attestations: what no API can show (BAA, training, contingency-plan tests), recorded with evidence."""


@attest_group.command("init")
@click.option(
    "--out",
    default="attestations.yaml",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the template.",
)
@click.option("--organization", default="", help="The organization's name, written into the file.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def attest_init_command(out: Path, organization: str, force: bool) -> None:
    """Write a template listing every specification and checklist item that needs an attestation."""
    from hipaa_scan.commands import attest_init

    path = attest_init(out, organization=organization, force=force)
    click.echo(f"attestations template: {path}")


@cli.command("controls")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@RULES_DIR
def controls_command(fmt: str, rules_dirs: tuple[Path, ...]) -> None:
    """The implementation checklist: every standard and specification, and the rules behind it."""
    from hipaa_scan.controls import load_catalogue
    from hipaa_scan.engine import load_rule_pack
    from hipaa_scan.reporting.json_report import checklist_item
    from hipaa_scan.reporting.terminal import controls_table
    from hipaa_scan.scoring import assess

    pack = load_rule_pack(extra_dirs=rules_dirs)
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
    global _RETAINED
    _RETAINED = []
    code = main()
    # Reports are complete on disk (fsynced and renamed) before main() returns;
    # flush what is left and skip the interpreter's teardown of the heap.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
