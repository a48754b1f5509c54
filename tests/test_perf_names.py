"""The shortcut for inverted names ("Family, Given") gives nameparser's answer."""

from __future__ import annotations

import random
import re

from nameparser import HumanName

from benchmarks.generate import author_pool
from kg.read.names import _plain_inverted, clean_printed_name, split_name
from tests.exports import exports_dir


def nameparser_split(name: str) -> tuple[str | None, str | None]:
    parsed = HumanName(name)
    return " ".join(p for p in (parsed.first, parsed.middle) if p) or None, parsed.last or None


def inverted_names() -> list[str]:
    names = {f"{n.rsplit(' ', 1)[1]}, {n.rsplit(' ', 1)[0]}" for n in author_pool(random.Random(11), 3000)}
    names |= {
        "Smith, J.", "Smith, JA", "Smith, Jr.", "Smith, John, Jr.", "de Vries, Anna", "Smith, Dr. John", "Le, Pat",
        "O'Reilly, Sean", "Smith-Jones, Anne-Marie", "Van, Anh", "Smith, Anne Marie Louise", "Smith, a. b.",
        "Müller, Zoë", "St. John, Robert", "Smith, II", "Smith, Mary and John", "Ng, W", "Howard, A.M.",
        "Mayer, E.A.", "Li, Y. -H.", "Wang, Xiao-Ming", "Collopy, Catherine M.",
    }
    found = exports_dir()
    if found is not None:  # every author of the real RIS and MEDLINE exports
        for path in sorted(found.rglob("*")):
            if path.is_file() and path.suffix in (".ris", ".txt", ".nbib"):
                text = path.read_text("utf-8", errors="replace")
                names |= {m.strip() for m in re.findall(r"^(?:AU|A1|FAU)\s*-\s*(.+)$", text, re.M)}
    return sorted(clean_printed_name(n) for n in names)


def test_inverted_shortcut_gives_nameparsers_answer():
    taken = 0
    for name in inverted_names():
        shortcut = _plain_inverted(name)
        if shortcut is not None:
            taken += 1
            assert shortcut == nameparser_split(name), name
            assert split_name(name) == shortcut, name
    assert taken > 2500


def test_inverted_shapes_the_shortcut_leaves_to_nameparser():
    for name in ("Howard, A.M.", "de Vries, Anna", "Smith, Jr.", "St. John, Robert", "Smith, John, Jr.", "Plato"):
        assert _plain_inverted(name) is None, name
    assert split_name("Howard, A.M.") == (None, "Howard")  # nameparser's own answer, kept
