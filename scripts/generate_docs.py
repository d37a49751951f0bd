"""`make docs`: write docs/rules.md, the rule reference, from the rule registry.

    python scripts/generate_docs.py            # write docs/rules.md
    python scripts/generate_docs.py --check    # exit 1 if docs/rules.md is stale

Never edit docs/rules.md by hand; tests/test_docs.py holds it to this output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hipaa_scan.controls import load_catalogue
from hipaa_scan.engine import load_rule_pack
from hipaa_scan.reporting.rule_reference import render_rule_reference

RULES_MD = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RULES_MD, help="where to write (default: docs/rules.md)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render_rule_reference(load_rule_pack(), load_catalogue())
    out: Path = args.out
    if args.check:
        current = out.read_text("utf-8") if out.is_file() else None
        if current != text:
            print(f"{out} is stale: run make docs", file=sys.stderr)
            return 1
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8", newline="\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
