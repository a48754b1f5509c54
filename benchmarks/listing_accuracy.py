"""Field accuracy of kg's listing reader on real records rendered as a listing.

    python benchmarks/listing_accuracy.py [--seed N] [--limit N] [--exports DIR] [--show N]

Renders the records of the real exports in the ScienceGate layout (see
``listing_render.py``), reads the text back and prints per-field accuracy and
record recall.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from listing_render import FIELDS, measure

DEFAULT_EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "exports"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="random seed for the rendering (default 0)")
    parser.add_argument("--limit", type=int, default=None, help="render at most this many records")
    parser.add_argument("--exports", type=Path, default=DEFAULT_EXPORTS, help="the exports directory")
    parser.add_argument("--show", type=int, default=0, help="print up to N wrong values per field")
    args = parser.parse_args(argv)
    if not args.exports.is_dir():
        parser.error(f"no exports directory at {args.exports}")
    result = measure(args.exports, seed=args.seed, limit=args.limit)
    print(f"records {result.records}  recall {result.recall:.4f}")
    for name in FIELDS:
        print(f"  {name:<11} {result.field_accuracy(name):.4f}  ({len(result.wrong[name])} wrong)")
        for want, have in result.wrong[name][: args.show]:
            print(f"      want {str(want)[:90]!r}\n      got  {str(have)[:90]!r}")
    print(f"fields {result.accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
