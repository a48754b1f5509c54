"""`kg validate`: SHACL shapes and SPARQL checks, one report, a CI-friendly exit code."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..config import load_config
from ..errors import DataProblems
from ..sinks.files import atomic_output
from ..validate.renderers import RENDERERS
from ..validate.report import parse_fail_on
from ..validate.run import (
    DEFAULT_ENGINE,
    DEFAULT_PARTITION_SIZE,
    ENGINES,
    Target,
    validate,
)
from .options import (
    base_option,
    endpoint_option,
    graph_option,
    quiet_option,
    refuse_together,
    require,
    store_option,
)
from .progress import progress_display

FAIL_ON = ["violation", "warning", "info", "none"]


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="[FILE]...")
@store_option
@endpoint_option
@graph_option
@base_option
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="text", show_default=True,
              help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE (the summary line still goes to stderr).")
@click.option("--fail-on", type=click.Choice(FAIL_ON, case_sensitive=False), default="violation", show_default=True,
              help="Lowest severity that makes the command exit 1.")
@click.option("--shapes", "shapes_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of SHACL shapes (*.ttl) [default: kg's shapes/].")
@click.option("--checks", "checks_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of SPARQL checks (*.rq) [default: kg's queries/checks/].")
@click.option("--source-root", metavar="DIR", default="",
              help="Prefix for input file names in github/junit output (where `kg build` read them).")
@click.option("-j", "--jobs", type=click.IntRange(1), default=min(2, os.cpu_count() or 1), show_default=True,
              help="Worker processes for the shapes.")
@click.option("--partition-size", type=click.IntRange(1), default=DEFAULT_PARTITION_SIZE, show_default=True,
              help="Papers per pySHACL partition (the pyshacl engine, and shapes the native one leaves to pySHACL).")
@click.option("--engine", type=click.Choice(list(ENGINES)), default=DEFAULT_ENGINE, show_default=True,
              help="SHACL engine: native (shapes compiled to SPARQL on Oxigraph; pySHACL for what does not "
                   "compile) or pyshacl (the reference, on partitions).")
@click.option("-v", "--verbose", is_flag=True,
              help="Say on stderr which engine checked which shape.")
@quiet_option
def validate_command(files, store, endpoint, graph, base, fmt, output, fail_on, shapes_dir, checks_dir,
                     source_root, jobs, partition_size, engine, verbose, quiet):
    """Check the graph against kg's SHACL shapes and SPARQL checks.

    Validates the embedded store (default), the RDF FILEs named, or a remote
    --endpoint. Results carry the input file and line of the record they came
    from. Exit 0 when nothing reaches --fail-on, 1 when something does, 2 for
    a usage or configuration error, 3 when the data cannot be reached.

    \b
    kg validate
    kg validate graph.nt --format json -o report.json
    kg validate --endpoint http://localhost:7878/query --fail-on warning
    kg validate --format github --source-root examples/peer-support
    """
    refuse_together(**{"FILE": files, "--endpoint": endpoint})
    require("--graph", graph, "--endpoint", endpoint)
    config = load_config(base=base, store=store, endpoint=endpoint, graph=graph)
    target = Target(
        store=None if files or endpoint else Path(config.store),
        files=tuple(files),
        endpoint=endpoint,
        graph=config.graph if endpoint else None,
    )
    threshold = parse_fail_on(fail_on)
    with progress_display(quiet) as progress:
        report = validate(target, config.base, shapes_directory=shapes_dir, checks_directory=checks_dir,
                          jobs=jobs, partition_size=partition_size, engine=engine, progress=progress)
    if verbose:
        for shape, used in report.engines:
            click.echo(f"{used}: {shape}", err=True)
    render = RENDERERS[fmt]
    kwargs = {"source_root": source_root} if fmt in ("github", "junit") else {}
    if fmt in ("text", "github", "junit"):
        kwargs["base"] = config.base  # CURIEs such as person: under the base in use
    text = render(report, threshold, **kwargs)
    if output is not None:
        with atomic_output(output) as out:
            out.write(text.encode("utf-8"))
        if not quiet:
            click.echo(report.summary(), err=True)
    else:
        click.echo(text, nl=False)
        if fmt not in ("text", "github") and not quiet:
            click.echo(report.summary(), err=True)
    if not report.passes(threshold):
        failing = len(report.failing(threshold))
        raise DataProblems(f"{failing} result(s) at or above {fail_on}")
