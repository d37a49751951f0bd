"""`make golden`: rewrite the golden report from the current code."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from golden import GOLDEN, render_golden


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data = render_golden(Path(tmp))
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(data)
    print(
        f"wrote {GOLDEN.relative_to(Path.cwd()) if GOLDEN.is_relative_to(Path.cwd()) else GOLDEN} ({len(data)} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
