"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

from ..errors import UsageError
from ..query.results import QUERY_FORMATS


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


def quiet_option(fn):
    """-q for the long commands: progress (kg.cli.progress) and the summary
    lines on stderr both off; data on stdout and files is unchanged."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")(fn)


# -- where a command reads the graph; kg query's output format and parameters --

def format_option(fn):
    return click.option(
        "--format", "fmt", type=click.Choice(QUERY_FORMATS, case_sensitive=False),
        help="SELECT/ASK: table, json (a list of objects), jsonl, csv or tsv (plain values), or the "
             "W3C sparql-json, sparql-xml, sparql-csv, sparql-tsv; CONSTRUCT/DESCRIBE: ttl, nt or "
             "jsonld [default: table (ttl) on a terminal, json (nt) when piped].",
    )(fn)


def endpoint_option(fn):
    return click.option(
        "--endpoint", metavar="URL",
        help="Use this SPARQL 1.1 endpoint instead of the embedded store; credentials come "
             "only from KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD (KG_ENDPOINT_AUTH=digest for Digest auth) "
             "or KG_ENDPOINT_TOKEN.",
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
        help="A query parameter, e.g. -p author person:julie-repper (repeatable; "
             "`kg query NAME --help` lists the parameters and the values they take).",
    )(fn)
