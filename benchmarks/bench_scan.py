"""Benchmark: scanning N resources against the cost of merely parsing their JSON.

    make bench                       # 100,000 resources
    .venv/bin/python benchmarks/bench_scan.py --resources 20000

Generates a deterministic estate in real ARM shapes (vaults, storage accounts
with blob services, SQL servers with auditing/TDE children, NSGs, VMs, NICs,
diagnostic settings), writes it as one snapshot file, then times each stage in
this process. Peak RSS is read from the OS. Figures are printed, not asserted
in the test suite; --max-ratio makes the run fail when the full scan costs more
than that many times the JSON parse.
"""

from __future__ import annotations

import argparse
import resource
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


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--max-ratio", type=float, default=None, help="fail if scan time > this x parse time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "estate.json"
        document = {
            "kind": "hipaa-scan-snapshot",
            "schema_version": 1,
            "manifest": {"collected_at": "2026-11-20T06:00:00Z", "complete_types": []},
            "resources": _estate(args.resources),
        }
        path.write_bytes(orjson.dumps(document))
        del document
        size_mib = path.stat().st_size / 2**20
        rss_before = _peak_rss_mib()

        t0 = time.perf_counter()
        orjson.loads(path.read_bytes())
        parse = time.perf_counter() - t0

        pack = load_rule_pack()
        now = datetime(2026, 11, 23, tzinfo=UTC)
        t0 = time.perf_counter()
        snapshot = load_inputs([str(path)])
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        findings = run_rules(snapshot, pack.rules, settings=Settings(frozenset({"eastus", "eastus2"})), now=now)
        t_rules = time.perf_counter() - t0
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
        t_assess = time.perf_counter() - t0
        t0 = time.perf_counter()
        document = report_document(result)
        rendered = render_json(document)
        t_json = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = render_html(document)
        t_html = time.perf_counter() - t0

    scan = t_load + t_rules + t_assess + t_json
    print(
        f"hipaa-scan {__version__} benchmark: {args.resources:,} resources, {len(pack.rules)} rules, input {size_mib:.1f} MiB"
    )
    print(f"  parse only (orjson.loads)     {parse:8.2f} s")
    print(f"  load + detect + validate      {t_load:8.2f} s")
    print(f"  evaluate rules                {t_rules:8.2f} s   ({len(findings):,} findings)")
    print(f"  checklist + scores            {t_assess:8.2f} s")
    print(f"  render JSON report            {t_json:8.2f} s   ({len(rendered) / 2**20:.1f} MiB)")
    print(f"  render HTML report            {t_html:8.2f} s   ({len(html) / 2**20:.1f} MiB, capped per rule)")
    print(f"  scan to JSON total            {scan:8.2f} s   = {scan / parse:.1f}x parse time")
    print(f"  peak RSS                      {_peak_rss_mib():8.0f} MiB (before loading: {rss_before:.0f} MiB)")
    if args.max_ratio is not None and scan / parse > args.max_ratio:
        print(f"FAIL: scan took {scan / parse:.1f}x parse time, budget {args.max_ratio}x", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
