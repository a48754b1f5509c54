"""Assign concepts of the SKOS scheme to a paper from its title, abstract and keywords.

How it matches, and why:

* Text and labels go through the same :func:`normalise`: Unicode compatibility
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
* Generic concepts carry ``kg:minMentions``: named only once outside the title
  they are a passing mention, not a topic.
  Grouping concepts (``kg:taggable false``) are never assigned.
* Broader concepts are not implied: queries walk ``skos:broader``.

Curated assignments (a curator's CSV) win over the tagger: see
:func:`load_curated` and :func:`apply_curated`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .concepts import Concept, Scheme, load_scheme, normalise_doi
from .errors import UsageError

# -- normalisation -----------------------------------------------------------

BLOCK = "|"  # replaces punctuation that ends a phrase
_APOSTROPHES = "'’‘`´ʼ"


class _FoldTable(dict):
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


_FOLD = _FoldTable()


def normalise(text: str) -> str:
    """Fold ``text`` for matching; the result has exactly the length of ``text``."""
    return text.translate(_FOLD)


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
    norm = " ".join(normalise(label).split())
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


# -- assignments ------------------------------------------------------------

FIELDS = ("title", "keywords", "abstract")
"""In order of weight: a concept named in the title is what a paper is about."""

FIELD_BONUS = {"title": 0.1, "keywords": 0.05, "abstract": 0.0}
PREF_BASE, ALT_BASE = 0.85, 0.8
REPEAT_BONUS, REPEAT_CAP = 0.02, 5


@dataclass(frozen=True)
class Assignment:
    concept: str
    label: str
    score: float
    method: str
    matched: str
    field: str
    """``title``, ``abstract`` or ``keywords``; empty for a curated assignment."""


@dataclass(frozen=True)
class Match:
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
        self._guards: dict[str, re.Pattern[str]] = {
            concept.iri: _boundary_regex(v for phrase in concept.excluded_contexts for v in _variants(phrase))
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
        norm = normalise(text)
        found: list[Match] = []
        for m in self._regex.finditer(norm):
            entry = self._labels.get(" ".join(m.group().split()))
            if entry is None:
                continue
            start, end = m.span()
            original = text[start:end]
            if entry.abbreviation and " ".join(original.split()) not in (entry.label, entry.label + "s"):
                continue
            guard = self._guards.get(entry.concept)
            if guard is not None and self._guarded(guard, norm, start, end):
                continue
            found.append(Match(start, end, entry.concept, original, entry.preferred))
        return found

    @staticmethod
    def _guarded(guard: re.Pattern[str], norm: str, start: int, end: int) -> bool:
        # Guard phrases are short: a window around the match is enough.
        lo = max(0, start - 80)
        return any(g.start() + lo < end and start < g.end() + lo for g in guard.finditer(norm[lo : end + 80]))

    def tag(self, title: str | None, abstract: str | None, keywords: Iterable[str] = ()) -> list[Assignment]:
        """One assignment per matched concept, from its best evidence, sorted by concept IRI.

        Score: 0.85 for a prefLabel, 0.8 for an altLabel, plus 0.1 when the best
        match is in the title (0.05 in keywords), plus 0.02 for each further
        occurrence anywhere (at most 5), capped at 1.
        """
        texts = {
            "title": title or "",
            # Keywords are matched one by one: "|" stops a match running across two.
            "keywords": f" {BLOCK} ".join(k for k in keywords if k),
            "abstract": abstract or "",
        }
        best: dict[str, tuple[tuple, Match, str]] = {}
        occurrences: dict[str, int] = {}
        for rank, field_name in enumerate(FIELDS):
            text = texts[field_name]
            if not text:
                continue
            for match in self.find(text):
                occurrences[match.concept] = occurrences.get(match.concept, 0) + 1
                order = (rank, not match.preferred, match.start)
                if match.concept not in best or order < best[match.concept][0]:
                    best[match.concept] = (order, match, field_name)
        assignments = []
        for concept, (_, match, field_name) in sorted(best.items()):
            # A generic concept named only in passing (or only among a database's
            # index terms, which include check tags such as "Adolescent") is not
            # what the paper is about; the title alone is enough.
            if field_name != "title" and occurrences[concept] < self.scheme.concepts[concept].min_mentions:
                continue
            base = PREF_BASE if match.preferred else ALT_BASE
            repeats = min(occurrences[concept] - 1, REPEAT_CAP) * REPEAT_BONUS
            score = round(min(1.0, base + FIELD_BONUS[field_name] + repeats), 3)
            assignments.append(
                Assignment(concept, self.scheme.concepts[concept].pref_label, score, "label-match", match.text, field_name)
            )
        return assignments

    def tag_record(self, record) -> list[Assignment]:
        abstract = record.abstract
        if not abstract and record.abstract_sections:
            abstract = " ".join(section.text for section in record.abstract_sections)
        return self.tag(record.title, abstract, record.keywords)


# -- curated assignments -----------------------------------------------------

CURATED_COLUMNS = ("paper", "concept", "action", "note")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


@dataclass(frozen=True)
class CuratedAssignment:
    paper: str
    """A lower-case DOI (no ``https://doi.org/``) or a paper IRI."""
    concept: str
    label: str
    action: str
    """``add`` or ``remove``."""
    note: str
    source: str
    """``file:line`` of the row, for messages."""

    @property
    def paper_is_doi(self) -> bool:
        return bool(_DOI.match(self.paper))


def _paper_id(raw: str) -> str | None:
    raw = raw.strip()
    doi = normalise_doi(raw)
    if _DOI.match(doi):
        return doi
    if re.match(r"^(?:https?|urn):\S+$", raw, re.I):
        return raw
    return None


def load_curated(path: Path | str, scheme: Scheme | None = None) -> list[CuratedAssignment]:
    """Read a curator's CSV (columns paper, concept, action, note).

    ``concept`` may be a concept IRI, ``kgc:slug`` or a prefLabel. A bad row, or
    the same paper and concept both added and removed, raises
    :class:`~kg.errors.UsageError` naming file and line.
    """
    path = Path(path)
    scheme = scheme or load_scheme()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read curated assignments: {exc.strerror or exc}") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or ()]
    missing = [c for c in CURATED_COLUMNS[:3] if c not in header]
    if missing:
        raise UsageError(f"{path}:1: curated assignments need the columns paper, concept, action (missing {', '.join(missing)})")
    reader.fieldnames = header
    rows: list[CuratedAssignment] = []
    seen: dict[tuple[str, str], CuratedAssignment] = {}
    for row in reader:
        where = f"{path}:{reader.line_num}"
        values = {k: (row.get(k) or "").strip() for k in CURATED_COLUMNS}
        if not any(values.values()) or values["paper"].startswith("#"):
            continue
        paper = _paper_id(values["paper"])
        if paper is None:
            raise UsageError(f"{where}: paper {values['paper']!r} is neither a DOI nor an IRI")
        concept: Concept | None = scheme.resolve(values["concept"]) if values["concept"] else None
        if concept is None:
            raise UsageError(f"{where}: unknown concept {values['concept']!r}")
        action = values["action"].casefold()
        if action not in ("add", "remove"):
            raise UsageError(f"{where}: action must be add or remove, not {values['action']!r}")
        item = CuratedAssignment(paper, concept.iri, concept.pref_label, action, values["note"], where)
        previous = seen.get((paper, concept.iri))
        if previous is not None and previous.action != action:
            raise UsageError(f"{where}: contradicts {previous.source} ({previous.action} {concept.pref_label!r})")
        if previous is None:
            seen[(paper, concept.iri)] = item
            rows.append(item)
    return rows


def curations_for(curated: Iterable[CuratedAssignment], doi: str | None = None, iri: str | None = None) -> list[CuratedAssignment]:
    """The curated rows about the paper with this DOI or IRI."""
    doi = normalise_doi(doi) if doi else None
    return [c for c in curated if (doi and c.paper == doi) or (iri and c.paper == iri)]


def apply_curated(assignments: Iterable[Assignment], curated: Iterable[CuratedAssignment]) -> list[Assignment]:
    """Machine assignments with one paper's curated rows applied: a removal drops
    the machine tag, an addition replaces it with a curated one (score 1.0)."""
    curated = list(curated)
    overridden = {c.concept for c in curated}
    result = [a for a in assignments if a.concept not in overridden]
    result += [Assignment(c.concept, c.label, 1.0, "curated", "", "") for c in curated if c.action == "add"]
    return sorted(result, key=lambda a: a.concept)
