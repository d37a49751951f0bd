"""``python -m emulator``: serve a tenant until Ctrl-C or SIGTERM.

Prints shell ``export`` lines for the client environment on stdout (and, with
``--print-env-file FILE``, writes them to FILE atomically once every server
accepts connections, removing the file again on exit).
"""

from __future__ import annotations

import argparse
import re
import shlex
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from emulator.server import AzureEmulator, Knobs
from emulator.tenant import Tenant, load_tenant, synthetic_tenant

SAMPLE_TENANT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sample-tenant"


def _synthetic(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", value)
    if not match:
        raise argparse.ArgumentTypeError(f"expected SUBSCRIPTIONSxRESOURCES (e.g. 20x500), got {value!r}")
    return int(match.group(1)), int(match.group(2))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Local Azure (login, ARM + Resource Graph, Microsoft Graph) emulator over HTTPS on 127.0.0.1.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--tenant-dir",
        type=Path,
        help=f"directory of hipaa-scan snapshot files to serve (default: {SAMPLE_TENANT})",
    )
    source.add_argument(
        "--synthetic",
        type=_synthetic,
        metavar="SUBSxRESOURCES",
        help="serve a generated estate, e.g. 20x500 (20 subscriptions of 500 primary resources)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for --synthetic (default 0)")
    parser.add_argument("--latency-ms", type=int, default=0, help="added latency per request")
    parser.add_argument("--arm-page-size", type=int, default=Knobs.arm_page_size, help="ARM list page size")
    parser.add_argument("--graph-page-size", type=int, default=Knobs.graph_page_size, help="Graph page size")
    parser.add_argument("--throttle-every", type=int, default=0, help="answer every Nth ARM/Graph request 429")
    parser.add_argument(
        "--state-dir", type=Path, help="where to write ca.pem (default: a temporary directory removed on exit)"
    )
    parser.add_argument(
        "--print-env-file", type=Path, metavar="FILE", help="also write the export lines to FILE once ready"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    return parser


def exports(emulator: AzureEmulator) -> str:
    lines = [
        f"# hipaa-scan Azure emulator for tenant {emulator.tenant.display_name} ({emulator.tenant_id}):",
        f"#   login {emulator.login_url}  ARM {emulator.arm_url}  Graph {emulator.graph_url}",
        "# Paste these lines into the shell that runs hipaa-scan (or `source` the --print-env-file file);",
        "# they stay valid until the emulator stops.",
    ]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in emulator.env().items()]
    return "\n".join(lines) + "\n"


def _tenant(args: argparse.Namespace) -> Tenant:
    if args.synthetic:
        subscriptions, resources = args.synthetic
        return synthetic_tenant(subscriptions, resources, seed=args.seed)
    return load_tenant(args.tenant_dir or SAMPLE_TENANT)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.print_env_file is not None:
        args.print_env_file.unlink(missing_ok=True)  # never leave a stale file for a waiting script
    try:
        tenant = _tenant(args)
    except (OSError, ValueError) as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 2
    knobs = Knobs(
        latency_ms=args.latency_ms,
        arm_page_size=args.arm_page_size,
        graph_page_size=args.graph_page_size,
        throttle_every=args.throttle_every,
    )
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    with AzureEmulator(tenant, knobs=knobs, state_dir=args.state_dir, verbose=args.verbose) as emulator:
        text = exports(emulator)
        sys.stdout.write(text)
        sys.stdout.flush()
        if args.print_env_file is not None:
            _write_atomic(args.print_env_file, text)
        print(
            f"emulator: serving {len(tenant.subscriptions)} subscriptions, {len(tenant.resources)} resources, "
            f"{len(tenant.graph)} Graph datasets; Ctrl-C to stop",
            file=sys.stderr,
        )
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            if args.print_env_file is not None:
                args.print_env_file.unlink(missing_ok=True)
            print(
                f"emulator: stopped after {len(emulator.requests)} requests "
                f"({len(emulator.violations)} write attempts refused)",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
