"""Split printed personal names into given and family parts.

nameparser does the parsing; the few fixes here cover what it gets wrong on
bibliographic data: a family name that starts with a particle and stands alone
("Von Känel"), and squashed initials ("N.B.") that must stay given names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nameparser import HumanName
from nameparser.config import CONSTANTS

from ..model import Author

_SPACES = re.compile(r"\s+")


def clean_printed_name(text: str) -> str:
    """Collapse whitespace (any Unicode space) and strip separators."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip(" \t◽;,")


def _is_plain(tokens: list[str]) -> bool:
    """True when nameparser would read the tokens as given names then one family
    name: no titles, particles, suffixes or conjunctions, no comma, and a last
    token that is not an initial. Checked against nameparser in the tests."""
    if not 2 <= len(tokens) <= 4 or not tokens[-1][:1].isupper() or len(tokens[-1].rstrip(".")) < 2:
        return False
    for token in tokens:
        bare = token.lower().rstrip(".")
        if (
            "," in token
            or not token[:1].isalpha()
            or bare in CONSTANTS.titles
            or bare in CONSTANTS.prefixes
            or bare in CONSTANTS.suffix_acronyms
            or bare in CONSTANTS.suffix_not_acronyms
            or bare in CONSTANTS.conjunctions
            or token.islower()
        ):
            return False
    return True


def _plain_inverted(name: str) -> tuple[str, str] | None:
    """(given, family) of "Family, Given Names" when it is the plain shape
    the other way round (one family word): nameparser's answer, which RIS,
    MEDLINE and BibTeX names needed 85% of the RIS reader's time for. None
    for any other shape. Checked against nameparser in the tests."""
    family, comma, given = name.partition(", ")
    if not comma or " " in family or "," in given:
        return None
    given_tokens = given.split(" ")
    # nameparser drops run-together initials after a comma ("Howard, A.M." has no given name)
    if any("." in token.rstrip(".") for token in given_tokens) or not _is_plain([*given_tokens, family]):
        return None
    return given, family


@lru_cache(maxsize=65536)
def split_name(printed: str) -> tuple[str | None, str | None]:
    """Return (given, family) for a printed name; either may be None."""
    name = clean_printed_name(printed)
    if not name:
        return None, None
    tokens = name.split(" ")
    if _is_plain(tokens):
        # nameparser costs ~0.3 ms a name; this shortcut gives its answer for
        # the common shape at a hundredth of the cost.
        return " ".join(tokens[:-1]), tokens[-1]
    inverted = _plain_inverted(name)
    if inverted is not None:
        return inverted
    parsed = HumanName(name)
    given = " ".join(part for part in (parsed.first, parsed.middle) if part) or None
    family = parsed.last or None
    if given and not family:
        # A single token is a family name ("Plato"), not a given name.
        return None, given
    if given and given.lower().rstrip(".") in CONSTANTS.prefixes and not parsed.middle:
        # "Von Känel": a particle and one word is a family name alone.
        return None, f"{given} {family}"
    return given, family


def make_author(printed: str, orcid: str | None = None, affiliations: tuple[str, ...] = ()) -> Author:
    """An :class:`Author` for a name as printed, keeping the printed form."""
    return _shared(_author_from_printed, printed, orcid, affiliations)


def make_author_from_parts(
    family: str | None,
    given: str | None,
    orcid: str | None = None,
    affiliations: tuple[str, ...] = (),
) -> Author:
    """An :class:`Author` for formats that give the parts separately."""
    return _shared(_author_from_parts, family, given, orcid, affiliations)


def _author_from_printed(printed: str, orcid: str | None, affiliations: tuple[str, ...]) -> Author:
    name = clean_printed_name(printed)
    given, family = split_name(name)
    return Author(name=name, given=given, family=family, orcid=orcid, affiliations=affiliations)


def _author_from_parts(family: str | None, given: str | None, orcid: str | None, affiliations: tuple[str, ...]) -> Author:
    family = clean_printed_name(family or "") or None
    given = clean_printed_name(given or "") or None
    name = " ".join(p for p in (given, family) if p)
    return Author(name=name, given=given, family=family, orcid=orcid, affiliations=affiliations)


@lru_cache(maxsize=1 << 21)  # a million records name about 500k different authors
def _cached(make, *parts) -> Author:
    return make(*parts)


def _shared(make, *parts) -> Author:
    """Equal authors as one shared object (Author is frozen): people recur
    across records, and a million records name 3.5 million authors of whom a
    few hundred thousand differ, so sharing saves the name splitting and
    about 0.5 GB (46 MB on 100k listing records). A part JSON gave as a list
    cannot be a cache key: that author is made unshared, and fails as it
    would have."""
    try:
        return _cached(make, *parts)
    except TypeError:
        return make(*parts)
