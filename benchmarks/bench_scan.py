"""Benchmark: scanning N resources against the cost of merely parsing their JSON.

    make bench                       # 10,000 and 100,000 resources
    make bench-big                   # 1,000,000 resources
    .venv/bin/python benchmarks/bench_scan.py --sizes 20000

Generates a deterministic estate in real ARM shapes (vaults, storage accounts
with blob services, SQL servers with auditing/TDE children, NSGs, VMs, NICs,
diagnostic settings), writes it as one snapshot file, times each stage in this
process, then runs a bare orjson parse and the full `hipaa-scan scan` (JSON and
HTML reports) each as a whole process, reading wall time and peak RSS from the
OS. Figures are printed, not asserted in the test suite (a 2,000-resource smoke
run keeps this script working); --max-ratio makes the run fail when a full scan
costs more than that many times the parse.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from hipaa_scan import __version__
from hipaa_scan.controls import load_catalogue
from hipaa_scan.engine import Settings, load_rule_pack, run_rules
from hipaa_scan.loaders import load_inputs
from hipaa_scan.reporting.html_report import render_html
from hipaa_scan.reporting.json_report import render_json, report_document
from hipaa_scan.scoring import ScanResult, assess

SUB = "/subscriptions/{sub:08d}-0000-4000-8000-000000000000/resourceGroups/rg-{rg}/providers"


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


def _whole_process(command: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MiB) of a command run as its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"benchmark command failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def _write_estate(resources: int, path: Path) -> None:
    document = {
        "kind": "hipaa-scan-snapshot",
        "schema_version": 1,
        "manifest": {"collected_at": "2026-11-20T06:00:00Z", "complete_types": []},
        "resources": _estate(resources),
    }
    path.write_bytes(orjson.dumps(document))


def _measure(resources: int, tmp: Path) -> dict[str, float]:
    """The whole scan and a bare parse as processes (first, while this process
    is still small: a forked child's peak RSS counts the parent's pages), then
    the time of each stage in this process."""
    path = tmp / f"estate-{resources}.json"
    # Generated in a child too, so the generator's memory never inflates the measurements.
    subprocess.run([sys.executable, __file__, "--generate", str(resources), str(path)], check=True)  # noqa: S603
    out: dict[str, float] = {"input_mib": path.stat().st_size / 2**20}
    python = sys.executable
    parse_code = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"
    out["parse_process"], out["parse_rss"] = _whole_process([python, "-c", parse_code, str(path)])
    scan = [str(Path(python).parent / "hipaa-scan"), "scan", str(path), "--out", str(tmp / f"out-{resources}")]
    scan += ["--format", "json,html", "--fail-on", "never", "--now", "2026-11-23T00:00:00Z", "-q"]
    out["scan_process"], out["scan_rss"] = _whole_process(scan)

    pack = load_rule_pack()
    now = datetime(2026, 11, 23, tzinfo=UTC)
    t0 = time.perf_counter()
    snapshot = load_inputs([str(path)])
    out["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    findings = run_rules(snapshot, pack.rules, settings=Settings(frozenset({"eastus", "eastus2"})), now=now)
    out["evaluate"] = time.perf_counter() - t0
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
        Settings(),
        None,
    )
    out["assess"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = report_document(result)
    rendered = render_json(report)
    out["json"] = time.perf_counter() - t0
    out["json_mib"] = len(rendered) / 2**20
    t0 = time.perf_counter()
    html = render_html(report)
    out["html"] = time.perf_counter() - t0
    out["html_mib"] = len(html) / 2**20
    del snapshot, findings, result, report, rendered, html
    path.unlink()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated resource counts")
    parser.add_argument("--max-ratio", type=float, default=None, help="fail if a scan takes more than this x parse")
    parser.add_argument("--generate", nargs=2, metavar=("N", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        _write_estate(int(args.generate[0]), Path(args.generate[1]))
        return 0
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]

    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            results[n] = _measure(n, Path(tmp))

    rules = len(load_rule_pack().rules)
    print(f"hipaa-scan {__version__} benchmark: {rules} rules, {os.cpu_count()} cores")
    failed = False
    for n, r in results.items():
        ratio = r["scan_process"] / r["parse_process"]
        print(f"\n{n:,} resources (input {r['input_mib']:.1f} MiB)")
        print(f"  load + detect + validate      {r['load']:8.2f} s")
        print(f"  evaluate rules                {r['evaluate']:8.2f} s   ({int(r['findings']):,} findings)")
        print(f"  checklist + scores            {r['assess']:8.2f} s")
        print(f"  render JSON report            {r['json']:8.2f} s   ({r['json_mib']:.1f} MiB)")
        print(f"  render HTML report            {r['html']:8.2f} s   ({r['html_mib']:.1f} MiB, capped per rule)")
        print(f"  whole process: parse only     {r['parse_process']:8.2f} s   peak RSS {r['parse_rss']:.0f} MiB")
        print(f"  whole process: full scan      {r['scan_process']:8.2f} s   peak RSS {r['scan_rss']:.0f} MiB")
        print(f"  ratio (scan / parse)          {ratio:8.1f}x")
        failed = failed or (args.max_ratio is not None and ratio > args.max_ratio)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = (results[large]["scan_process"] / results[small]["scan_process"]) / (large / small)
        print(f"\nlinearity: time grew {growth:.2f}x the resource count from {small:,} to {large:,} (1.00 = linear)")
    if failed:
        print(f"FAIL: a scan took more than {args.max_ratio}x the parse", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
