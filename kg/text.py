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
    if text.isascii():  # no accents to strip: a third of the time, and most text is ASCII
        return " ".join(_WORD.findall(text.lower()))
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


# -- text bound for a terminal --------------------------------------------------

# C0 controls and DEL show as their Unicode control pictures (U+2400-U+2421);
# C1 controls and the bidirectional overrides and isolates, which have none
# and could reorder what a terminal shows, as \u escapes. Tab, line feed,
# vertical tab, form feed and carriage return are layout: cells fold them to spaces.
_LAYOUT = "\t\n\v\f\r"
_VISIBLE = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in _LAYOUT}
_VISIBLE[0x7F] = "\u2421"
_VISIBLE.update({c: f"\\u{c:04x}" for c in [*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]})
_NEEDS_VISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _VISIBLE) + "]")


def visible(text: str) -> str:
    """``text`` with control characters made visible (BEL as ``␇``, NUL as ``␀``,
    U+0085 as ``\\u0085``), for text bound for a terminal."""
    return text.translate(_VISIBLE) if _NEEDS_VISIBLE.search(text) else text


def first_line(message: bytes | str | BaseException, limit: int = 300) -> str:
    """The first non-empty line of a message (a server's answer, an exception),
    decoded and cut at ``limit`` characters, for a one-line error; an exception
    without a message gives its type's name."""
    if isinstance(message, BaseException):
        return first_line(str(message), limit) or type(message).__name__
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    found = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return found[:limit]
