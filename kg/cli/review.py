"""`kg sources` and `kg prisma`: what a systematic review reports about its searches."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pyoxigraph as ox

from ..config import load_config
from ..query.results import render
from ..query.run import QueryResult
from ..review.prisma import prisma_counts, prisma_svg
from ..review.screening import read_screening, record_screening
from ..review.sources import source_report
from ..review.works import export_works
from ..sinks.files import atomic_output
from ..sinks.store import open_store
from .options import require, store_option


def _as_result(header: list[str], rows: list[list]) -> QueryResult:
    """Plain rows as a QueryResult, so the query renderers draw the table and CSV."""
    def term(value):
        if value == "":
            return None
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")) \
            if isinstance(value, int) else ox.Literal(str(value))

    return QueryResult("select", header, [tuple(term(v) for v in row) for row in rows])


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@click.command(name="sources")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="A table for people, CSV for spreadsheets, or a JSON object.")
@click.option("--overlap", is_flag=True, help="Also the overlap matrix: the works each pair of sources has in common.")
def sources_command(store, fmt, overlap):
    """Where the records came from: for each source (the database or search of
    each input file, see `kg build --source-label`), the files, records read,
    duplicates within the source, works shared with other sources and works
    found only there; then the totals. In JSON, records_identified minus
    duplicates_removed is the number of works.

    \b
    kg sources
    kg sources --overlap --format json
    """
    config = load_config(store=store)
    report = source_report(open_store(config.store, read_only=True))
    if fmt == "json":
        click.echo(_json(report.as_json(overlap)), nl=False)
        return
    click.echo(render(_as_result(*report.rows()), fmt, config.base), nl=False)
    if overlap:
        if fmt == "table":
            click.echo("\nworks in common:")
        click.echo(render(_as_result(*report.overlap_rows()), fmt, config.base), nl=False)


@click.command(name="prisma")
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the diagram as SVG to FILE.")
@click.option("--format", "fmt", type=click.Choice(["svg", "json"]), default="svg", show_default=True,
              help="svg: the diagram (to -o FILE); json: its numbers on standard output.")
@click.option("--screening", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Screening decisions: an ASReview or Rayyan export (CSV) or a CSV of work, decision, reason. "
                   "Adds the screening boxes and records the decisions in the graph.")
def prisma_command(store, output, fmt, screening):
    """The PRISMA 2020 flow diagram of the searches: records identified per
    database, duplicates removed, records to screen; with --screening, the
    records excluded (by reason) and included. Counts come from the graph
    (`kg sources`); works are matched to screening rows by the key or work
    IRI that `kg export --works` wrote, else DOI, else title.

    \b
    kg prisma -o prisma.svg
    kg prisma --format json
    kg prisma --screening asreview-export.csv -o prisma.svg
    """
    config = load_config(store=store)
    if fmt == "svg":
        require("--format svg", True, "-o FILE", output)
    db = open_store(config.store, read_only=True)
    report = source_report(db)
    decisions = read_screening(screening, export_works(db)) if screening else None
    del db
    if decisions is not None:
        record_screening(config.store, decisions)
    counts = prisma_counts(report, decisions)
    if fmt == "json":
        click.echo(_json(counts), nl=False)
    if output is not None:
        with atomic_output(output) as out:
            out.write(prisma_svg(counts).encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
