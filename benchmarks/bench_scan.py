"""Benchmark: scanning N resources against the cost of merely parsing their JSON.

    make bench                       # 10,000 and 100,000 resources
    make bench-big                   # 1,000,000 resources
    .venv/bin/python benchmarks/bench_scan.py --sizes 20000
    .venv/bin/python benchmarks/bench_scan.py --sizes 2000,4000 --forms snapshot,template

Generates a deterministic estate in real ARM shapes (vaults, storage accounts
with blob services, SQL servers with auditing settings, databases with TDE,
NSGs, VMs, NICs, diagnostic settings) and writes the same N resources in each
input form asked for with --forms (default: all three):

  snapshot        a hipaa-scan snapshot {"kind": "hipaa-scan-snapshot", ...}
  resource-graph  `az graph query` output {"count", "data": [rows], "skip_token",
                  "total_records"}: lower-case types, tenantId, subscriptionId,
                  resourceGroup; only the types Resource Graph's Resources table
                  holds, so no blob services, auditing, TDE or diagnostic settings
  template        an ARM deployment template: literal names (parent/child for
                  child types), an apiVersion per type, `scope` on diagnostic
                  settings, no ids; it loads as desired state

For every form and size it runs a bare orjson parse and the full `hipaa-scan
scan` (JSON and HTML reports) each as a whole process, alternately, --repeat
times (default 3), and keeps the best wall time of each (a VM's speed drifts
from minute to minute) and the highest peak RSS from the OS, and checks from
the JSON report that the loader detected the form and loaded the expected
number of resources. For the snapshot form it
also times each stage in this process. For the largest size it times headless
Chromium (if installed) showing the HTML report's summary, against the
browser's own start-up on a one-line page.

Figures are printed, not asserted in the test suite (a small smoke run keeps
this script working); --max-ratio makes the run fail when a full scan of the
snapshot form costs more than that many times its parse.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from hipaa_scan import __version__
from hipaa_scan.commands import HTML_LEAD, render
from hipaa_scan.controls import load_catalogue
from hipaa_scan.engine import ResourceIndex, Settings, evaluate, load_rule_pack
from hipaa_scan.engine.parallel import auto_jobs, can_fork, usable_cpus
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.loaders import load_inputs
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.json_report import report_document
from hipaa_scan.reporting.pdf import BROWSER_FLAGS
from hipaa_scan.reporting.write import write_all_atomically
from hipaa_scan.scoring import ScanResult, assess

SUB = "/subscriptions/{sub:08d}-0000-4000-8000-000000000000/resourceGroups/rg-{rg}/providers"
TENANT = "0e5c1c2a-0000-4000-8000-000000000000"
NOW = "2026-11-23T00:00:00Z"
# Every form's resources sit in these regions; the scan is told they are
# approved so location rules judge rather than report unknown.
LOCATIONS = ("eastus", "eastus2")

FORMS = ("snapshot", "resource-graph", "template")
# What the loader must call each form (the JSON report's manifest.inputs[].format):
# a generator shape the loader misreads would make the figures meaningless.
DETECTED = {"snapshot": "hipaa-scan-snapshot", "resource-graph": "resource-graph", "template": "arm-template"}

# The Resources table of Azure Resource Graph holds tracked resources and a few
# proxy types such as SQL databases; settings children and diagnostic settings
# are not in it.
GRAPH_TYPES = frozenset(
    {
        "microsoft.keyvault/vaults",
        "microsoft.storage/storageaccounts",
        "microsoft.sql/servers",
        "microsoft.sql/servers/databases",
        "microsoft.network/networksecuritygroups",
        "microsoft.network/networkinterfaces",
        "microsoft.compute/virtualmachines",
    }
)

# The API versions of the ARM examples under /work/shared/azure-api-examples.
API_VERSIONS = {
    "Microsoft.KeyVault/vaults": "2024-11-01",
    "Microsoft.Insights/diagnosticSettings": "2021-05-01-preview",
    "Microsoft.Storage/storageAccounts": "2025-01-01",
    "Microsoft.Storage/storageAccounts/blobServices": "2025-01-01",
    "Microsoft.Sql/servers": "2023-08-01",
    "Microsoft.Sql/servers/auditingSettings": "2023-08-01",
    "Microsoft.Sql/servers/databases": "2023-08-01",
    "Microsoft.Sql/servers/databases/transparentDataEncryption": "2023-08-01",
    "Microsoft.Network/networkSecurityGroups": "2024-05-01",
    "Microsoft.Network/networkInterfaces": "2024-05-01",
    "Microsoft.Compute/virtualMachines": "2024-07-01",
}

CHROMIUM_FLAGS = [*BROWSER_FLAGS, "--no-sandbox"]


def _estate(count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    i = 0
    while len(out) < count:
        base = SUB.format(sub=i % 20, rg=i % 50)
        good = i % 3 != 0
        vault = f"{base}/Microsoft.KeyVault/vaults/kv{i}"
        out.append(
            {
                "id": vault,
                "name": f"kv{i}",
                "type": "Microsoft.KeyVault/vaults",
                "location": "eastus",
                "properties": {
                    "sku": {"family": "A", "name": "premium" if good else "standard"},
                    "enableSoftDelete": True,
                    "softDeleteRetentionInDays": 90,
                    "enablePurgeProtection": good,
                    "enableRbacAuthorization": good,
                    "publicNetworkAccess": "Disabled" if good else "Enabled",
                    "networkAcls": {"defaultAction": "Deny", "ipRules": []},
                },
            }
        )
        out.append(
            {
                "id": f"{vault}/providers/Microsoft.Insights/diagnosticSettings/audit",
                "name": "audit",
                "type": "Microsoft.Insights/diagnosticSettings",
                "properties": {
                    "workspaceId": f"{base}/Microsoft.OperationalInsights/workspaces/law",
                    "logs": [{"categoryGroup": "audit", "enabled": good}],
                },
            }
        )
        account = f"{base}/Microsoft.Storage/storageAccounts/st{i}"
        out.append(
            {
                "id": account,
                "name": f"st{i}",
                "type": "Microsoft.Storage/storageAccounts",
                "location": "eastus2",
                "kind": "StorageV2",
                "sku": {"name": "Standard_GRS"},
                "properties": {
                    "supportsHttpsTrafficOnly": True,
                    "minimumTlsVersion": "TLS1_2" if good else "TLS1_0",
                    "allowBlobPublicAccess": not good,
                    "allowSharedKeyAccess": False,
                    "networkAcls": {"defaultAction": "Deny" if good else "Allow"},
                    "encryption": {"keySource": "Microsoft.Storage", "services": {"blob": {"enabled": True}}},
                },
            }
        )
        out.append(
            {
                "id": f"{account}/blobServices/default",
                "name": "default",
                "type": "Microsoft.Storage/storageAccounts/blobServices",
                "properties": {"deleteRetentionPolicy": {"enabled": good, "days": 14}, "isVersioningEnabled": good},
            }
        )
        server = f"{base}/Microsoft.Sql/servers/sql{i}"
        out.append(
            {
                "id": server,
                "name": f"sql{i}",
                "type": "Microsoft.Sql/servers",
                "location": "eastus",
                "properties": {"minimalTlsVersion": "1.2", "publicNetworkAccess": "Disabled" if good else "Enabled"},
            }
        )
        out.append(
            {
                "id": f"{server}/auditingSettings/default",
                "name": "default",
                "type": "Microsoft.Sql/servers/auditingSettings",
                "properties": {"state": "Enabled" if good else "Disabled", "retentionDays": 90},
            }
        )
        out.append(
            {
                "id": f"{server}/databases/db{i}",
                "name": f"db{i}",
                "type": "Microsoft.Sql/servers/databases",
                "location": "eastus",
                "properties": {"status": "Online"},
            }
        )
        out.append(
            {
                "id": f"{server}/databases/db{i}/transparentDataEncryption/current",
                "name": "current",
                "type": "Microsoft.Sql/servers/databases/transparentDataEncryption",
                "properties": {"state": "Enabled"},
            }
        )
        out.append(
            {
                "id": f"{base}/Microsoft.Network/networkSecurityGroups/nsg{i}",
                "name": f"nsg{i}",
                "location": "eastus",
                "type": "Microsoft.Network/networkSecurityGroups",
                "properties": {
                    "securityRules": [
                        {
                            "name": "ssh",
                            "properties": {
                                "protocol": "Tcp",
                                "sourceAddressPrefix": "*" if not good else "10.0.0.0/8",
                                "destinationPortRange": "22",
                                "access": "Allow",
                                "direction": "Inbound",
                                "priority": 100,
                            },
                        }
                    ]
                },
            }
        )
        nic = f"{base}/Microsoft.Network/networkInterfaces/nic{i}"
        out.append(
            {
                "id": nic,
                "name": f"nic{i}",
                "type": "Microsoft.Network/networkInterfaces",
                "location": "eastus",
                "properties": {
                    "ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.0.4"}}]
                },
            }
        )
        out.append(
            {
                "id": f"{base}/Microsoft.Compute/virtualMachines/vm{i}",
                "name": f"vm{i}",
                "type": "Microsoft.Compute/virtualMachines",
                "location": "eastus",
                "properties": {
                    "securityProfile": {"encryptionAtHost": good},
                    "networkProfile": {"networkInterfaces": [{"id": nic}]},
                    "osProfile": {"linuxConfiguration": {"disablePasswordAuthentication": good}},
                    "storageProfile": {"osDisk": {"osType": "Linux"}},
                },
            }
        )
        i += 1
    return out[:count]


def _graph_row(resource: dict[str, Any]) -> dict[str, Any]:
    """A row of `az graph query -q "Resources"`: every column of the table,
    null or empty where the resource has no value, as Resource Graph returns."""
    parts = resource["id"].split("/")
    return {
        "id": resource["id"],
        "name": resource["name"],
        "type": resource["type"].lower(),
        "tenantId": TENANT,
        "kind": resource.get("kind", ""),
        "location": resource.get("location", ""),
        "resourceGroup": parts[4].lower(),
        "subscriptionId": parts[2],
        "managedBy": "",
        "sku": resource.get("sku"),
        "plan": None,
        "properties": resource["properties"],
        "tags": None,
        "identity": None,
        "zones": None,
        "extendedLocation": None,
    }


def _resource_id_expression(rid: str) -> str:
    """``[resourceId('Namespace/type/child', 'name', 'childName')]`` for an id in the template's group."""
    own = rid.rsplit("/providers/", 1)[1].split("/")
    rtype = "/".join([own[0], *own[1::2]])
    names = ", ".join(f"'{n}'" for n in own[2::2])
    return f"[resourceId('{rtype}', {names})]"


def _template_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as a template declares it: a name instead of an id
    (``parent/child`` for a child type), a relative ``scope`` on an extension
    resource, and ``dependsOn`` where a deployment would need the order."""
    rid = resource["id"]
    rtype = resource["type"]
    head, _, own = rid.rpartition("/providers/")
    out: dict[str, Any] = {"type": rtype, "apiVersion": API_VERSIONS[rtype], "name": "/".join(own.split("/")[2::2])}
    depends: list[str] = []
    if head.count("/providers/") == 1:  # an extension resource: its id nests the target's
        target = head.split("/providers/", 1)[1]
        out["scope"] = target
        depends.append(_resource_id_expression(head))
    elif rtype.count("/") > 1:
        depends.append(_resource_id_expression(rid.rsplit("/", 2)[0]))
    for key in ("location", "kind", "sku"):
        if key in resource:
            out[key] = resource[key]
    properties = resource["properties"]
    if rtype == "Microsoft.Compute/virtualMachines":
        # A template points at its own resources with resourceId(), never a literal id.
        nics = [_resource_id_expression(n["id"]) for n in properties["networkProfile"]["networkInterfaces"]]
        properties = {**properties, "networkProfile": {"networkInterfaces": [{"id": n} for n in nics]}}
        depends.extend(nics)
    if depends:
        out["dependsOn"] = depends
    out["properties"] = properties
    return out


def _write_form(resources: int, form: str, path: Path) -> int:
    """Write the estate in one form; the number of resources the file holds."""
    estate = _estate(resources)
    document: dict[str, Any]
    if form == "snapshot":
        document = {
            "kind": "hipaa-scan-snapshot",
            "schema_version": 1,
            "manifest": {"collected_at": "2026-11-20T06:00:00Z", "complete_types": []},
            "resources": estate,
        }
        held = len(estate)
    elif form == "resource-graph":
        rows = [_graph_row(r) for r in estate if r["type"].lower() in GRAPH_TYPES]
        # One document, as a script paging `az graph query --first 1000 --skip-token ...` joins the pages.
        document = {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}
        held = len(rows)
    elif form == "template":
        document = {
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [_template_resource(r) for r in estate],
        }
        held = len(estate)
    else:
        raise ValueError(f"unknown form {form!r}")
    path.write_bytes(orjson.dumps(document))
    return held


def _whole_process(command: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MiB) of a command run as its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"benchmark command failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


# Read in a child, so a large report never grows this process (see _measure_processes).
REPORT_SUMMARY = """
import orjson, sys
manifest = orjson.loads(open(sys.argv[1], "rb").read())["manifest"]
counts = manifest["summary"]["findings"]
print(orjson.dumps({
    "formats": [i["format"] for i in manifest["inputs"]],
    "resources": manifest["scope"]["resources"],
    "findings": sum(counts.values()),
    "fail": counts.get("fail", 0),
}).decode())
"""


@dataclass
class FormRun:
    input_mib: float
    parse: float
    parse_rss: float
    scan: float
    scan_rss: float
    detected: str
    resources: int
    findings: int
    fail: int
    html: Path

    @property
    def ratio(self) -> float:
        return self.scan / self.parse


def _measure_form(resources: int, form: str, tmp: Path, repeat: int, jobs: str) -> FormRun:
    path = tmp / f"estate-{resources}-{form}.json"
    python = sys.executable
    # Generated in a child too, so the generator's memory never inflates the measurements.
    generated = subprocess.run(  # noqa: S603
        [python, __file__, "--generate", str(resources), form, str(path)], check=True, capture_output=True, text=True
    )
    held = int(generated.stdout)
    parse_code = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"
    out = tmp / f"out-{resources}-{form}"
    scan_cmd = [str(Path(python).parent / "hipaa-scan"), "scan", str(path), "--out", str(out)]
    scan_cmd += ["--format", "json,html", "--fail-on", "never", "--now", NOW, "-q"]
    scan_cmd += ["--allowed-locations", ",".join(LOCATIONS), "--jobs", jobs]
    # Parse and scan alternate, and each keeps its best time: a VM's speed
    # drifts by 20% from one minute to the next, and drift must not decide a ratio.
    parses, scans = [], []
    for _ in range(repeat):
        parses.append(_whole_process([python, "-c", parse_code, str(path)]))
        scans.append(_whole_process(scan_cmd))
    parse, parse_rss = min(t for t, _ in parses), max(m for _, m in parses)
    scan, scan_rss = min(t for t, _ in scans), max(m for _, m in scans)
    report = out / "hipaa-scan-report.json"
    summary = orjson.loads(
        subprocess.run([python, "-c", REPORT_SUMMARY, str(report)], check=True, capture_output=True).stdout  # noqa: S603
    )
    detected = ",".join(summary["formats"])
    if detected != DETECTED[form]:
        raise SystemExit(f"{form} form of {resources:,} resources was read as {detected!r}, not {DETECTED[form]!r}")
    if summary["resources"] != held:
        raise SystemExit(f"{form} form holds {held:,} resources but the scan loaded {summary['resources']:,}")
    report.unlink()
    input_mib = path.stat().st_size / 2**20
    if form != "snapshot":  # the snapshot stays for the in-process stages
        path.unlink()
    return FormRun(
        input_mib,
        parse,
        parse_rss,
        scan,
        scan_rss,
        detected,
        summary["resources"],
        summary["findings"],
        summary["fail"],
        out / "hipaa-scan-report.html",
    )


def _stages(resources: int, tmp: Path, jobs_option: str) -> dict[str, Any]:
    """The time of each stage of a scan of the snapshot form, in this process,
    done as commands.scan does it (the collector off, the same jobs)."""
    path = tmp / f"estate-{resources}-snapshot.json"
    out: dict[str, Any] = {}
    pack = load_rule_pack()
    now = datetime.fromisoformat(NOW)
    settings = Settings(frozenset(LOCATIONS))
    with gc_paused():
        t0 = time.perf_counter()
        snapshot = load_inputs([str(path)])
        out["load"] = time.perf_counter() - t0
        # What jobs=None resolves to, worked out as the runner does (outside the timed stage).
        per_type: dict[str, int] = {}
        for rule in pack.rules:
            for key in set(rule.type_keys):
                per_type[key] = per_type.get(key, 0) + 1
        evaluations = sum(per_type.get(r.type_key, 0) for r in ResourceIndex(snapshot).in_order())
        jobs = (auto_jobs(evaluations) if jobs_option == "auto" else int(jobs_option)) if can_fork() else 1
        out["jobs"] = jobs
        out["jobs_option"] = jobs_option
        out["evaluations"] = evaluations
        t0 = time.perf_counter()
        evaluation = evaluate(snapshot, pack.rules, settings=settings, now=now, jobs=jobs)
        out["evaluate"] = time.perf_counter() - t0
        findings = evaluation.findings
        out["findings"] = len(findings)
        t0 = time.perf_counter()
        result = ScanResult(
            __version__,
            pack.version,
            pack.sha256,
            pack.rules,
            snapshot,
            findings,
            assess(load_catalogue(), pack.rules, findings),
            now,
            settings,
            None,
            evaluation.resources,
        )
        out["assess"] = time.perf_counter() - t0
        json_path, html_path = tmp / f"stages-{resources}.json", tmp / f"stages-{resources}.html"
        t0 = time.perf_counter()
        report = report_document(result)
        outputs = {
            json_path: render(OutputFormat.JSON, report, jobs, lead=HTML_LEAD),
            html_path: render(OutputFormat.HTML, report),
        }
        write_all_atomically(outputs, jobs=jobs)
        out["reports"] = time.perf_counter() - t0
        out["json_mib"] = json_path.stat().st_size / 2**20
        out["html_mib"] = html_path.stat().st_size / 2**20
        json_path.unlink()
        html_path.unlink()
        del snapshot, findings, evaluation, result, report, outputs
    path.unlink()
    return out


def _chromium_seconds(chromium: str, page: Path, tmp: Path) -> float | None:
    """Wall time of headless Chromium loading a page and screenshotting the
    first 1280x900 pixels (where the report's summary is), as one process."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=tmp))
    shot = profile / "shot.png"
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    command += [f"--screenshot={shot}", "--window-size=1280,900", page.as_uri()]
    started = time.perf_counter()
    # Its own session, so a hung browser is ended with the renderers it started.
    browser = subprocess.Popen(  # noqa: S603
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        browser.wait(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()
        return None
    elapsed = time.perf_counter() - started
    ok = shot.is_file() and shot.stat().st_size > 0
    shutil.rmtree(profile, ignore_errors=True)
    return elapsed if ok else None


def _browser(report: Path, tmp: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return "chromium not installed: skipped"
    blank = tmp / "blank.html"
    blank.write_text("<!doctype html><title>blank</title><p>hello</p>\n")
    # Untimed first start: reading the browser's binaries from a cold disk is not the report's cost.
    _chromium_seconds(chromium, blank, tmp)
    start_up = _chromium_seconds(chromium, blank, tmp)
    shown = _chromium_seconds(chromium, report, tmp)
    if start_up is None or shown is None:
        return "chromium failed to screenshot the page (or timed out): skipped"
    return f"summary shown in {shown:.2f} s, browser start-up {start_up:.2f} s, difference {shown - start_up:.2f} s"


# The whole-process table: a form per row; the first two columns left-aligned.
COLUMNS = ["whole process", "read as", "input", "resources", "findings", "fail"]
COLUMNS += ["parse", "peak RSS", "full scan", "peak RSS", "scan/parse"]
WIDTHS = [16, 21, 11, 11, 11, 11, 9, 10, 11, 10, 12]


def _row(cells: list[str]) -> str:
    return "  " + "".join(
        cell.ljust(width) if i < 2 else cell.rjust(width)
        for i, (cell, width) in enumerate(zip(cells, WIDTHS, strict=True))
    )


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated resource counts")
    parser.add_argument("--forms", default=",".join(FORMS), help=f"comma-separated input forms, of {', '.join(FORMS)}")
    parser.add_argument(
        "--max-ratio", type=float, default=None, help="fail if a snapshot scan takes more than this x its parse"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="whole-process runs of each parse and scan; the best of them counts"
    )
    parser.add_argument("--jobs", default="auto", help="the scan's --jobs (default auto)")
    parser.add_argument("--generate", nargs=3, metavar=("N", "FORM", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        return args
    args.forms = [f.strip() for f in args.forms.split(",") if f.strip()]
    unknown = sorted(set(args.forms) - set(FORMS))
    if unknown or not args.forms:
        parser.error(f"--forms takes some of {', '.join(FORMS)} (got {', '.join(unknown) or 'none'})")
    if args.max_ratio is not None and "snapshot" not in args.forms:
        parser.error("--max-ratio judges the snapshot form: include it in --forms")
    args.sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes takes positive resource counts, e.g. 10000,100000")
    if args.repeat < 1:
        parser.error("--repeat takes a positive count")
    return args


def main() -> int:
    args = _parse_args()
    if args.generate:
        print(_write_form(int(args.generate[0]), args.generate[1], Path(args.generate[2])))
        return 0
    sizes: list[int] = args.sizes
    forms = [f for f in FORMS if f in args.forms]

    runs: dict[int, dict[str, FormRun]] = {}
    stages: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # Every whole process first, while this process is still small: a
        # child's peak RSS counts the pages of the parent it was started from.
        for n in sizes:
            runs[n] = {form: _measure_form(n, form, tmp, args.repeat, args.jobs) for form in forms}
        largest = runs[sizes[-1]]
        html = largest[forms[0]].html
        browser = _browser(html, tmp)
        html_mib = html.stat().st_size / 2**20
        if "snapshot" in forms:
            for n in sizes:
                stages[n] = _stages(n, tmp, args.jobs)

    rules = len(load_rule_pack().rules)
    print(f"hipaa-scan {__version__} benchmark: {rules} rules, {os.cpu_count()} cores ({usable_cpus()} usable)")
    print(f"whole processes: best of {args.repeat} alternating runs each; scan with --jobs {args.jobs}")
    failed = False
    for n in sizes:
        print(f"\n{n:,} resources")
        if n in stages:
            s = stages[n]
            print(
                f"  stages in this process, snapshot form (jobs: {s['jobs_option']} -> {s['jobs']},"
                f" {s['evaluations']:,} evaluations)"
            )
            print(f"    load + detect + validate    {s['load']:8.2f} s")
            print(f"    evaluate rules              {s['evaluate']:8.2f} s   ({s['findings']:,} findings)")
            print(f"    checklist + scores          {s['assess']:8.2f} s")
            print(
                f"    write JSON and HTML reports {s['reports']:8.2f} s   "
                f"({s['json_mib']:.1f} MiB and {s['html_mib']:.1f} MiB, over {s['jobs']} processes)"
            )
        print(_row(COLUMNS))
        for form, r in runs[n].items():
            cells = [form, r.detected, f"{r.input_mib:.1f} MiB", f"{r.resources:,}", f"{r.findings:,}", f"{r.fail:,}"]
            cells += [f"{r.parse:.2f} s", f"{r.parse_rss:.0f} MiB", f"{r.scan:.2f} s", f"{r.scan_rss:.0f} MiB"]
            print(_row([*cells, f"{r.ratio:.1f}x"]))
        snapshot = runs[n].get("snapshot")
        if snapshot is not None and args.max_ratio is not None and snapshot.ratio > args.max_ratio:
            failed = True
    print(f"\nHTML report of {sizes[-1]:,} resources ({forms[0]} form, {html_mib:.1f} MiB) in headless Chromium:")
    print(f"  {browser}")
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        print()
        for form in forms:
            growth = (runs[large][form].scan / runs[small][form].scan) / (large / small)
            print(
                f"linearity ({form}): time grew {growth:.2f}x the resource count"
                f" from {small:,} to {large:,} (1.00 = linear)"
            )
    if failed:
        print(f"FAIL: a snapshot scan took more than {args.max_ratio}x its parse", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
