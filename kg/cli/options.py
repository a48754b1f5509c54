"""Options shared by several commands, defined once."""

from __future__ import annotations

import sys

import click

from ..config import Config, load_config


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


def config_from(**flags) -> Config:
    return load_config(**flags)


def progress_printer(quiet: bool = False):
    """Progress lines on stderr, only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"kg: {message}...", err=True)
