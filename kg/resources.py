"""Locate the data folders (ontology/, shapes/, queries/) in a checkout or a wheel.

In a source checkout or an editable install they sit beside the ``kg``
package; a wheel ships them inside it as ``kg/_data/<name>``.
"""

from __future__ import annotations

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
