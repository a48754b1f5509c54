"""`kg build`: inputs -> records -> works and people -> concepts -> triples -> sinks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .sinks import store as store_module
from .errors import UsageError
from .gc_pause import paused_gc
from .rdf.mapping import iter_mapped
from .model import Problem, ReadResult
from .read import read_path
from .identity.resolve import Corpus, resolve
from .resources import ontology_dir
from .rdf.sort import DEFAULT_RUN_SIZE, SortedStatements
from .sinks.files import format_for, write_file

INPUT_SUFFIXES = {".txt", ".ris", ".bib", ".json", ".xml", ".nbib", ".medline"}

Progress = Callable[[str], None]


@dataclass
class FileSummary:
    file: str
    format: str
    records: int
    skipped: int


@dataclass
class BuildSummary:
    files: list[FileSummary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    """Records that went into the graph."""
    papers: int = 0
    people: int = 0
    assignments: int = 0
    triples: int = 0
    records_by_format: dict[str, int] = field(default_factory=dict)
    """Records used, per input format (``ris``, ``listing``...)."""
    merged_works: int = 0
    """Works made of more than one source record."""
    merged_people: int = 0
    """People joined from differently printed names."""

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)

    @property
    def read(self) -> int:
        return self.records + self.skipped


@dataclass
class Built:
    """The outcome of a build: the sorted statements and what was counted."""

    statements: SortedStatements
    summary: BuildSummary

    @property
    def lines(self) -> list[str]:
        """All statements as sorted N-Triples lines (for small graphs and tests)."""
        return list(self.statements)


def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Files named, and the bibliographic files inside folders named."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not files:
        raise UsageError("no input files found")
    return files


def display_names(files: list[Path]) -> dict[Path, str]:
    """The shortest trailing part of each path that tells the files apart.

    Names recorded in the graph must not depend on the working directory or
    the order of the arguments, so absolute paths are out.
    """
    resolved = {f: f.resolve().parts for f in files}
    names: dict[Path, str] = {}
    for f, parts in resolved.items():
        for depth in range(1, len(parts) + 1):
            tail = parts[-depth:]
            clash = any(o != f and op[-depth:] == tail for o, op in resolved.items() if op != parts)
            if not clash:
                names[f] = "/".join(tail)
                break
        else:
            names[f] = "/".join(parts)
    return names


def read_inputs(files: list[Path], format: str | None = None) -> tuple[ReadResult, list[FileSummary]]:
    result = ReadResult()
    summaries = []
    names = display_names(files)
    for path in sorted(set(files), key=lambda p: names[p]):
        used, one = read_path(path, names[path], format)
        result.extend(one)
        summaries.append(FileSummary(names[path], used, len(one.records), len(one.skipped)))
    return result, summaries


def scheme_lines() -> list[str]:
    """The concept scheme as N-Triples lines, so queries can walk it."""
    path = ontology_dir() / "concepts.ttl"
    if not path.is_file():
        return []
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return [f"{t} .\n" for t in triples]


def build_graph(
    inputs: Sequence[str | Path],
    base: str,
    *,
    format: str | None = None,
    tag: bool = True,
    curated: Path | None = None,
    progress: Progress | None = None,
    run_size: int = DEFAULT_RUN_SIZE,
) -> Built:
    """Read, resolve, tag and map ``inputs``; returns sorted N-Triples lines."""
    with paused_gc():
        return _build_graph(inputs, base, format, tag, curated, progress, run_size)


def _build_graph(inputs, base, format, tag, curated, progress, run_size) -> Built:
    say = progress or (lambda message: None)
    files = expand_inputs(inputs)
    say(f"reading {len(files)} file(s)")
    read, file_summaries = read_inputs(files, format)
    say(f"resolving {len(read.records)} record(s)")
    corpus = resolve(read.records, base)
    assignments = {}
    if tag:
        say("tagging concepts")
        assignments = tag_corpus(corpus, curated)
    say("mapping to RDF")
    statements = SortedStatements(run_size)
    for batch in iter_mapped(corpus, base, assignments):
        statements.extend(batch)
    if tag:
        statements.extend(scheme_lines())
    say("sorting statements")
    statements.finish()
    summary = BuildSummary(
        files=file_summaries,
        problems=sorted(read.problems),
        records=len(read.records),
        papers=len(corpus.works),
        people=len(corpus.people),
        assignments=sum(len(a) for a in assignments.values()),
        triples=statements.count,
        records_by_format=records_by_format(file_summaries),
        merged_works=corpus.merged_works,
        merged_people=corpus.merged_people,
    )
    return Built(statements, summary)


def records_by_format(files: list[FileSummary]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in files:
        counts[f.format] = counts.get(f.format, 0) + f.records
    return dict(sorted(counts.items()))


def tag_corpus(corpus: Corpus, curated: Path | None) -> dict[str, list]:
    """Concept assignments per work IRI; a curator's rows win over the tagger."""
    from .concepts.tagger import Tagger, apply_curated, load_curated

    tagger = Tagger.from_scheme()
    by_paper: dict[str, list] = {}
    for row in load_curated(curated) if curated is not None else ():
        by_paper.setdefault(row.paper, []).append(row)
    assignments = {}
    for work in corpus.works:
        found = tagger.tag_record(work.record)
        rows = by_paper.get(work.iri, []) + by_paper.get(work.record.doi or "", [])
        if rows:
            found = apply_curated(found, rows)
        if found:
            assignments[work.iri] = found
    return assignments


def write_outputs(built: Built, *, store: str | Path | None, output: Path | None, graph: str | None = None) -> None:
    """Send a built graph to the embedded store and/or a file."""
    if output is not None:
        format_for(output)  # refuse a bad extension before any work
        write_file(built.statements, output, graph)
    if store is not None:
        store_module.replace_contents(store, built.statements)
