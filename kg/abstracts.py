"""Split structured abstracts into their labelled sections.

Two families are recognised: Emerald's ("Purpose – ... Findings – ...", a dash
after the heading) and the clinical one ("Background: ... Methods: ...", a
colon). An abstract counts as structured only when it opens with a heading,
so a "Results:" in the middle of plain prose does not split it.
"""

from __future__ import annotations

import re

from .model import AbstractSection

EMERALD_HEADINGS = (
    "Purpose",
    "Design/methodology/approach",
    "Findings",
    "Research limitations/implications",
    "Practical implications",
    "Social implications",
    "Originality/value",
)
CLINICAL_HEADINGS = (
    "Background",
    "Objectives",
    "Objective",
    "Aims",
    "Aim",
    "Methods",
    "Results",
    "Conclusions",
    "Conclusion",
    "Discussion",
)


def _heading_pattern(headings: tuple[str, ...], after: str) -> re.Pattern[str]:
    names = "|".join(re.escape(h) for h in sorted(headings, key=len, reverse=True))
    # A heading starts the text or follows a space or sentence punctuation,
    # which may be glued to it ("unknown.Methods:").
    return re.compile(rf"(?:^|(?<=[\s.;!?)]))(?P<label>{names}){after}")


EMERALD = _heading_pattern(EMERALD_HEADINGS, r"\s*[–—-]\s+")
CLINICAL = _heading_pattern(CLINICAL_HEADINGS, r"\s*:\s*")
LEADING_ABSTRACT = re.compile(r"^\s*Abstract\b[\s:.–-]*", re.I)


def split_structured_abstract(text: str) -> tuple[str, tuple[AbstractSection, ...]] | None:
    """Return (full text without a leading "Abstract", sections) or None."""
    body = LEADING_ABSTRACT.sub("", text, count=1).strip()
    for pattern in (EMERALD, CLINICAL):
        matches = list(pattern.finditer(body))
        if not matches or matches[0].start() != 0:
            continue
        sections = []
        for match, following in zip(matches, matches[1:] + [None]):
            end = following.start() if following else len(body)
            section_text = body[match.end() : end].strip()
            if section_text:
                sections.append(AbstractSection(match["label"], section_text))
        if sections:
            return body, tuple(sections)
    return None
