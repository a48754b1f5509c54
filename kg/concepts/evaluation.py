"""How well the tagger does, and what it misses.

* :func:`load_gold` reads the gold file, :func:`record_key` names a record in it,
  :func:`gold_split` puts each key in the dev or the held-out half.
* :func:`evaluate` compares concept assignments with a gold standard
  (precision/recall/F1 per concept, micro and macro averages).
* :func:`suggest` lists frequent phrases that no concept label covers, as
  candidates for new concepts or labels.

Nothing here prints or exits; bad input raises :class:`kg.errors.UsageError`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import UsageError
from .curated import read_csv_rows
from ..text import fold, fold_keeping_offsets
from ..vocab import CONCEPTS

# -- record keys and the gold file ----------------------------------------------

def record_key(record) -> str:
    """The gold-file key of a record: file basename plus DOI, else normalised title,
    else (a listing record with neither) the record's first line."""
    base = Path(record.source.file).name
    if record.doi:
        return f"{base}|doi:{record.doi}"
    if record.title and fold(record.title):
        return f"{base}|title:{fold(record.title)}"
    return f"{base}|line:{record.source.line}"


def load_gold(path: Path | str) -> dict[str, frozenset[str]]:
    """Read a gold file: CSV with columns ``key`` and ``concepts`` (``kgc:slug``
    or IRIs separated by spaces or ``;``, empty for "no concept applies"); other
    columns (title, note) are for the human reader."""
    path = Path(path)
    header, rows = read_csv_rows(path, "the gold file")
    missing = {"key", "concepts"} - set(header)
    if missing:
        raise UsageError(f"{path}:1: gold file needs the columns key and concepts (missing {', '.join(sorted(missing))})")
    gold: dict[str, frozenset[str]] = {}
    for line, row in rows:
        key = (row.get("key") or "").strip()
        if not key or key.startswith("#"):
            continue
        if key in gold:
            raise UsageError(f"{path}:{line}: key {key!r} appears twice")
        concepts = set()
        for token in re.split(r"[\s;]+", row.get("concepts") or ""):
            if not token:
                continue
            if token.startswith("kgc:"):
                token = CONCEPTS + token[4:]
            if not token.startswith(CONCEPTS):
                raise UsageError(f"{path}:{line}: {token!r} is not a kgc: concept")
            concepts.add(token)
        gold[key] = frozenset(concepts)
    return gold


SPLITS = ("dev", "held-out", "all")


def gold_split(key: str) -> str:
    """``dev`` or ``held-out``: a fixed half of the gold file by a hash of the key.

    Tune the tagger (weights, thresholds, labels) on the dev half only, and
    read the held-out figure as the estimate of how it does on unseen records.
    SHA-256 rather than ``hash()``: the split must not change between runs.
    """
    return "dev" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


def select_split(gold: Mapping[str, frozenset[str]], split: str = "all") -> dict[str, frozenset[str]]:
    """The gold keys of one half (``dev``, ``held-out``) or ``all`` of them."""
    if split not in SPLITS:
        raise UsageError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    return {k: v for k, v in gold.items() if split == "all" or gold_split(k) == split}


def gold_files(gold: Mapping[str, object]) -> set[str]:
    """The input file names (basenames) that the gold keys refer to."""
    return {key.split("|", 1)[0] for key in gold}


def predict(records: Iterable, tagger, keys: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
    """Concept IRIs the tagger assigns, per record key (only ``keys`` when given)."""
    wanted = set(keys) if keys is not None else None
    predicted: dict[str, frozenset[str]] = {}
    for record in records:
        key = record_key(record)
        if wanted is None or key in wanted:
            predicted[key] = frozenset(a.concept for a in tagger.tag_record(record))
    return predicted


# -- evaluation ----------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class ConceptScore:
    concept: str
    true_positives: int
    false_positives: int
    false_negatives: int
    scores: Scores

    @property
    def support(self) -> int:
        """How many keys the gold standard gives this concept."""
        return self.true_positives + self.false_negatives


@dataclass(frozen=True)
class EvalReport:
    per_concept: dict[str, ConceptScore]
    micro: Scores
    macro: Scores
    false_positives: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per key, the predicted concepts the gold standard does not have."""
    false_negatives: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per key, the gold concepts that were not predicted."""


def _scores(tp: int, fp: int, fn: int) -> Scores:
    # An empty denominator counts as 0, not as a perfect score: a concept never
    # predicted has no precision to claim.
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def evaluate(gold: Mapping[str, Iterable[str]], predicted: Mapping[str, Iterable[str]]) -> EvalReport:
    """Compare predicted concept sets with gold ones, key by key.

    A key missing on either side counts as an empty set there, so a record the
    tagger never saw shows up as false negatives. Macro averages run over every
    concept that occurs in the gold standard or the predictions.
    """
    counts: dict[str, list[int]] = {}
    fps: dict[str, frozenset[str]] = {}
    fns: dict[str, frozenset[str]] = {}
    for key in sorted(set(gold) | set(predicted)):
        want = set(gold.get(key, ()))
        got = set(predicted.get(key, ()))
        for concept in want | got:
            tally = counts.setdefault(concept, [0, 0, 0])
            if concept in want and concept in got:
                tally[0] += 1
            elif concept in got:
                tally[1] += 1
            else:
                tally[2] += 1
        if got - want:
            fps[key] = frozenset(got - want)
        if want - got:
            fns[key] = frozenset(want - got)
    per_concept = {
        concept: ConceptScore(concept, tp, fp, fn, _scores(tp, fp, fn))
        for concept, (tp, fp, fn) in sorted(counts.items())
    }
    total = [sum(t[i] for t in counts.values()) for i in range(3)]
    micro = _scores(*total)
    n = len(per_concept)
    macro = Scores(
        sum(c.scores.precision for c in per_concept.values()) / n if n else 0.0,
        sum(c.scores.recall for c in per_concept.values()) / n if n else 0.0,
        sum(c.scores.f1 for c in per_concept.values()) / n if n else 0.0,
    )
    return EvalReport(per_concept, micro, macro, fps, fns)


# -- suggestions -----------------------------------------------------------------

# General English function words and report boilerplate: they bound candidate
# phrases. This is language, not domain data, so it lives with the code.
STOPWORDS = frozenset(
    """a about above after again against all also although among an and any are as at be
    because been before being below between both but by can could did do does doing down
    during each either et few for from further had has have having here how however i if
    in into is it its itself more most much must no nor not of off on once only or other
    our out over own per same several should so some such than that the their them then
    there these they this those through thus to too under until up upon us used using very
    via was we were what when where whether which while who whom whose why will with within
    without would yet you your may might one two three four five six seven eight nine ten
    first second new well based study studies paper article results findings aim aims
    purpose background methods method conclusion conclusions objective objectives
    introduction discussion design approach value originality implications limitations
    research review data analysis use including included include n p""".split()
)

_WORD = re.compile(r"[^\W\d_][^\W_]*")


def _chunks(normalised: str) -> Iterable[list[tuple[int, int, str]]]:
    """Runs of content words (start, end, word) between stopwords and punctuation."""
    for segment in re.finditer(r"[^|]+", normalised):
        run: list[tuple[int, int, str]] = []
        for m in _WORD.finditer(segment.group()):
            word = m.group()
            if word in STOPWORDS or len(word) < 2:
                if run:
                    yield run
                run = []
                continue
            run.append((segment.start() + m.start(), segment.start() + m.end(), word))
        if run:
            yield run


def suggest(records: Iterable, tagger, top: int = 50, max_words: int = 4) -> list[tuple[str, int]]:
    """Frequent phrases (1 to ``max_words`` content words between stopwords and
    punctuation) that no concept label covers, as (phrase, count) ranked by count
    then phrase. ``count`` is the number of records whose title, abstract or
    keywords contain the phrase, so one long abstract cannot dominate.
    A phrase is covered when it lies wholly inside a label match.
    """
    counts: Counter[str] = Counter()
    for record in records:
        seen: set[str] = set()
        abstract = record.abstract or " | ".join(s.text for s in record.abstract_sections)
        for text in (record.title or "", abstract or "", " | ".join(record.keywords)):
            if not text:
                continue
            norm = fold_keeping_offsets(text)
            spans = [(m.start, m.end) for m in tagger.find(text)]
            for run in _chunks(norm):
                for i in range(len(run)):
                    for j in range(i, min(i + max_words, len(run))):
                        start, end = run[i][0], run[j][1]
                        if any(s <= start and end <= e for s, e in spans):
                            continue
                        seen.add(" ".join(w for _, _, w in run[i : j + 1]))
        counts.update(seen)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:top]
