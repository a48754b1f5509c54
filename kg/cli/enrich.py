"""`kg enrich`: complete thin works from Crossref and OpenAlex, then rebuild the store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..config import load_config
from ..enrich.http import Client
from ..enrich.run import Report, api_finder, current_corpus, dump_finder, enrich
from ..enrich.saved import (
    build_settings,
    enrich_dir,
    load_saved,
    merge_saved,
    read_manifest,
    write_saved,
)
from ..enrich.sources import BASE_URLS, RATES
from ..errors import InputError, UsageError
from ..pipeline import build_graph, write_outputs
from .options import quiet_option, refuse_together, store_option
from .progress import progress_display


@click.command("enrich")
@store_option
@click.option("--from", "dumps", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Look works up in this local dump (repeatable): Crossref or OpenAlex works as JSON Lines, "
                   "or an API answer (message.items, results), gzipped or not. No network.")
@click.option("--source", type=click.Choice(sorted(BASE_URLS)),
              help="Look works up in this service's API (answers kept in the cache beside the store).")
@click.option("--mailto", metavar="EMAIL",
              help="Your address, sent to the service for its polite pool [default: KG_MAILTO, or `mailto` in kg.toml].")
@click.option("--offline", is_flag=True, help="With --source: answer from the cache only, never the network.")
@click.option("--all", "everything", is_flag=True,
              help="Look up every work, not only those lacking a DOI, title, venue or full author list.")
@click.option("--base-url", metavar="URL", help="The service's API address [default: its public one].")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Seconds to wait for one answer.")
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
              help="Tries after a failure (429, 5xx, timeout), waiting Retry-After or a doubling backoff.")
@click.option("--backoff", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds before the first retry; doubled at each further one.")
@click.option("--concurrency", type=click.IntRange(1, 8), default=2, show_default=True,
              help="Requests at once.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The report: text on stderr, or JSON on stdout.")
@quiet_option
def enrich_command(store, dumps, source, mailto, offline, everything, base_url, timeout, retries, backoff,
                   concurrency, fmt, quiet):
    """Complete the works of the store from Crossref or OpenAlex, then rebuild it.

    Looks up the works that lack a DOI, title, venue or full author list (all
    with --all) in a local dump (--from) or a service's API (--source), and
    merges a found record only by kg's identity rules: the same DOI, or the
    same year, volume, first page and first author with titles that agree.
    A candidate that agrees on some evidence but not all is listed as needing
    review, never merged. Matched records are saved beside the store
    (.kg/enrich/ for .kg/store) and read by every later `kg build` of the same
    inputs, so the enriched graph survives rebuilds without the network.

    OpenAlex now asks for a free API key for more than a few list requests a
    day: it is read only from KG_OPENALEX_API_KEY, sent as api_key, and never
    cached or shown.

    Reports works looked up, fields filled, needs review and not found (text
    on stderr, or --format json on stdout). Exits 3 when lookups failed
    (after the retries); what was found is saved all the same.

    \b
    kg build listing.txt
    kg enrich --from crossref-works.jsonl.gz
    kg enrich --source crossref --mailto you@example.org
    kg enrich --source openalex --offline
    """
    refuse_together(**{"--from": dumps, "--source": source})
    if not dumps and not source:
        raise UsageError("give --from FILE (a local dump) or --source crossref|openalex")
    if offline and not source:
        raise UsageError("--offline goes with --source (a dump is always offline)")
    config = load_config(store=store, mailto=mailto)
    if source and not offline and not config.mailto:
        raise UsageError(f"--source {source} needs --mailto EMAIL (or KG_MAILTO, or `mailto` in kg.toml): "
                         "the services ask clients to say whom to write to")
    folder = enrich_dir(config.store)
    manifest = read_manifest(folder)
    report = Report()
    with progress_display(quiet or fmt == "json") as progress:
        corpus = current_corpus(manifest, folder, progress)
        if dumps:
            finder = dump_finder(dumps, report)
            client = None
        else:
            key = os.environ.get("KG_OPENALEX_API_KEY") if source == "openalex" else None
            client = Client(base_url or BASE_URLS[source], folder / "cache" / source, mailto=config.mailto,
                            per_second=RATES[source], timeout=timeout, retries=retries, backoff=backoff,
                            offline=offline, secret={"api_key": key} if key else None)
            finder = api_finder(client, source, report, concurrency)
        try:
            saved, report = enrich(corpus, finder, everything=everything, report=report, progress=progress)
        finally:
            if client is not None:
                client.close()
        del corpus, finder  # the rebuild below resolves the inputs again
        write_saved(folder, merge_saved(load_saved(folder), saved))
        matches = len(saved)
        del saved
        built = build_graph(manifest["inputs"], manifest["base"], enrichment=folder, progress=progress,
                            **build_settings(manifest))
        write_outputs(built, store=config.store, output=None, graph=config.graph, progress=progress)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    elif not quiet:
        for line in report.lines():
            click.echo(line, err=True)
        click.echo(f"saved {matches} match(es) in {folder}; rebuilt store {config.store}", err=True)
    if report.failed:
        raise InputError(f"{len(report.failed)} lookup(s) failed; what was found is saved, run again to retry the rest")
