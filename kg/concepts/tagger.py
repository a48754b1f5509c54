"""Assign concepts of the SKOS scheme to a paper from its title, abstract and keywords.

How it matches, and why:

* Text and labels go through the same :func:`kg.text.fold_keeping_offsets`: Unicode compatibility
  folding, accents stripped, lower case, hyphens/dashes/apostrophes/whitespace
  to a space, any other punctuation to ``|`` (so a match never runs across a
  comma or a full stop). The mapping keeps the length of the text, so a match
  points straight back at the text as it appeared.
* Spelling variants (counselling/counseling) and irregular plurals are altLabels
  in the scheme; the regular plural of a label's last word is generated here.
* All label variants are compiled into one trie-shaped regex with word
  boundaries: one C-level scan per field, leftmost-longest, so "peer support
  worker" wins over "peer support" and "peer" never matches inside "peerage".
* Labels written with two or more capitals and no space (PTSD, QoL) are
  abbreviations: they must appear with that capitalisation.
* False friends are data: ``kg:excludedContext`` phrases on a concept ("peer
  review", "economic recovery"); a match overlapping one of them is dropped.
* Mentions are evidence, not tags (the gold file records what a paper is
  *about*). A label in the title assigns. Elsewhere each mention adds the
  weight of its zone of the abstract (:data:`ZONE_WEIGHTS`: the aims - a
  Purpose/Objective/Background section or the first sentence - count 1.5,
  the rest 1.0), one mention per sentence; author keywords and major subject
  headings add :data:`KEYWORD_WEIGHT`/:data:`MAJOR_HEADING_WEIGHT` once, other
  subject headings :data:`HEADING_WEIGHT` (check tags such as "Humans" are
  ignored: :data:`CHECK_TAGS`). The author's own keywords may assign without a
  mention in the text (:data:`AUTHOR_KEYWORDS_ASSIGN_ALONE`); an indexer's
  headings never do. The concept is assigned when the sum reaches its
  ``kg:minMentions`` (1 by default, 2 on generic concepts that are often named
  in passing), and its evidence is not dwarfed by the record's main concept
  (:data:`MIN_SALIENCE`). Weights were tuned on the dev half of the gold file
  only (:func:`kg.concepts.evaluation.gold_split`).
  Grouping concepts (``kg:taggable false``) are never assigned.
* A review reports the designs of the studies it reviewed: when the title
  names a member of the scheme's ``kgc:review-designs`` collection, members
  of ``kgc:primary-study-designs`` are not assigned (a meta-analysis *of*
  randomised controlled trials is not a trial).
* Broader concepts are not implied: queries walk ``skos:broader``.

Curated assignments (a curator's CSV) win over the tagger: see
:mod:`kg.concepts.curated`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple

from ..model import Assignment
from .scheme import Scheme, load_scheme
from ..errors import UsageError
from ..text import BLOCK, fold_keeping_offsets
from ..vocab import CONCEPTS

def _plural_forms(word: str) -> tuple[str, ...]:
    if not word.isalpha() or len(word) < 3:
        return (word,)
    if word.endswith("y") and word[-2] not in "aeiou":
        return (word, word[:-1] + "ies")
    if word.endswith("sis"):
        return (word, word[:-2] + "es")
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return (word, word + "es")
    return (word, word + "s")


def _is_abbreviation(label: str) -> bool:
    return " " not in label and sum(ch.isupper() for ch in label) >= 2


def _variants(label: str) -> tuple[str, ...]:
    """The normalised forms of ``label`` that count as a match."""
    norm = " ".join(fold_keeping_offsets(label).split())
    head, _, last = norm.rpartition(" ")
    if _is_abbreviation(label):
        return (norm, norm + "s")
    return tuple((head + " " + form) if head else form for form in _plural_forms(last))


def _trie_regex(strings: Iterable[str]) -> str:
    """A regex matching any of ``strings``, shaped as a trie so the engine never
    tries two alternatives with the same first character. Spaces match runs of spaces."""
    trie: dict = {}
    for s in strings:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [(" +" if ch == " " else re.escape(ch)) + emit(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            # Greedy optional: the longer label is tried first.
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def _boundary_regex(strings: Iterable[str]) -> re.Pattern[str]:
    # ASCII word boundaries: normalised labels are ASCII, and sre runs about twice
    # as fast with ASCII classes.
    return re.compile(r"(?<!\w)(?:" + _trie_regex(strings) + r")(?!\w)", re.ASCII)


def _guard_regexes(phrases: list[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A concept's guard phrases twice: anywhere, even inside a word (one
    search of the whole text, that rules out most texts at once), and as
    words (:meth:`Tagger._guarded`, in a window around each match). Whatever
    a window finds, the first finds in the text."""
    return re.compile(_trie_regex(phrases), re.ASCII), _boundary_regex(phrases)


# -- assignments ------------------------------------------------------------

METHOD = "label-match"


# Evidence weights. A label in the title is what a paper is about: the title
# alone assigns. Elsewhere each mention adds its zone's weight, and a concept
# is assigned when the total reaches its threshold (kg:minMentions, 1 unless
# the scheme says otherwise). The weights were tuned on the dev half of the
# gold file only (see tests/test_concepts_eval.py), and kept round.
ZONE_WEIGHTS = {
    "lead": 1.5,        # the aims: Purpose/Objective/Aims/Background, or an unstructured abstract's first sentence
    "conclusion": 1.0,  # Conclusions/Implications/Originality, or the last sentence
    "body": 1.0,        # Methods, Results and the rest
}
KEYWORD_WEIGHT = 1.0
"""Author keywords (``Record.keywords``): added once per concept."""
MAJOR_HEADING_WEIGHT = 1.0
"""Subject headings an indexer flagged as a major topic (``Record.major_headings``)."""
HEADING_WEIGHT = 0.5
"""Other subject headings (``Record.subject_headings``): weak evidence."""
AUTHOR_KEYWORDS_ASSIGN_ALONE = True
"""Whether an author keyword assigns with no mention in title or abstract
("network analysis" as a keyword of a paper whose abstract speaks of "hyperlink
networks"). Subject headings never do: letting major headings assign alone
lowered dev F1, as they name what the paper touches rather than what it is about."""
CHECK_TAGS = frozenset({
    # MeSH check tags
    "humans", "animals", "male", "female", "pregnancy", "infant", "infant, newborn", "child",
    "child, preschool", "adolescent", "adult", "young adult", "middle aged", "aged", "aged, 80 and over",
    # Emtree / Scopus index keywords of the same kind
    "human", "animal", "nonhuman", "article", "review", "priority journal", "controlled study",
    "major clinical study", "adults", "males", "females", "children", "adolescents",
})
"""Index terms written for nearly every paper about people of an age or sex:
they say nothing about what the paper is about, and are ignored."""
MIN_SALIENCE = 0.1
"""A concept named only outside the title is dropped when its evidence is below
this fraction of the strongest concept's evidence in the same record. Tuned on
dev: 0.09 and 0.1 tie there (0.881, from 0.880 without it), and the round value
was kept; 0.11 and above cost dev recall."""
TITLE_WEIGHT = 3.0
"""Counts towards the score only: a title match always assigns."""
SCORE_BASE, SCORE_STEP = 0.6, 0.1
"""score = min(1, SCORE_BASE + SCORE_STEP * evidence), evidence including the title."""

REVIEW_DESIGNS = CONCEPTS + "review-designs"
PRIMARY_DESIGNS = CONCEPTS + "primary-study-designs"
"""The scheme's skos:Collections behind the review rule (see the module docstring)."""

_LEAD_SECTION = re.compile(r"purpose|objective|aim|background|introduction|context|rationale|question", re.I)
_CONCLUSION_SECTION = re.compile(r"conclu|implication|originality|value|interpretation|discussion|significance", re.I)
# A sentence ends at . ! or ? followed by space and a capital, digit or opening quote.
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-Z0-9“\"(])")


def section_zone(label: str) -> str:
    """The zone of a structured-abstract section, from its label."""
    if _LEAD_SECTION.search(label):
        return "lead"
    if _CONCLUSION_SECTION.search(label):
        return "conclusion"
    return "body"


def abstract_zones(abstract: str | None, sections: Iterable = ()) -> list[tuple[str, str]]:
    """The abstract as (zone, text) pieces: a structured abstract by its section
    labels, an unstructured one as first sentence (lead), last sentence
    (conclusion, when there are three or more) and the rest (body)."""
    sections = tuple(sections)
    if sections:
        return [(section_zone(s.label), s.text) for s in sections if s.text]
    if not abstract:
        return []
    ends = [m.end() for m in _SENTENCE_END.finditer(abstract)]
    if not ends:
        return [("lead", abstract)]
    pieces = [("lead", abstract[: ends[0]])]
    if len(ends) >= 2:
        pieces += [("body", abstract[ends[0] : ends[-1]]), ("conclusion", abstract[ends[-1] :])]
    else:
        pieces.append(("body", abstract[ends[0] :]))
    return pieces


class Match(NamedTuple):
    """A label found in a text (a tuple: a record's abstract yields dozens,
    and a frozen dataclass took a fifth of the tagger's time to make them)."""

    start: int
    end: int
    concept: str
    text: str
    preferred: bool


@dataclass(frozen=True)
class _Label:
    concept: str
    label: str
    preferred: bool
    abbreviation: bool


class Tagger:
    """Label matcher compiled once from a :class:`~kg.concepts.Scheme`."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self._labels: dict[str, _Label] = {}
        for concept in scheme.concepts.values():
            if not concept.taggable:
                continue
            for label in concept.labels:
                entry = _Label(concept.iri, label, label == concept.pref_label, _is_abbreviation(label))
                for variant in _variants(label):
                    other = self._labels.get(variant)
                    if other is not None and other.concept != concept.iri:
                        raise UsageError(
                            f"label {label!r} of {concept.iri} reads the same as {other.label!r} of {other.concept}"
                        )
                    if other is None or entry.preferred:
                        self._labels[variant] = entry
        self._regex = _boundary_regex(self._labels)
        self._reviews = scheme.collections.get(REVIEW_DESIGNS, frozenset())
        self._primary = scheme.collections.get(PRIMARY_DESIGNS, frozenset())
        self._guards: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
            concept.iri: _guard_regexes([v for phrase in concept.excluded_contexts for v in _variants(phrase)])
            for concept in scheme.concepts.values()
            if concept.excluded_contexts
        }

    @classmethod
    def from_scheme(cls, path: Path | str | None = None) -> Tagger:
        """A tagger for the scheme file at ``path`` (default ``ontology/concepts.ttl``)."""
        return cls(load_scheme(path))

    # -- matching

    def find(self, text: str) -> list[Match]:
        """Every label occurrence in ``text`` that survives the guards, in text order."""
        norm = fold_keeping_offsets(text)
        found: list[Match] = []
        in_text: dict[str, bool] = {}  # per guarded concept: whether a guard phrase is anywhere in the text
        for m in self._regex.finditer(norm):
            key = m.group()
            entry = self._labels.get(key) or self._labels.get(" ".join(key.split()))
            if entry is None:
                continue
            start, end = m.span()
            original = text[start:end]
            if entry.abbreviation and " ".join(original.split()) not in (entry.label, entry.label + "s"):
                continue
            guards = self._guards.get(entry.concept)
            if guards is not None:
                anywhere, guard = guards
                if entry.concept not in in_text:
                    in_text[entry.concept] = anywhere.search(norm) is not None
                if in_text[entry.concept] and self._guarded(guard, norm, start, end):
                    continue
            found.append(Match(start, end, entry.concept, original, entry.preferred))
        return found

    @staticmethod
    def _guarded(guard: re.Pattern[str], norm: str, start: int, end: int) -> bool:
        # Guard phrases are short: a window around the match is enough.
        lo = max(0, start - 80)
        return any(g.start() + lo < end and start < g.end() + lo for g in guard.finditer(norm[lo : end + 80]))

    def tag(
        self,
        title: str | None,
        abstract: str | None,
        keywords: Iterable[str] = (),
        sections: Iterable = (),
        subject_headings: Iterable[str] = (),
        major_headings: Iterable[str] = (),
    ) -> list[Assignment]:
        """One assignment per concept the evidence supports, sorted by concept IRI.

        A title match assigns. Otherwise each abstract mention adds the weight
        of its zone (:data:`ZONE_WEIGHTS`; ``sections`` are the abstract's
        labelled sections, used instead of ``abstract`` when given), keywords
        and headings add their weight once, and the concept is assigned when
        the sum reaches its ``kg:minMentions`` and :data:`MIN_SALIENCE` of the
        record's strongest concept. Headings alone never assign. The reported
        match is the strongest evidence: title, then the heaviest abstract
        zone, then keywords.
        """
        evidence: dict[str, float] = {}
        in_abstract: set[str] = set()
        best: dict[str, tuple[tuple, Match, str]] = {}

        def note(match: Match, field_name: str, order: tuple) -> None:
            if match.concept not in best or order < best[match.concept][0]:
                best[match.concept] = (order, match, field_name)

        titled: set[str] = set()
        counted: set[tuple[str, int, int]] = set()
        if title:
            for match in self.find(title):
                if match.concept not in titled:
                    titled.add(match.concept)
                    evidence[match.concept] = evidence.get(match.concept, 0.0) + TITLE_WEIGHT
                note(match, "title", (0, -TITLE_WEIGHT, not match.preferred, match.start))
        for index, zone, sentence, match in self._abstract_matches(abstract, sections):
            weight = ZONE_WEIGHTS[zone]
            note(match, "abstract", (1, -weight, not match.preferred, index, match.start))
            # One mention per sentence: "randomised controlled trials (RCTs)",
            # or a concept named twice in one breath, is one mention.
            if (match.concept, index, sentence) in counted:
                continue
            counted.add((match.concept, index, sentence))
            in_abstract.add(match.concept)
            evidence[match.concept] = evidence.get(match.concept, 0.0) + weight
        major = [h for h in major_headings if h and h.casefold() not in CHECK_TAGS]
        majors = set(major)
        plain = [h for h in subject_headings if h and h not in majors and h.casefold() not in CHECK_TAGS]
        by_author: set[str] = set()
        for rank, terms, weight in ((0, [k for k in keywords if k], KEYWORD_WEIGHT),
                                    (1, major, MAJOR_HEADING_WEIGHT),
                                    (2, plain, HEADING_WEIGHT)):
            if not terms:
                continue
            # Matched one by one: "|" stops a match running across two terms.
            seen: set[str] = set()
            for match in self.find(f" {BLOCK} ".join(terms)):
                if match.concept not in seen:
                    seen.add(match.concept)
                    evidence[match.concept] = evidence.get(match.concept, 0.0) + weight
                    if rank == 0:
                        by_author.add(match.concept)
                note(match, "keywords", (2, rank, not match.preferred, match.start))
        supported = []
        for concept in sorted(best):
            total = evidence[concept]
            if concept not in titled:
                if concept not in in_abstract and not (AUTHOR_KEYWORDS_ASSIGN_ALONE and concept in by_author):
                    continue  # subject headings alone never assign
                if total < self.scheme.concepts[concept].min_mentions:
                    continue  # a passing mention
            supported.append(concept)
        if titled & self._reviews:
            supported = [c for c in supported if c not in self._primary]
        # Salience: a concept far weaker than the record's main one is a detail
        # (one outcome among a dozen in a review's results), not a topic.
        floor = MIN_SALIENCE * max((evidence[c] for c in supported), default=0.0)
        assignments = []
        for concept in supported:
            total = evidence[concept]
            if concept not in titled and total < floor:
                continue
            _, match, field_name = best[concept]
            score = round(min(1.0, SCORE_BASE + SCORE_STEP * total), 3)
            assignments.append(Assignment(
                concept, self.scheme.concepts[concept].pref_label, score, METHOD, match.text, field_name,
                round(total, 3),
            ))
        return assignments

    def _abstract_matches(self, abstract: str | None, sections: Iterable):
        """(piece index, zone, sentence index, match) for every label match in the
        abstract, zoned as :func:`abstract_zones` does. An unstructured abstract
        is scanned once and its matches placed by position."""
        sections = tuple(sections)
        if sections or not abstract:
            for index, (zone, text) in enumerate(abstract_zones(abstract, sections)):
                matches = self.find(text)
                repeated = len({m.concept for m in matches}) < len(matches)
                ends = [m.end() for m in _SENTENCE_END.finditer(text)] if repeated else []
                for match in matches:
                    yield index, zone, bisect_right(ends, match.start), match
            return
        matches = self.find(abstract)
        if not matches:
            return
        ends = [m.end() for m in _SENTENCE_END.finditer(abstract)]
        last = len(ends)  # sentence index of the last sentence
        for match in matches:
            sentence = bisect_right(ends, match.start)
            if sentence == 0:
                yield 0, "lead", 0, match
            elif last >= 2 and sentence == last:
                yield 2, "conclusion", sentence, match
            else:
                yield 1, "body", sentence, match

    def tag_record(self, record) -> list[Assignment]:
        return self.tag(record.title, record.abstract, record.keywords, record.abstract_sections,
                        getattr(record, "subject_headings", ()), getattr(record, "major_headings", ()))
