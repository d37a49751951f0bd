"""Benchmark: live collection against the local Azure emulator.

    make bench-collect                                    # 20 subscriptions x 500 resources, 50 ms per request
    .venv/bin/python benchmarks/bench_collect.py --subscriptions 5 --resources 200 --latency-ms 20

Runs the real collector (azure-identity, azure-core, azure-mgmt-resourcegraph)
over HTTPS against the emulator (emulator/), which adds the given latency to
every request. Prints requests by phase and by API, the wall time, and the
ratio to running the same requests one after another: the sequential time is
the request count times the mean time of one request, measured by replaying a
sample of the run's own GETs one at a time through the same pipeline.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.process import emulator_process
from hipaa_scan.collector.clouds import resolve_cloud
from hipaa_scan.collector.credentials import make_credential
from hipaa_scan.collector.http import RequestStats, pipeline_client, transport
from hipaa_scan.collector.paging import get_json
from hipaa_scan.commands import collect_snapshot

SAMPLE = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=20)
    parser.add_argument("--resources", type=int, default=500, help="primary resources per subscription")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--min-speedup", type=float, default=0.0, help="exit 1 below this ratio")
    args = parser.parse_args()

    emulator_args = ["--synthetic", f"{args.subscriptions}x{args.resources}", "--latency-ms", str(args.latency_ms)]
    with tempfile.TemporaryDirectory() as tmp, emulator_process(emulator_args) as env:
        os.environ.update(env)
        cloud = resolve_cloud(
            "AzureCloud",
            arm_endpoint=env["HIPAA_SCAN_ARM_ENDPOINT"],
            authority_host=env["HIPAA_SCAN_AUTHORITY_HOST"],
            graph_endpoint=env["HIPAA_SCAN_GRAPH_ENDPOINT"],
        )
        started = time.perf_counter()
        outcome = collect_snapshot(
            Path(tmp) / "snapshot.json.gz", cloud=cloud, now=datetime.now(tz=UTC), concurrency=args.concurrency
        )
        wall = time.perf_counter() - started
        stats = outcome.collection.stats
        document = outcome.collection.document
        # A sample of the run's own kind of request: diagnostic settings of inventoried resources.
        sample = [
            f"{r['id']}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview"
            for r in document["resources"]
            if r["type"] == "Microsoft.KeyVault/vaults"
        ][:SAMPLE]
        per_request = _sequential_request_time(cloud, sample)

    total = stats.total
    sequential = total * per_request
    resources = len(document["resources"])
    print(
        f"tenant: {args.subscriptions} subscriptions x {args.resources} primary resources, {args.latency_ms} ms per request"
    )
    print(
        f"collected: {resources} resources (children and extensions included), {len(document['manifest']['gaps'])} gaps"
    )
    print(f"requests: {total} ({', '.join(f'{k} {v}' for k, v in sorted(stats.by_phase.items()))})")
    print("requests by API:")
    for api, count in sorted(stats.by_api.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {count:6d}  {api}")
    print(f"wall time: {wall:.1f} s with {args.concurrency} concurrent requests")
    print(f"one request alone: {per_request * 1000:.1f} ms (mean of {len(sample)} sequential GETs)")
    print(f"sequential estimate: {sequential:.1f} s  ->  speedup {sequential / wall:.1f}x")
    print(f"inventory: {stats.by_phase.get('inventory', 0)} Resource Graph requests for {resources} resources")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 1 if sequential / wall < args.min_speedup else 0


def _sequential_request_time(cloud: object, paths: list[str]) -> float:
    """Mean wall time of one ARM GET sent alone, through the collector's own pipeline."""
    from hipaa_scan.collector.clouds import Cloud

    assert isinstance(cloud, Cloud)
    stats = RequestStats()
    pool = transport(2)
    client = pipeline_client(cloud.arm_endpoint, make_credential(cloud), cloud.arm_scope, stats, pool, arm=True)
    get_json(client, paths[0], phase="warm-up", api="warm-up")  # token and TLS connection
    started = time.perf_counter()
    for path in paths:
        get_json(client, path, phase="sample", api="sample")
    elapsed = time.perf_counter() - started
    pool.close()
    return elapsed / max(len(paths), 1)


if __name__ == "__main__":
    sys.exit(main())
