"""Prove the wheel is self-contained: build it, install it in a clean venv,
and scan the sample tenant from a directory outside the checkout.

Run by `make wheel-check` (part of `make test`). Exits non-zero on failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "sample-tenant"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, check=False, capture_output=True, text=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hipaa-scan-wheel-") as tmp_name:
        tmp = Path(tmp_name)
        built = run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp / "dist", ROOT)
        if built.returncode:
            print(built.stdout, built.stderr, sep="\n")
            return 1
        wheel = next((tmp / "dist").glob("hipaa_scan-*.whl"))
        names = zipfile.ZipFile(wheel).namelist()
        for needed in (
            "hipaa_scan/_rulepack/__init__.py",
            "hipaa_scan/_templates/report.html.j2",
            "hipaa_scan/data/hipaa-security-rule.json",
        ):
            assert needed in names, f"{needed} missing from {wheel.name}"
        assert not any(
            n.startswith(("rules/", "reports/", "tests/", "emulator/", "benchmarks/", "scripts/")) for n in names
        ), "wheel leaks top-level packages"

        venv = tmp / "venv"
        run(sys.executable, "-m", "venv", venv).check_returncode()
        installed = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
        if installed.returncode:
            print(installed.stdout, installed.stderr, sep="\n")
            return 1

        elsewhere = tmp / "elsewhere"
        shutil.copytree(SAMPLE, elsewhere / "tenant")
        # The audit package from an installed wheel: hipaa-scan.toml found in the
        # working directory, attestations, the readiness profile, and the evidence manifest.
        shutil.copy(ROOT / "docs" / "examples" / "hipaa-scan.toml", elsewhere / "hipaa-scan.toml")
        exe = venv / "bin" / "hipaa-scan"
        assert run(exe, "attest", "init", cwd=elsewhere).returncode == 0
        scanned = run(
            exe,
            "scan",
            "tenant",
            "--out",
            "reports",
            "--quiet",
            "--now",
            "2026-11-21T09:00:00Z",
            "--attestations",
            "attestations.yaml",
            "--profile",
            "hipaa-nprm-2025",
            cwd=elsewhere,
        )
        assert scanned.returncode == 1, (
            f"expected exit 1 (failing findings), got {scanned.returncode}: {scanned.stderr}"
        )
        report = json.loads((elsewhere / "reports" / "hipaa-scan-report.json").read_text())
        assert (elsewhere / "reports" / "hipaa-scan-report.html").stat().st_size > 10_000
        assert report["manifest"]["policy"]["path"] == "hipaa-scan.toml"
        assert report["manifest"]["attestations"]["entries"] > 40
        assert len(report["architecture"]["items"]) == 21 and report["readiness"] is not None
        verified = run(exe, "verify", "reports", "--rescan", cwd=elsewhere)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        listed = run(exe, "rules", "--format", "json", cwd=elsewhere)
        rules = json.loads(listed.stdout)["rules"]
        assert len(rules) == report["manifest"]["rule_pack"]["rules"] >= 40
        print(
            f"wheel-check: {wheel.name} installs cleanly; scanned {report['manifest']['scope']['resources']} resources with {len(rules)} rules from outside the checkout"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
