"""`make demo-live`: try live collection without an Azure account.

Starts the project's Azure emulator (HTTPS on 127.0.0.1, serving the sample
tenant with its Entra ID data), then runs the real `hipaa-scan scan --live`
against it with the real Azure SDKs, and stops the emulator.

    python scripts/demo_live.py --out out/demo-live --now 2026-11-21T09:00:00Z -- [scan options]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.process import emulator_process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="out/demo-live")
    parser.add_argument("--now", default=None)
    parser.add_argument("scan_options", nargs="*")
    args = parser.parse_args()
    hipaa_scan = Path(sys.executable).parent / "hipaa-scan"
    command = [str(hipaa_scan), "scan", "--live", "--out", args.out, *args.scan_options]
    if args.now:
        command += ["--now", args.now]
    with emulator_process() as env:
        print(f"emulator: login {env['AZURE_AUTHORITY_HOST']}, ARM {env['HIPAA_SCAN_ARM_ENDPOINT']}", flush=True)
        print("$ hipaa-scan " + " ".join(command[1:]), flush=True)
        code = subprocess.run(command, env={**os.environ, **env}, check=False).returncode  # noqa: S603
    out = Path(args.out).resolve()
    print()
    print("Live demo written:")
    print(f"  snapshot: {out / 'hipaa-scan-snapshot.json.gz'}")
    print(f"  HTML:     {out / 'hipaa-scan-report.html'}")
    print(f"  JSON:     {out / 'hipaa-scan-report.json'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
