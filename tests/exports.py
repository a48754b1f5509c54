"""Where the real export files live, for the reader tests (a helper, not conftest).

The files are data from other projects (see their README.md): they stay in
``../shared/corpus/exports`` beside the repository and are never copied in.
Tests that need them take the ``exports`` fixture, which skips when absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
CANDIDATES = (
    HERE.parents[2] / "shared" / "corpus" / "exports",  # /work/main/tests -> /work/shared
    HERE.parents[1].parent / "shared" / "corpus" / "exports",  # a CI clone with shared/ beside it
)


def exports_dir() -> Path | None:
    """The exports directory, or None in a user's clone without it."""
    return next((path for path in CANDIDATES if path.is_dir()), None)


@pytest.fixture
def exports() -> Path:
    found = exports_dir()
    if found is None:
        pytest.skip("../shared/corpus/exports not present (a user's clone)")
    return found


def read_text(path: Path) -> str:
    """A file's text as the readers get it (decoded, BOM out, newlines \\n)."""
    from kg.read import decode

    return decode(path.read_bytes())
