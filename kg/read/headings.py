"""Subject headings as databases print them: MeSH marks, qualifiers, check tags.

Shared by the readers of every format that carries index terms (RIS, MEDLINE,
PubMed XML, CSL-JSON, OpenAlex).
"""

from __future__ import annotations

MESH_CHECK_TAGS = frozenset({
    "humans", "animals", "male", "female", "pregnancy", "infant", "infant, newborn", "child",
    "child, preschool", "adolescent", "adult", "young adult", "middle aged", "aged",
    "aged, 80 and over", "mice", "rats", "cattle", "cats", "dogs", "swine", "sheep", "rabbits",
})
"""MeSH check tags: written for nearly every paper, they mark a heading list as MeSH."""


def split_heading(value: str, qualifiers: bool = True) -> tuple[str, bool]:
    """A subject heading without its marks, and whether it is a major topic.

    ``*Body Image`` and (MeSH with qualifiers) ``Colitis, Ulcerative/*therapy``
    are major; the qualifiers after ``/`` are dropped when ``qualifiers``.
    """
    text = value.strip()
    if qualifiers:
        text, _, rest = text.partition("/")
        major = text.lstrip().startswith("*") or "*" in rest
    else:
        major = text.startswith("*")
    return text.strip().lstrip("*").strip(), major


def collect_headings(pairs) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(subject_headings, major_headings) from (heading, major) pairs, first
    occurrence order, without duplicates."""
    headings: dict[str, None] = {}
    major: dict[str, None] = {}
    for name, is_major in pairs:
        if name:
            headings.setdefault(name, None)
            if is_major:
                major.setdefault(name, None)
    return tuple(headings), tuple(major)


def is_mesh_like(value: str) -> bool:
    text = value.strip()
    return text.startswith("*") or "/" in text or text.casefold() in MESH_CHECK_TAGS
