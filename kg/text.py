"""Text folding shared by every stage: one fold, one slug, one suffix set.

Two records agree on a title, a name or a venue when their folded forms are
equal, and an IRI path segment is the folded form with dashes; both must fold
alike, or the same name would match in one stage and get two IRIs in another.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")

NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "2nd", "3rd", "4th"})
"""Generational suffixes of a personal name, folded ("Jr." -> "jr"): they tell
apart people, not spellings, so name keys drop them."""


def fold(text: str) -> str:
    """Case, accents and punctuation folded; words joined by single spaces."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(folded))


def slug(text: str) -> str:
    """The fold of ``text`` with dashes between words, for IRI paths; may keep
    non-Latin letters."""
    return fold(text).replace(" ", "-").strip("-_")


# -- the tagger's fold: same idea, but the result keeps the text's length -------

BLOCK = "|"
"""Stands for punctuation that ends a phrase, so a match never runs across a
comma or a full stop."""
_APOSTROPHES = "'’‘`´ʼ"


class _SameLengthFold(dict):
    """``str.translate`` table built lazily, one entry per character seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch.isspace() or ch in _APOSTROPHES or unicodedata.category(ch) == "Pd":
            out = " "
        elif ch.isalnum() and ch != "_":
            stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out = stripped if len(stripped) == 1 else ch
            lowered = out.lower()
            out = lowered if len(lowered) == 1 else out
        else:
            out = BLOCK
        self[code] = out
        return out


_SAME_LENGTH_FOLD = _SameLengthFold()


def fold_keeping_offsets(text: str) -> str:
    """Fold ``text`` for label matching, one character for one, so that a match
    in the result points straight back at the text as printed."""
    return text.translate(_SAME_LENGTH_FOLD)
