"""Locate the data folders (ontology/, shapes/, queries/) in a checkout or a wheel,
and fingerprint kg's own files.

In a source checkout or an editable install they sit beside the ``kg``
package; a wheel ships them inside it as ``kg/_data/<name>``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder ``name`` (``ontology``, ``shapes`` or ``queries``)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg data folder {name!r} not found beside {_PACKAGE}")


def ontology_dir() -> Path:
    return data_dir("ontology")


def shapes_dir() -> Path:
    return data_dir("shapes")


def queries_dir() -> Path:
    return data_dir("queries")


@cache
def code_fingerprint() -> str:
    """A hash of kg's own code: records parsed by another kg are not reused.
    Version numbers would miss an edited checkout, so the files themselves
    are hashed (about 200 small files, once per process)."""
    return folder_fingerprint(_PACKAGE)


def folder_fingerprint(folder: Path) -> str:
    """A hash of the names and contents of the files under ``folder``
    (compiled Python aside)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix not in (".pyc", ".pyo") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
            with open(path, "rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()
