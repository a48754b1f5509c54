"""Options shared by several commands, defined once."""

from __future__ import annotations

import sys

import click

from ..errors import UsageError


# -- flags that exclude or need each other: one wording, one exit code (2) --------


def refuse_together(**flags: object) -> None:
    """Refuse when more than one of ``flags`` (name -> value given) was given,
    e.g. ``refuse_together(**{"--store": store, "--endpoint": endpoint})``."""
    given = [name for name, value in flags.items() if value not in (None, False, ())]
    if len(given) > 1:
        raise UsageError(f"give {' or '.join(given)}, not both" if len(given) == 2 else f"give only one of {', '.join(given)}")


def require(flag: str, value: object, needs: str, present: object, why: str = "") -> None:
    """Refuse ``flag`` given without the flag ``needs`` it depends on."""
    if value not in (None, False, ()) and present in (None, False, ()):
        raise UsageError(f"{flag} needs {needs}" + (f", {why}" if why else ""))


def store_option(fn):
    return click.option(
        "--store",
        metavar="DIR",
        envvar="KG_STORE",
        help="Folder of the embedded store [default: .kg/store, or `store` in kg.toml].",
    )(fn)


def base_option(fn):
    return click.option(
        "--base",
        metavar="IRI",
        envvar="KG_BASE",
        help="Base IRI for minted IRIs [default: https://w3id.org/kg/id/, or `base` in kg.toml].",
    )(fn)


def progress_printer(quiet: bool = False):
    """Progress lines on stderr, only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"kg: {message}...", err=True)


# -- where a command reads the graph; kg query's output format and parameters --

QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")


def format_option(fn):
    return click.option(
        "--format", "fmt", type=click.Choice(QUERY_FORMATS, case_sensitive=False),
        help="table, csv, tsv, json or xml (W3C results) for SELECT/ASK; ttl, nt or jsonld for "
             "CONSTRUCT/DESCRIBE [default: table (ttl) on a terminal, json (nt) when piped].",
    )(fn)


def endpoint_option(fn):
    return click.option(
        "--endpoint", metavar="URL",
        help="Use this SPARQL 1.1 endpoint instead of the embedded store; credentials come "
             "only from KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or KG_ENDPOINT_TOKEN.",
    )(fn)


def graph_option(fn):
    return click.option(
        "--graph", metavar="IRI",
        help="Read this named graph as the default graph (sent as default-graph-uri to an "
             "endpoint, where `graph` in kg.toml is the default).",
    )(fn)


def param_option(fn):
    return click.option(
        "-p", "--param", "params", nargs=2, multiple=True, metavar="KEY VALUE",
        help="A query parameter, e.g. -p author https://w3id.org/kg/id/person/julie-repper (repeatable).",
    )(fn)
