"""`kg query`: list, show and run the named SPARQL queries in queries/.

Every named query is a subcommand of its own (``kg query author-coauthors
-p author IRI``), so ``--help`` on it shows its title, description and
parameters; ``list`` and ``show`` are the two fixed subcommands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..config import load_config
from ..errors import UsageError
from ..query.registry import NamedQuery, bind_parameters, get_query, scan_queries
from ..query.run import run_local, run_remote
from ..query.results import GRAPH_FORMATS, ROW_FORMATS, default_format, render
from ..sinks.store import open_store
from .options import endpoint_option, format_option, graph_option, param_option, refuse_together, store_option

FIXED_COMMANDS = ("list", "show")


def _queries_dir(ctx: click.Context) -> Path | None:
    """The --queries folder given to the `kg query` group, if any."""
    while ctx is not None:
        if isinstance(ctx.command, QueryGroup):
            folder = ctx.params.get("queries_dir")
            return Path(folder) if folder else None
        ctx = ctx.parent
    return None


class QueryGroup(click.Group):
    """A group whose unknown subcommand names are looked up in the query registry."""

    def list_commands(self, ctx):
        return [*FIXED_COMMANDS, *_by_name(scan_queries(_queries_dir(ctx))[0])]

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        queries = scan_queries(_queries_dir(ctx))[0]
        return run_command(queries[name]) if name in queries else None

    def resolve_command(self, ctx, args):
        name = args[0] if args else None
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            get_query(name, _queries_dir(ctx))  # raises the file's own error, or a hint
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx, formatter):
        fixed = [(n, self.get_command(ctx, n).get_short_help_str(60)) for n in FIXED_COMMANDS]
        queries = _by_name(scan_queries(_queries_dir(ctx))[0])
        with formatter.section("Commands"):
            formatter.write_dl(fixed)
        with formatter.section("Queries (kg query NAME --help for parameters)"):
            formatter.write_dl([(n, q.title) for n, q in queries.items()])


def _by_name(queries: dict[str, NamedQuery]) -> dict[str, NamedQuery]:
    """The queries ordered by name: the one order of `kg query list` and `kg query --help`."""
    return dict(sorted(queries.items()))


@click.group(cls=QueryGroup, invoke_without_command=False)
@click.option("--queries", "queries_dir", metavar="DIR", envvar="KG_QUERIES",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder of named queries (*.rq) [default: kg's own queries/].")
def query(queries_dir):
    """Run named SPARQL queries on the embedded store or an endpoint.

    Each query is a .rq file; its parameters are typed (iri, string, integer,
    decimal, year, doi, issn, orcid, or one of listed values) and bound as RDF
    terms, never pasted into the query text. An IRI may be given in full, as a
    CURIE (person:julie-repper, kgc:peer-support) or as a path under the base
    (person/julie-repper); DOIs, ISSNs and ORCIDs are normalised as pasted.
    A table on a terminal (CURIEs such as person:julie-repper), a JSON list of
    objects with full IRIs when piped, unless --format says otherwise.

    \b
    kg query list
    kg query show author-coauthors
    kg query author-coauthors -p author person:julie-repper
    kg query curation-merges -p kind work
    kg query concept-works -p concept kgc:peer-support --format csv
    kg query top-authors --endpoint http://localhost:7878/query --limit 10
    """


@query.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
@click.pass_context
def list_queries(ctx, as_json):
    """List the named queries: name, title and parameters (a broken file is
    named on stderr and left out).

    \b
    kg query list
    kg query list --json
    """
    queries, broken = scan_queries(_queries_dir(ctx))
    queries = _by_name(queries)
    for error in broken.values():
        click.echo(f"kg: skipped: {error}", err=True)
    if as_json:
        document = [
            {
                "name": q.name, "title": q.title, "description": q.description,
                "parameters": [
                    {"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                     "description": p.description}
                    for p in q.parameters
                ],
            }
            for q in queries.values()
        ]
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    width = max((len(n) for n in queries), default=4)
    for name, named in queries.items():
        params = " ".join(f"{p.name}:{p.type}{'' if p.required else '?'}" for p in named.parameters)
        click.echo(f"{name:<{width}}  {named.title}" + (f"  [{params}]" if params else ""))


@query.command()
@click.argument("name")
@click.pass_context
def show(ctx, name):
    """Print the SPARQL text of the query NAME, header included.

    \b
    kg query show author-coauthors
    kg query show lookup-doi > my-lookup.rq
    """
    click.echo(get_query(name, _queries_dir(ctx)).text, nl=False)


def run_command(named: NamedQuery) -> click.Command:
    """The subcommand that runs one named query."""

    @click.command(name=named.name, help=_help_text(named), short_help=named.title)
    @param_option
    @format_option
    @click.option("--limit", type=click.IntRange(min=1), metavar="N",
                  help="Return at most N rows (or triples); N is 1 or more.")
    @click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                  help="Give up after this many seconds (exit 3).")
    @store_option
    @endpoint_option
    @graph_option
    def run(params, fmt, limit, timeout, store, endpoint, graph):
        values = _param_values(params)
        fmt = _choose_format(named, fmt)
        if endpoint:
            refuse_together(**{"--store": store, "--endpoint": endpoint})
            config = load_config(graph=graph)
            result = run_remote(endpoint, named, values, limit=limit, timeout=timeout, graph=config.graph)
        else:
            config = load_config(store=store)
            bind_parameters(named, values, base=config.base)  # a bad -p is the error, whatever the store
            db = open_store(config.store, read_only=True)
            result = run_local(db, named, values, limit=limit, timeout=timeout, graph=graph)
        click.echo(render(result, fmt, config.base), nl=False)
        if result.truncated:
            sys.stdout.flush()  # the rows first, then the note, even when both go to one file
            click.echo(f"kg: showing the first {limit} result(s); more matched (raise --limit)", err=True)

    return run


def _help_text(named: NamedQuery) -> str:
    lines = [named.title + ".", "", named.description]
    if named.parameters:
        lines += ["", "Parameters (-p NAME VALUE):", "", "\b"]
        lines += [f"  {p.usage()}" for p in named.parameters]
    example = " ".join(f"-p {p.name} {p.default or p.type.upper()}" for p in named.parameters if p.required)
    lines += ["", "\b", f"kg query {named.name} {example}".rstrip()]
    return "\n".join(lines)


def _param_values(pairs) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in pairs:
        if key in values:
            raise UsageError(f"parameter {key} given twice")
        values[key] = value
    return values


def _choose_format(named: NamedQuery, fmt: str | None) -> str:
    graph = named.form == "graph"
    if fmt is None:
        return default_format(named.form, sys.stdout.isatty())
    fmt = fmt.lower()
    if graph and fmt not in GRAPH_FORMATS:
        raise UsageError(f"{named.name} returns a graph; use --format {_either(GRAPH_FORMATS)}")
    if not graph and fmt not in ROW_FORMATS:
        raise UsageError(f"{named.name} returns rows; use --format {_either(ROW_FORMATS)}")
    return fmt


def _either(names: tuple[str, ...]) -> str:
    return f"{', '.join(names[:-1])} or {names[-1]}"
