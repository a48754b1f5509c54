"""`kg site` (the browsable static site) and `kg plot` (one chart as SVG or PNG)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path

import click

from ..config import load_config
from ..errors import InputError, UsageError
from ..sinks.files import atomic_output
from ..sinks.store import open_store
from .options import base_option, quiet_option, store_option
from .progress import progress_display


@click.command(name="site")
@store_option
@base_option
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder to write the site into (replaced whole when the new site is complete).")
@click.option("--report", type=click.Path(dir_okay=False, exists=True, path_type=Path), metavar="FILE",
              help="A `kg validate --format json` report, summarised on the home page.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Processes writing pages on large graphs [default: the CPU count, at most 4].")
@quiet_option
def site_command(store, base, output, report, workers, quiet):
    """Write a static, browsable site of the graph: pages and SVG charts.

    A home page (counts, works per year, top concepts, venues and authors,
    latest works, the validation summary with --report), a page per work,
    person, venue and concept, a curation page, lists, a search box (a
    client-side index) and the text of every query the pages were built
    from. Nothing is fetched from the network when the pages are viewed:
    open DIR/index.html, put DIR on any static host, or serve it beside
    the SPARQL endpoint with `kg serve --site DIR`.

    \b
    kg site -o site/
    kg validate --format json -o report.json && kg site -o site/ --report report.json
    kg serve --site site/
    """
    config = load_config(store=store, base=base)
    summary_report = None
    if report is not None:
        try:
            summary_report = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read the report {report}: {exc}") from None
        if not isinstance(summary_report, dict) or "counts" not in summary_report:
            raise UsageError(f"{report} is not a `kg validate --format json` report")
    from ..site import build_site  # altair and vl-convert: loaded when a site is built, not at every start

    graph = open_store(config.store, read_only=True)
    with progress_display(quiet) as progress:
        summary = build_site(graph, output, config.base, report=summary_report, workers=workers, progress=progress)
    if not quiet:
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in summary.kinds.items())
        click.echo(f"wrote {summary.files:,} files ({summary.bytes / 1e6:.1f} MB) to {output} in {summary.seconds:.1f} s: "
                   f"pages {kinds}", err=True)


def charts() -> dict[str, Callable]:
    """Every chart `kg plot` draws: the site's and the systematic review's."""
    from ..review.overlap import overlap_svg
    from ..site.charts import CHARTS

    return {**CHARTS, "overlap": overlap_svg}


class PlotCommand(click.Command):
    """Lists the charts in its help only when help is asked for, so that
    `kg` starts without loading the chart libraries."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        formatter.write_text("Charts:")
        with formatter.indentation():
            formatter.write_dl([(name, _summary(draw)) for name, draw in sorted(charts().items())])


def _summary(draw: Callable) -> str:
    return " ".join((inspect.getdoc(draw) or "").split()).replace("``", "")


@click.command(name="plot", cls=PlotCommand)
@click.argument("name", metavar="NAME")
@store_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The picture to write: FILE.svg or FILE.png.")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="A chart parameter, e.g. -p concept kgc:peer-support; repeatable.")
@click.option("--scale", type=click.FloatRange(min=0.1, max=10), default=2.0, show_default=True,
              help="PNG only: pixels per SVG unit.")
def plot_command(name, store, output, params, scale):
    """Draw one chart of the graph as SVG or PNG, for papers and slides.

    NAME is one of the charts listed below.

    \b
    kg plot works-per-year -o works.svg
    kg plot concept-coauthors -p concept kgc:peer-support -o network.png
    kg plot overlap -o overlap.svg
    """
    known = charts()
    if name not in known:
        raise UsageError(f"no chart named {name!r}; charts: {', '.join(sorted(known))}")
    suffix = output.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise UsageError(f"cannot tell the picture format of {output}: name a .svg or .png file")
    from ..site.charts import png

    config = load_config(store=store)
    picture = known[name](open_store(config.store, read_only=True), dict(params))
    body = picture.encode("utf-8") if suffix == ".svg" else png(picture, scale=scale)
    with atomic_output(output) as out:
        out.write(body)
    click.echo(f"wrote {name} to {output}", err=True)
