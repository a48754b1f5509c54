"""`kg build` and `kg stats`."""

from __future__ import annotations

from pathlib import Path

import click

from ..pipeline import build_graph, write_outputs
from ..enrich.saved import enrich_dir, write_manifest
from ..config import DEFAULT_CURATION, load_config
from ..query.registry import get_query
from ..query.run import run_local
from ..query.results import compact, render
from ..sinks.files import format_for
from ..errors import DataProblems, Interrupted, UsageError
from ..sinks.store import check_store_folder, open_store
from .options import base_option, quiet_option, require, store_option
from .progress import progress_display


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the graph to FILE (.nt .nq .ttl .trig .jsonld, optionally .gz).")
@click.option("--no-store", is_flag=True, help="Do not write the embedded store (with -o).")
@base_option
@click.option("--format", "input_format", metavar="NAME",
              help="Read every input as this format instead of detecting it.")
@click.option("--no-tag", is_flag=True, help="Do not assign concepts from the scheme.")
@click.option("--curated", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of curated concept assignments (paper, concept, action, note) that win over the tagger.")
@click.option("--curation", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Curation file (TOML) whose corrections win over every source and matcher "
                   "[default: curation.toml here, when there is one; also KG_CURATION, `curation` in kg.toml].")
@quiet_option
@click.option("--strict", is_flag=True, help="Exit 1 when any record was skipped (for CI).")
@click.option("--source-label", "source_labels", multiple=True, metavar="NAME=PATH",
              help="Label the records of the file or folder PATH as coming from the database or search NAME "
                   "(repeatable; also [sources] in kg.toml). By default the label comes from the file's own "
                   "metadata (RIS DB, PubMed...) or else its name.")
@click.option("--full", is_flag=True,
              help="Read every input and load the store whole, ignoring (and refreshing) what the last build kept.")
def build(inputs, store, output, no_store, base, input_format, no_tag, curated, curation, quiet, strict, source_labels,
          full):
    """Build the graph from bibliographic files or folders.

    Reads every INPUT (listings, and the export formats kg knows), merges
    records of the same work and names of the same person, assigns concepts,
    and writes the graph into the embedded store (replacing what an earlier
    build left there) and, with -o, to a file. Output is sorted, so the same
    inputs give byte-identical files. The store and the file are replaced
    whole or not at all: a build that fails or is killed leaves the previous
    graph, and readers see it until the new one is complete.

    A curation file (--curation; by default curation.toml here, when there
    is one) holds corrections and same/not-same decisions that win over every
    source and matcher; a row that matches nothing is reported as a warning.

    Builds are incremental: the store keeps what each input file gave and
    the statements it holds (in its cache/ folder), so a file unchanged since
    the last build is not read again, the store is updated by the difference,
    and a build where nothing changed (inputs, settings, kg, its concept
    scheme) does nothing. The result is the same, byte for byte, as a clean
    build's; --full makes one.

    Exits 1 (data problems) when a whole input file gives no record (empty,
    binary, unreadable JSON), after writing the graph from the others; with
    --strict, also when any record was skipped.

    \b
    kg build examples/peer-support/
    kg build refs.ris pubmed.xml -o graph.nt --no-store
    """
    config = load_config(base=base, store=store, curation=curation)
    curation = curation_file(config.curation)
    if output is not None:
        format_for(output)
    require("--no-store", no_store, "-o FILE", output, "or nothing would be written")
    labels = {path: name for name, path in config.sources.items() if isinstance(path, str)}
    if len(labels) < len(config.sources):
        raise UsageError(f"{config.source}: each [sources] entry must be NAME = \"PATH\"")
    for given in source_labels:
        name, sep, path = given.partition("=")
        if not (sep and name.strip() and path.strip()):
            raise UsageError(f"--source-label {given!r}: expected NAME=PATH")
        labels[path.strip()] = name.strip()
    if not no_store:
        check_store_folder(config.store)  # refuse a user's folder before any work
    with progress_display(quiet) as progress:
        try:
            built = build_graph(
                inputs, config.base, format=input_format, tag=not no_tag, curated=curated, progress=progress,
                labels=labels, enrichment=enrich_dir(config.store), curation=curation,
                store=None if no_store else config.store, full=full,
            )
        except KeyboardInterrupt:
            raise Interrupted("interrupted before anything was written", committed=False) from None
        write_outputs(built, store=None if no_store else config.store, output=output, graph=config.graph,
                      progress=progress)
    if not no_store:  # what `kg enrich` rebuilds the store from
        write_manifest(enrich_dir(config.store), inputs, base=config.base, format=input_format, tag=not no_tag,
                       curated=str(curated.absolute()) if curated else None,
                       curation=str(curation.absolute()) if curation else None,
                       labels={str(Path(k).absolute()): v for k, v in labels.items()})
    if not quiet:
        echo_summary(built.summary, None if no_store else config.store, output, curation)
    if problem := built.summary.data_problem(strict):
        raise DataProblems(f"{problem}; the graph was written from what could be read")


def curation_file(setting: str | None) -> Path | None:
    """The curation file to read: the one set (it must exist), else
    ``curation.toml`` in the working directory when there is one."""
    if setting is None:
        default = Path(DEFAULT_CURATION)
        return default if default.is_file() else None
    path = Path(setting)
    if not path.is_file():
        raise UsageError(f"curation file {setting} does not exist (--curation, KG_CURATION or `curation` in kg.toml)")
    return path


def echo_summary(summary, store, output, curation=None) -> None:
    """The build summary on stderr, in one vocabulary: a record is *found* in
    a file, then *used* (it is in the graph) or *skipped* (reported with its
    ``file:line``); found = used + skipped, per file and in total."""
    err = lambda line="": click.echo(line, err=True)  # noqa: E731
    if summary.unchanged:
        err("nothing changed since the last build (inputs, settings, kg and its concept scheme); "
            "the store and files already hold this graph, as the last build reported:")
    for f in summary.files:
        why = f" (no record: {f.why_empty})" if f.why_empty else ""
        err(f"{f.file}: {f.format}, {f.records + f.skipped} record(s) found: {f.records} used, {f.skipped} skipped{why}")
    for problem in summary.problems:
        err(f"  {'skipped' if problem.skipped else 'warning'}: {problem}")
    err(
        f"records: {summary.read} found, {summary.records} used, {summary.skipped} skipped; "
        f"papers: {summary.papers}; people: {summary.people}; "
        f"concept assignments: {summary.assignments}; triples: {summary.triples}"
    )
    if summary.records_by_format:
        per_format = ", ".join(f"{name} {count}" for name, count in summary.records_by_format.items())
        err(f"records per format: {per_format}")
    err(f"merged: {summary.merged_works} work(s) from several records, {summary.merged_people} person(s) from several names")
    if curation is not None or summary.curated:
        applied = summary.curated - summary.curated_without_effect
        err(f"curation{f' ({curation})' if curation else ''}: {summary.curated} row(s), {applied} applied, "
            f"{summary.curated_without_effect} without effect")
    if summary.files_unchanged and not summary.unchanged:
        err(f"{summary.files_unchanged} of {len(summary.files)} input file(s) unchanged since the last build, not read again")
    change = f" ({summary.store_change})" if summary.store_change else ""
    targets = [t for t in (store and f"store {store}{change}", output and f"file {output}") if t]
    err(f"{'kept' if summary.unchanged else 'wrote'} {' and '.join(targets)}")


@click.command()
@store_option
def stats(store):
    """Count the resources of each class in the embedded store (the class-counts query),
    then the triples: a table of classes as CURIEs, and a `triples: N` line.

    \b
    kg stats
    kg stats --store graphs/ps
    """
    config = load_config(store=store)
    db = open_store(config.store, read_only=True)
    classes = run_local(db, get_query("class-counts"))
    classes.rows.sort(key=lambda row: compact(row[0], config.base))  # in the order shown
    click.echo(render(classes, "table", config.base), nl=False)
    click.echo(f"\ntriples: {len(db)}")
