"""The progress bar counts resources on a terminal and stays quiet in CI."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

RESOURCES = 6_000  # above the CLI's threshold for showing a bar


def _estate(path: Path) -> None:
    resources = [
        {
            "id": f"/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers"
            f"/Microsoft.KeyVault/vaults/kv{n}",
            "type": "Microsoft.KeyVault/vaults",
            "name": f"kv{n}",
            "location": "eastus",
            "properties": {"enableSoftDelete": True, "enablePurgeProtection": n % 2 == 0},
        }
        for n in range(RESOURCES)
    ]
    document = {"kind": "hipaa-scan-snapshot", "schema_version": 1, "manifest": {}, "resources": resources}
    path.write_bytes(orjson.dumps(document))


def _scan(tmp_path: Path, *, terminal: bool) -> str:
    estate = tmp_path / "estate.json"
    _estate(estate)
    # The installed console script, as a user runs it.
    command = [str(Path(sys.executable).parent / "hipaa-scan"), "scan", str(estate), "--out", str(tmp_path / "out")]
    command += ["--fail-on", "never", "--format", "json", "--jobs", "1"]
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("CI", None)
    if not terminal:
        run = subprocess.run(command, capture_output=True, env=env, check=True, timeout=120)
        return run.stderr.decode()
    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, env=env) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
        assert process.wait(timeout=120) == 0
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_sees_resources_counted(tmp_path: Path) -> None:
    shown = _scan(tmp_path, terminal=True)
    assert "Evaluating resources" in shown
    assert f"{RESOURCES + 1}/{RESOURCES + 1}" in shown  # every vault and its subscription


def test_ci_logs_get_no_progress_bar(tmp_path: Path) -> None:
    assert _scan(tmp_path, terminal=False) == ""
