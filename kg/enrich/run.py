"""One `kg enrich` run: the works to complete, their candidates, the decisions, the report.

:func:`enrich` takes the works of the current build and a way to find
candidates (a dump scan or the API), judges each candidate with
:func:`kg.enrich.match.judge`, and returns the works to save and the report;
it writes nothing. The command saves them (:mod:`kg.enrich.saved`) and
rebuilds the store from the same inputs, now with them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..identity.curation import load_curation
from ..identity.resolve import resolve
from ..model import NO_PROGRESS, Corpus, Progress, Record, Work
from ..read.inputs import expand_inputs, read_inputs
from .dump import scan_dumps
from .found import Found, utc_stamp
from .http import Client
from .match import FIELDS, MATCH, REVIEW, fills, judge, needs
from .saved import Saved, apply_saved, build_settings, saved_of
from .sources import look_up


@dataclass(frozen=True)
class Review:
    """A candidate that agrees on some evidence but not all: never merged, shown to a person."""

    work: str
    candidate: str
    evidence: tuple[str, ...]


@dataclass
class Report:
    looked_up: int = 0
    matched: int = 0
    filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    review: list[Review] = field(default_factory=list)
    not_found: int = 0
    failed: list[str] = field(default_factory=list)
    """Lookups that got no answer (after the retries), each with why."""
    requests: int = 0
    """Requests sent to the service (answers from the cache not counted)."""
    uncached: int = 0
    """Works not looked up: --offline, and not in the cache."""
    problems: list[str] = field(default_factory=list)
    """Lines of a dump that could not be read."""

    def as_json(self) -> dict:
        return {
            "looked_up": self.looked_up, "matched": self.matched, "filled": self.filled,
            "needs_review": [{"work": r.work, "candidate": r.candidate, "evidence": list(r.evidence)} for r in self.review],
            "not_found": self.not_found, "not_in_cache": self.uncached, "failed": self.failed,
            "requests": self.requests, "problems": self.problems,
        }

    def lines(self) -> list[str]:
        """The report as text lines (for stderr)."""
        filled = ", ".join(f"{name} {count}" for name, count in self.filled.items())
        out = [
            f"looked up: {self.looked_up} work(s); matched: {self.matched}; needs review: {len(self.review)}; "
            f"not found: {self.not_found}; failed: {len(self.failed)}"
            + (f"; not in the cache (--offline): {self.uncached}" if self.uncached else ""),
            f"filled: {filled}",
        ]
        for item in self.review:
            out.append(f"  needs review: {item.work} ~ {item.candidate}: {'; '.join(item.evidence)}")
        out += [f"  failed: {reason}" for reason in self.failed]
        out += [f"  {problem}" for problem in self.problems[:10]]
        return out


def current_corpus(manifest: dict, folder: Path, progress: Progress = NO_PROGRESS) -> Corpus:
    """The works the last `kg build` made (from its recorded inputs), with what is already saved."""
    settings = build_settings(manifest)
    files = expand_inputs(manifest["inputs"])
    read, _ = read_inputs(files, settings["format"], progress, settings["labels"])
    applied = apply_saved(folder, read.records)
    curation = load_curation(settings["curation"]) if settings["curation"] else []
    progress.stage(f"resolving {len(read.records):,} records")
    return resolve(read.records + applied.records, manifest["base"], applied.same, curation=curation)


def own_record(work: Work) -> Record | None:
    """The work's first record read from the user's inputs (not fetched), or None
    for a work made only of fetched records (a curator kept it apart)."""
    return min((s for s in work.sources if not s.source.retrieved), key=lambda r: r.source, default=None)


def label_of(work: Work) -> str:
    if work.record.doi:
        return work.record.doi
    source = (own_record(work) or work.sources[0]).source
    return f"{source.file}:{source.line}"


def targets_of(corpus: Corpus, everything: bool) -> list[Work]:
    return [w for w in corpus.works if (everything or needs(w.record)) and own_record(w) is not None]


Finder = Callable[[list[Work], Progress], tuple[list[list[Found] | None], list[str]]]
"""Candidates for each work (in order; None when it could not be looked up) and why lookups failed."""


def dump_finder(paths: Sequence[Path], report: Report) -> Finder:
    def find(works: list[Work], progress: Progress) -> tuple[list[list[Found] | None], list[str]]:
        # A dump's records were retrieved when the dump was written: its time, not
        # this run's, so enriching again from the same dump gives the same graph.
        written = utc_stamp(time.gmtime(max(path.stat().st_mtime for path in paths)))
        hits = scan_dumps(list(paths), [w.record for w in works], written, progress)
        report.problems += [str(p) for p in hits.problems]
        return [hits.candidates.get(i, []) for i in range(len(works))], []
    return find


def api_finder(client: Client, source: str, report: Report, concurrency: int = 2) -> Finder:
    def find(works: list[Work], progress: Progress) -> tuple[list[list[Found] | None], list[str]]:
        progress.stage(f"asking {source}", total=len(works), unit="works")
        candidates: list[list[Found] | None] = []
        failed: list[str] = []
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            for work, lookup in zip(works, pool.map(lambda w: look_up(client, source, w.record), works)):
                candidates.append(None if lookup.error or lookup.uncached else list(lookup.found))
                if lookup.error:
                    failed.append(f"{label_of(work)}: {lookup.error}")
                report.requests += len(lookup.requests)
                report.uncached += lookup.uncached
                progress.advance(1)
        return candidates, failed
    return find


def enrich(corpus: Corpus, find: Finder, *, everything: bool = False, report: Report | None = None,
           progress: Progress = NO_PROGRESS) -> tuple[list[Saved], Report]:
    """Look up the works of ``corpus`` that lack a DOI, title, venue or full
    author list (all with ``everything``); returns the matches to save and the report."""
    report = report or Report()
    works = targets_of(corpus, everything)
    report.looked_up = len(works)
    candidates, report.failed = find(works, progress)
    saved: list[Saved] = []
    for work, found in zip(works, candidates):
        if found is None:  # failed, or not in the cache: not looked up
            continue
        chosen, reviews = decide(work, found)
        if chosen is not None:
            match, evidence = chosen
            report.matched += 1
            for name in fills(work.record, match.record):
                report.filled[name] += 1
            target = own_record(work)
            saved.append(saved_of(target.source, target, match, evidence))
        elif reviews:
            report.review += reviews
        else:
            report.not_found += 1
    return saved, report


def decide(work: Work, found: list[Found]) -> tuple[tuple[Found, tuple[str, ...]] | None, list[Review]]:
    """The one candidate that matches, or the ones a person should look at."""
    unique = sorted({f.ident: f for f in found}.values(), key=lambda f: (f.source, f.ident))
    verdicts = [(f, judge(work.record, f.record)) for f in unique]
    matches = [(f, v) for f, v in verdicts if v.kind == MATCH]
    label = label_of(work)
    if len({f.record.doi or f.ident for f, _ in matches}) == 1:
        f, v = matches[0]
        return (f, v.evidence), []
    if matches:
        return None, [Review(label, f.ident, v.evidence + ("but another candidate matches too",)) for f, v in matches]
    return None, [Review(label, f.ident, v.evidence) for f, v in verdicts if v.kind == REVIEW]
