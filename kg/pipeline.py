"""The build, stage by stage: read -> identity -> concepts -> rdf -> sinks.

Each stage is a package of its own (``kg/read``, ``kg/identity``,
``kg/concepts``, ``kg/rdf``, ``kg/sinks``); this module only passes the values
of one stage to the next and counts what went through.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .concepts.ahead import TaggedAhead
from .concepts.assign import iter_assignments
from .concepts.curated import concept_outcomes, from_curation, load_curated
from .enrich.saved import MATCHED, Applied, apply_saved
from .errors import Interrupted
from .gc_pause import paused_gc
from .identity import resolve
from .identity.curation import load_curation
from .model import NO_PROGRESS, Problem, Progress
from .rdf.mapping import iter_assignment_lines, iter_mapped, scheme_lines
from .rdf.sort import DEFAULT_RUN_SIZE, SortedStatements
from .read.cache import RecordCache, content_hash
from .resources import folder_fingerprint, ontology_dir
from .read.inputs import FileSummary, display_names, expand_inputs, read_inputs, source_label, unique_files
from .sinks import store as store_module
from .sinks.early_load import EarlyLoad
from .sinks.files import format_for, write_file
from .sinks.increment import Increment, cache_dir, load_last_build, output_key


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
    curated: int = 0
    """Rows of the curation file (and curated concept CSV) read."""
    curated_without_effect: int = 0
    """Of those, rows that matched nothing (each also a warning in ``problems``)."""
    files_unchanged: int = 0
    """Input files taken from the last build's cache instead of read again."""
    unchanged: bool = False
    """Nothing changed since the last build into the store: nothing was done."""
    store_change: str = ""
    """How the store got the graph when a last build was kept: "updated: ...",
    "unchanged", "loaded whole: <why>"; empty on a first build or with ``full``."""

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)

    @property
    def read(self) -> int:
        return self.records + self.skipped

    @property
    def empty_files(self) -> list[FileSummary]:
        """Input files that gave no record (empty, binary, JSON that does not
        parse, every record skipped), each with ``why_empty``."""
        return [f for f in self.files if f.records == 0]

    def data_problem(self, strict: bool = False) -> str | None:
        """The one-line reason a build exits 1 (data problems), or None.

        A whole input file that gave no record is one; with ``strict`` (CI),
        any skipped record is one too. The graph is written all the same, from
        the records that were read.
        """
        reasons = []
        if self.empty_files:
            named = ", ".join(f"{f.file} ({f.why_empty})" for f in self.empty_files)
            reasons.append(f"{len(self.empty_files)} input file(s) gave no record: {named}")
        if strict and self.skipped:
            reasons.append(f"{self.skipped} record(s) skipped (--strict)")
        return "; ".join(reasons) or None


@dataclass
class Built:
    """The outcome of a build: the sorted statements and what was counted."""

    statements: SortedStatements
    summary: BuildSummary
    increment: Increment | None = None
    """What the last build into the same store left, when the build used its cache."""
    early: EarlyLoad | None = None
    """The store's new generation, loading since mapping began, when it is
    to be loaded whole; :func:`write_outputs` commits it (or discards it)."""

    def discard(self) -> None:
        """Drop the store load begun for this build, when it is not to be written."""
        if self.early is not None:
            self.early.discard()

    @property
    def lines(self) -> list[str]:
        """All statements as sorted N-Triples lines (for small graphs and tests)."""
        return list(self.statements)


def build_graph(
    inputs: Sequence[str | Path],
    base: str,
    *,
    format: str | None = None,
    tag: bool = True,
    curated: Path | None = None,
    progress: Progress = NO_PROGRESS,
    run_size: int = DEFAULT_RUN_SIZE,
    labels: dict | None = None,
    enrichment: Path | None = None,
    curation: Path | None = None,
    store: str | Path | None = None,
    full: bool = False,
    load_early: bool = True,
) -> Built:
    """Read, resolve, map and tag ``inputs`` (each work's concepts are mapped
    after the rest of the graph); returns sorted N-Triples lines.
    ``progress`` hears each stage begin, the files read and the statements mapped;
    ``labels`` maps a file or folder to its records' source label; ``enrichment``
    is a folder of works saved by `kg enrich` (:mod:`kg.enrich.saved`), read as one more input;
    ``curation`` is the user's curation file (:mod:`kg.identity.curation`), whose rows win.

    ``store`` is the store the graph will be written to, whose cache folder
    the build uses (:mod:`kg.sinks.increment`): files unchanged since the last
    build into it are not read again, and when nothing changed at all the last
    build's statements come back with nothing redone. ``full`` reads and builds
    everything, refreshing the cache. When the store is to be loaded whole,
    ``load_early`` loads it while mapping (:mod:`kg.sinks.early_load`); the
    returned :class:`Built` must then go to :func:`write_outputs`, which
    commits that load, or be discarded with :meth:`Built.discard`."""
    with paused_gc():
        return _build_graph(inputs, base, format, tag, curated, progress, run_size, labels, enrichment, curation,
                            store, full, load_early)


def _build_graph(inputs, base, format, tag, curated, progress: Progress, run_size, labels=None, enrichment=None,
                 curation=None, store=None, full=False, load_early=True) -> Built:
    files = expand_inputs(inputs)
    increment = None
    if store is not None:
        cache = cache_dir(store_module.make_store_folder(store))
        records = RecordCache(cache / "records", refresh=full)
        settings = {"base": base, "format": format, "tag": tag}
        read_too = {"curated": curated if tag else None, "curation": curation,
                    "enrichment": Path(enrichment) / MATCHED if enrichment is not None else None}
        increment = Increment(cache, build_fingerprint(files, records, labels, settings, read_too), records,
                              None if full else load_last_build(cache))
        if increment.unchanged:
            progress.stage("nothing changed since the last build")
            summary = replace(increment.last.summary, unchanged=True, files_unchanged=len(files))
            return Built(increment.kept_statements(), summary, increment)
    curated_rows = load_curated(curated) if tag and curated is not None else []
    curation_rows = load_curation(curation) if curation is not None else []
    concept_rows = from_curation(curation_rows, base)
    incoming = store_module.scratch_folder(store, "read") if store is not None else None  # beside the cache
    try:
        read, file_summaries = read_inputs(files, format, progress, labels, increment.records if increment else None,
                                           incoming)
    finally:
        if incoming is not None:
            shutil.rmtree(incoming, ignore_errors=True)
    progress.stage(f"resolving {len(read.records):,} records")
    applied = apply_saved(enrichment, read.records) if enrichment is not None else Applied([], [], [])
    records = read.records + applied.records
    ahead = TaggedAhead.start(records, tag)  # tags in a worker process while this one resolves and maps
    statements = early = None
    assignments = 0
    try:
        corpus = resolve(records, base, applied.same, curation=curation_rows)
        problems = list(read.problems) + applied.problems
        if increment is not None:
            problems += [Problem(name, 0, "changed while kg read it; the next build reads it again")
                         for name in increment.records.edited]
        corpus.curated += concept_outcomes(curated_rows + concept_rows, corpus, base, tagged=tag)
        problems += [Problem(c.file, c.line, f"{c.problem}; it has no effect") for c in corpus.curated if c.problem]
        progress.stage("mapping to RDF", unit="statements")
        loads_whole = increment is not None and increment.whole_load(Path(store)) is not None
        scratch = store_module.scratch_folder(store, "sort") if store is not None else None
        statements = SortedStatements(run_size, folder=scratch)
        early = statements.runs_to = EarlyLoad(store) if load_early and loads_whole else None
        statements.keep_runs = early is not None  # the store loads the runs: none needs them merged into a file
        for batch in iter_mapped(corpus, base):
            statements.extend(batch)
            progress.advance(len(batch))
        if tag:
            # After the rest is mapped, not before: the store loads those
            # statements while the works tagged ahead are taken and the
            # others (merged, corrected, or a build too small to tag ahead) tagged here.
            progress.stage(f"tagging concepts of {len(corpus.works):,} papers", unit="statements")
            tagged = iter_assignments(corpus, curated_rows + concept_rows, base=base, ahead=ahead)
            for batch, count in iter_assignment_lines(tagged):
                statements.extend(batch)
                assignments += count
                progress.advance(len(batch))
            scheme = scheme_lines()
            statements.extend(scheme)
            progress.advance(len(scheme))
        if ahead is not None:
            ahead.close()
        progress.stage("sorting statements")
        statements.finish()
    except BaseException:
        if ahead is not None:
            ahead.close()
        if early is not None:
            early.discard()
        if statements is not None:
            statements.close()  # now, not when the traceback lets go of it
        raise
    summary = BuildSummary(
        files=file_summaries,
        problems=sorted(problems),
        records=len(read.records),
        papers=len(corpus.works),
        people=len(corpus.people),
        assignments=assignments,
        triples=statements.count,
        records_by_format=records_by_format(file_summaries),
        merged_works=corpus.merged_works,
        merged_people=corpus.merged_people,
        curated=len(corpus.curated),
        curated_without_effect=sum(1 for c in corpus.curated if c.problem),
        files_unchanged=increment.records.hits if increment else 0,
    )
    return Built(statements, summary, increment, early)


def build_fingerprint(files: list[Path], records: RecordCache, labels: dict | None, settings: dict,
                      read_too: dict[str, str | Path | None]) -> str:
    """A hash of everything a build's statements depend on: each input's
    content, name and source label, the ``settings``, the content of the
    other files the build reads (``read_too``: curation, curated concepts,
    saved enrichment), kg's ontology (the concept scheme among it) and kg's
    code (through each input's key, :meth:`RecordCache.key`)."""
    files = unique_files(files)
    names = display_names(files)
    parts: list = [sorted((names[f], records.key(f, names[f], settings["format"]), source_label(f, labels or {}))
                          for f in files)]
    parts.append(sorted(settings.items()))
    for name, path in sorted(read_too.items()):
        parts.append([name, content_hash(Path(path)) if path is not None and Path(path).is_file() else None])
    parts.append(folder_fingerprint(ontology_dir()))  # the concept scheme, and what mapping reads from it
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def records_by_format(files: list[FileSummary]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in files:
        if f.format == "binary":  # skipped unread: not a format
            continue
        counts[f.format] = counts.get(f.format, 0) + f.records
    return dict(sorted(counts.items()))


def write_outputs(
    built: Built, *, store: str | Path | None, output: Path | None, graph: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> None:
    """Send a built graph to a file and/or the embedded store, each replaced
    whole or not at all; Ctrl-C raises :class:`~kg.errors.Interrupted` saying
    which of them already holds the new graph.

    A build that used the store's cache (``built.increment``) leaves alone
    what already holds its graph, updates the store by the difference from
    the last build when that is small, and then remembers this build."""
    try:
        _write_outputs(built, store, output, graph, progress)
    finally:
        built.discard()  # a load begun for the store and not committed (an error, Ctrl-C, no store given)


def _write_outputs(built: Built, store, output, graph, progress: Progress) -> None:
    increment = built.increment
    outputs = {}
    if output is not None:
        format_for(output)  # refuse a bad extension before any work
        key = output_key(output, graph)
        if increment is not None and increment.output_unchanged(output, graph):
            progress.stage(f"{output.name} already holds this graph")
            written = increment.last.outputs[key]
        else:
            progress.stage(f"writing {output.name}")
            try:
                digest = hashlib.sha256()
                write_file(built.statements, output, graph, digest)
                written = digest.hexdigest()
            except KeyboardInterrupt:
                kept = f"{output} and the store are" if store is not None else f"{output} is"
                raise Interrupted(f"interrupted; {kept} as before", committed=False) from None
        if increment is not None:
            outputs[key] = written  # the file's hash, to know next time whether it still holds the graph
    if store is not None:
        progress.stage("writing the store")
        try:
            if increment is not None:
                increment.records.write_entries()  # while the store loads (built.early), when it does
        except KeyboardInterrupt:
            kept = f"the store {store} still holds the previous graph" + (f" ({output} was written)" if output else "")
            raise Interrupted(f"interrupted; {kept}", committed=False) from None
        try:
            if increment is None:
                store_module.replace_contents(store, built.statements)
                return
            generation, built.summary.store_change = increment.write_store(Path(store), built.statements, progress,
                                                                           built.early)
        except Interrupted as exc:
            if output is None:
                raise
            raise Interrupted(f"{exc} (and {output} was written)", committed=exc.committed) from None
        try:
            increment.save(generation, built.statements, replace(built.summary, unchanged=False, store_change=""),
                           outputs)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted after the new graph was committed to the store {store}",
                              committed=True) from None
