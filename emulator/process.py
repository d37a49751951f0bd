"""Run the emulator in its own process (``python -m emulator``) for scripts and
benchmarks, so its servers never compete with the client for the GIL.

    with emulator_process(["--synthetic", "20x500", "--latency-ms", "50"]) as env:
        subprocess.run([...], env={**os.environ, **env})
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``export KEY=VALUE`` lines ``python -m emulator --print-env-file`` writes, as a dict."""
    env: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            key, _, value = shlex.split(line)[1].partition("=")
            env[key] = value
    return env


@contextmanager
def emulator_process(
    args: Sequence[str] = (), *, startup_timeout: float = 120.0, python: str = sys.executable
) -> Iterator[dict[str, str]]:
    """Start ``python -m emulator *args``, yield its client environment (see
    ``AzureEmulator.env``) once it accepts connections, and stop it on exit."""
    with tempfile.TemporaryDirectory(prefix="hipaa-scan-emulator-") as tmp:
        env_file = Path(tmp) / "emulator.env"
        log = Path(tmp) / "emulator.log"
        command = [python, "-m", "emulator", *args, "--print-env-file", str(env_file)]
        if "--state-dir" not in args:
            command += ["--state-dir", str(Path(tmp) / "state")]
        pythonpath = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
        with log.open("wb") as stderr:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command,
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": pythonpath},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            deadline = time.monotonic() + startup_timeout
            while not env_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    output = log.read_text(encoding="utf-8", errors="replace").strip()
                    raise RuntimeError(f"the Azure emulator did not start ({' '.join(command[1:])}): {output}")
                time.sleep(0.05)
            yield read_env_file(env_file)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
