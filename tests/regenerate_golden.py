"""`make golden`: rewrite the golden report from the current code."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from golden import golden_path, render_golden


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        outputs = render_golden(Path(tmp))
    for fmt, data in outputs.items():
        path = golden_path(fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(path.parents[3])} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
