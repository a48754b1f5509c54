"""`kg load`, `kg export` and `kg serve`: the graph leaves the embedded store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import load_config
from ..sinks.endpoint import redact
from ..sinks.export import export, export_bytes, output_path, store_lines
from ..sinks.load import LoadReport, Plan, load, make_plan, payload_from_files, payload_from_store
from ..sinks.serve import DEFAULT_MAX_RESULT_BYTES, DEFAULT_PORT, DEFAULT_TIMEOUT, serve
from ..sinks.files import format_for
from ..review.works import write_works
from .options import quiet_option, refuse_together, require, store_option
from .progress import progress_display


# Kept local: the shared --endpoint/--graph options in options.py are being
# written for `kg query`; these carry load-specific help.
def endpoint_options(fn):
    for option in reversed([
        click.option("--profile", metavar="NAME", envvar="KG_PROFILE",
                     help="Store conventions: oxigraph, fuseki, graphdb, qlever, or a [profiles.NAME] of kg.toml."),
        click.option("--endpoint-base", metavar="URL", envvar="KG_ENDPOINT_BASE",
                     help="Base URL the profile derives the three URLs from, e.g. http://host:7878."),
        click.option("--endpoint", metavar="URL", help="SPARQL query endpoint [default: from the profile, or `endpoint` in kg.toml]."),
        click.option("--update-endpoint", metavar="URL", help="SPARQL update endpoint [default: from the profile, else --endpoint]."),
        click.option("--gsp-endpoint", metavar="URL",
                     help="Graph Store Protocol endpoint [default: from the profile; without one, INSERT DATA is used]."),
        click.option("--graph", metavar="IRI", envvar="KG_GRAPH",
                     help="Target named graph [default: `graph` in the profile or kg.toml]."),
    ]):
        fn = option(fn)
    return fn


@click.command(name="load")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path), metavar="[FILE]...")
@store_option
@endpoint_options
@click.option("--replace/--append", "replace", default=True, show_default=True,
              help="Replace the target graph, or add to what it holds.")
@click.option("--chunk-size", type=click.IntRange(min=1), metavar="N", help="Triples per upload request [default: from the profile].")
@click.option("--timeout", type=click.FloatRange(min=1), metavar="SECONDS", help="Seconds to wait for each request [default: 3600].")
@quiet_option
def load_command(files, store, profile, endpoint_base, endpoint, update_endpoint, gsp_endpoint, graph,
                 replace, chunk_size, timeout, quiet):
    """Load the graph into a SPARQL 1.1 store, replacing a named graph in one step.

    Sends the embedded store's graph (or the RDF FILEs given) into a fresh
    staging graph, checks that every triple arrived, then moves it onto the
    target graph with one SPARQL Update request, so readers never see half a
    graph and a failed load leaves the target as it was. Loading the same
    input twice leaves the same triples. Credentials come only from the
    environment: KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD (Basic auth, or
    Digest with KG_ENDPOINT_AUTH=digest or a profile saying so, as `virtuoso`
    does) or KG_ENDPOINT_TOKEN (bearer token).

    \b
    kg load --profile oxigraph --endpoint-base http://localhost:7878 --graph https://example.org/graph/kg
    kg load --profile fuseki --endpoint-base http://host:3030/kg --append
    kg load --profile virtuoso --endpoint-base http://host:8890 --graph https://example.org/graph/kg
    kg load graph.nt --endpoint https://host/sparql --graph https://example.org/g
    """
    config = load_config(store=store)
    plan = make_plan(
        config, profile=profile, endpoint_base=endpoint_base, endpoint=endpoint,
        update_endpoint=update_endpoint, gsp_endpoint=gsp_endpoint, graph=graph,
        append=not replace, chunk_size=chunk_size, timeout=timeout,
    )
    with progress_display(quiet) as progress:
        progress.stage("reading " + (f"{len(files)} file(s)" if files else f"the store {config.store}"))
        payload = payload_from_files(files) if files else payload_from_store(config.store)
        with payload:
            report = load(payload, plan, progress)
    if not quiet:
        echo_report(report, plan)


def echo_report(report: LoadReport, plan: Plan) -> None:
    verb = "added" if report.append else "loaded"
    click.echo(
        f"{verb} {report.triples:,} triples into <{report.graph}> at {redact(plan.update)} "
        f"in {report.chunks} chunk(s), {report.seconds:.1f} s; the graph now holds {report.target_triples:,}",
        err=True,
    )
    if report.stale_dropped:
        click.echo(f"dropped {len(report.stale_dropped)} staging graph(s) left by earlier failed runs", err=True)


@click.command(name="export")
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (.nt .nq .ttl .trig .jsonld, optionally .gz) [default: standard output].")
@click.option("--format", "format_name", metavar="NAME", help="nt, nq, ttl, trig or jsonld [default: from the -o extension, else nt].")
@click.option("--shard-size", type=click.IntRange(min=1), metavar="N",
              help="Split into files of at most N triples: FILE.00001.nt.gz, FILE.00002.nt.gz...")
@click.option("--graph", metavar="IRI", envvar="KG_GRAPH", help="Graph name for N-Quads and TriG [default: `graph` in kg.toml, else the default graph].")
@click.option("--works", is_flag=True,
              help="Write one record per work for a screening tool instead of the graph: -o FILE.ris, .bib "
                   "or .csl.json, with every DOI, PMID and source label and a key that maps back to the work.")
def export_command(store, output, format_name, shard_size, graph, works):
    """Write the whole graph from the store, sorted, for bulk loaders.

    The same store always gives byte-identical files, compressed or not.
    Shards let bulk loaders (oxigraph load, tdb2.tdbloader, QLever's index
    builder, Virtuoso's ld_dir) read a large graph in parallel; see
    docs/loading.md.

    \b
    kg export -o graph.nt.gz
    kg export -o dump/graph.nq.gz --shard-size 1000000
    kg export --format ttl > graph.ttl
    kg export --works -o screen.ris
    """
    config = load_config(store=store, graph=graph)
    if works:
        require("--works", works, "-o FILE", output, "(.ris, .bib or .csl.json)")
        refuse_together(**{"--works": works, "--format": format_name})
        refuse_together(**{"--works": works, "--shard-size": shard_size})
        count = write_works(config.store, output)
        click.echo(f"wrote {count} work(s) to {output}", err=True)
        return
    if output is None:
        require("--shard-size", shard_size, "-o FILE", output)
        data = export_bytes(store_lines(config.store), format_name or "nt", config.graph)
        sys.stdout.buffer.write(data)
        return
    path = output_path(output, format_name)
    format_for(path)  # refuse an unknown extension before reading the store
    written = export(store_lines(config.store), path, shard_size=shard_size, graph=config.graph)
    click.echo(f"wrote {len(written)} file(s): {written[0]}" + (f" ... {written[-1]}" if len(written) > 1 else ""), err=True)


@click.command(name="serve")
@store_option
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="TCP port on 127.0.0.1.")
@click.option("--timeout", type=click.IntRange(min=1), default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
              help="Stop a query that runs longer than this, and answer HTTP 503.")
@click.option("--max-result-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_RESULT_BYTES, show_default=True,
              metavar="BYTES", help="Refuse an answer larger than this with HTTP 507 instead of sending it.")
@click.option("--max-running", type=click.IntRange(min=1), default=4, show_default=True, metavar="N",
              help="Requests run at once; more are answered HTTP 503 at once.")
@click.option("--allow-service", is_flag=True,
              help="Run federated queries (SERVICE <url>), which make the server fetch any URL a client names.")
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path), metavar="DIR",
              help="Also serve the pages `kg site` wrote into DIR from / (their \"run\" links run the named queries).")
def serve_command_cli(store, port, timeout, max_result_bytes, max_running, allow_service, site):
    """Serve the graph read-only over the SPARQL 1.1 Protocol on 127.0.0.1.

    Queries go to http://127.0.0.1:PORT/query (or /sparql) and run on
    Oxigraph's server (`pip install oxigraph`) behind a guard that refuses
    updates, federated queries (SERVICE, unless --allow-service) and answers
    over --max-result-bytes, and stops a query after --timeout seconds. A
    `kg build` into the same store is served from the next request on;
    Ctrl-C or SIGTERM stops the server.

    \b
    kg serve --port 7878
    kg query NAME --endpoint http://127.0.0.1:7878/query
    kg site -o site/ && kg serve --site site/
    """
    config = load_config(store=store)
    notes = "federated queries allowed" if allow_service else "federated queries refused"
    if site is not None:
        notes += f"; the pages of {site} from /"

    def announce(url: str) -> None:
        click.echo(f"kg: serving {config.store} read-only at {url} ({notes}; limits {timeout} s, "
                   f"{max_result_bytes:,} bytes per answer; Ctrl-C stops)", err=True)

    serve(config.store, port, timeout=timeout, max_result_bytes=max_result_bytes, max_running=max_running,
          allow_service=allow_service, announce=announce, site=site)
