"""N-Triples terms and lines written as text: the fast path to files and the store."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from ..vocab import XSD

# N-Triples escapes; other C0 controls become \u escapes, lone surrogates
# (which cannot be written as UTF-8) become U+FFFD.
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in range(0x20) if c not in (0x0A, 0x0D)})
_ESCAPES[0x7F] = "\\u007F"
_ESCAPES.update({c: "\ufffd" for c in range(0xD800, 0xE000)})
_NEEDS_ESCAPE = re.compile("[\\\\\"\x00-\x1f\x7f\ud800-\udfff]")


def iri(value: str) -> str:
    return f"<{value}>"


def escape(value: str) -> str:
    # Most values need no escape; a C-speed search first spares the costly translate.
    return value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def text(value: str) -> str:
    return f'"{escape(value)}"'


def typed(value: object, datatype: str) -> str:
    return f'"{escape(str(value))}"^^<{XSD}{datatype}>'


@lru_cache(maxsize=4096)  # scores repeat: a few hundred values over every assignment
def canonical_decimal(value: float) -> str:
    """The form triple stores give back ("0.87", "1"), so files and stores agree."""
    return format(Decimal(f"{value:.3f}").normalize(), "f")


def integer(value: int) -> str:
    return typed(value, "integer")


class TripleWriter:
    """Collects N-Triples lines; ``lines`` may hold duplicates."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> {obj} .\n")

    def add_if(self, subject: str, predicate: str, value: str | None) -> None:
        if value:
            self.lines.append(f"<{subject}> <{predicate}> {text(value)} .\n")
