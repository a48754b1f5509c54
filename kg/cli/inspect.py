"""`kg inspect`: how kg reads a file, record by record, before anything is merged."""

from __future__ import annotations

import json
import sys

import click

from ..read.inspect import inspect_files, json_objects, render_text


@click.command(name="inspect")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]),
              help="table (records as blocks) or json (JSON Lines: file, record and problem objects, "
                   "see docs/architecture.md) [default: table on a terminal, json when piped].")
@click.option("--input-format", metavar="NAME",
              help="Read every input as this format instead of detecting it (as `kg build --format`).")
def inspect_command(inputs, fmt, input_format):
    """Show how kg reads files, record by record, before anything is merged.

    For each record: its first line, the fields found, the authors as
    printed and as split into family and given names, the abstract sections;
    then the records skipped and the lines that could not be placed, with
    file:line and the reason. Run it when a scraped page or an export gives
    odd results. Reads every format `kg build` reads; writes nothing.

    \b
    kg inspect examples/peer-support/peer-support-listing.txt
    kg inspect refs.ris --format json | jq 'select(.kind == "problem")'
    """
    inspections = inspect_files(inputs, input_format)
    if (fmt or ("table" if sys.stdout.isatty() else "json")) == "json":
        for item in json_objects(inspections):
            click.echo(json.dumps(item, ensure_ascii=False))
    else:
        click.echo(render_text(inspections), nl=False)
