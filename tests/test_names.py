"""Printed names split into given and family parts."""

from __future__ import annotations

import random

import pytest
from nameparser import HumanName

from kg.read.names import _is_plain, split_name
from kg.text import fold
from benchmarks.generate import author_pool


@pytest.mark.parametrize(
    "printed,given,family",
    [
        ("John Q. Hodges", "John Q.", "Hodges"),
        ("Catherine M Collopy", "Catherine M", "Collopy"),
        ("N.B. Gooding", "N.B.", "Gooding"),
        ("A.M.T. Russell", "A.M.T.", "Russell"),
        ("Von Känel", None, "Von Känel"),
        ("Collopy, Catherine M.", "Catherine M.", "Collopy"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Plato", None, "Plato"),
        ("  Julie\u00a0Repper ◽ ", "Julie", "Repper"),
    ],
)
def test_split_name(printed, given, family):
    assert split_name(printed) == (given, family)


def test_fast_path_gives_nameparsers_answer():
    """The shortcut for plain names must agree with nameparser on every name it takes."""
    names = author_pool(random.Random(7), 2000) + [
        "Mary Ann Smith", "Jean-Paul Sartre", "Ana María García Márquez", "Chen Wei", "Pat Le",
        "Robert St. John", "Anne Marie Van Der Berg", "O. Reilly", "John Smith Jr.", "Dr Jane Doe",
    ]
    taken = 0
    for name in names:
        if _is_plain(name.split(" ")):
            taken += 1
            parsed = HumanName(name)
            expected = (" ".join(p for p in (parsed.first, parsed.middle) if p) or None, parsed.last or None)
            assert split_name(name) == expected, name
    assert taken > 1500


def test_same_printed_name_key():
    assert fold("Julie Repper") == fold("JULIE  REPPER") == fold("Julie Repper.")
    assert fold("Zoë Müller") == fold("Zoe Muller")
    assert fold("J. Repper") != fold("Julie Repper")
