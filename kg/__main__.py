"""The `kg` command, as the console script and as ``python -m kg``.

Kept apart from :mod:`kg.cli`, whose import takes a few tenths of a second
(click, pyoxigraph, every command): Ctrl-C in that time is answered like
Ctrl-C later, with one line and exit 3, instead of a traceback.
"""

from __future__ import annotations

import sys


def run() -> None:
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("kg: interrupted before anything was written\n")
        sys.exit(3)
    main()


if __name__ == "__main__":
    run()
