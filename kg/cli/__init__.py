"""The `kg` command line. Click lives in this package and nowhere else.

Each command or command group has its own module here and is registered on
the root group below; this module holds the root group and the mapping of
errors onto exit codes.
"""

from __future__ import annotations

import click

from ..errors import Interrupted, KgError
from .build import build, stats
from .concepts import concepts
from .enrich import enrich_command
from .inspect import inspect_command
from .load import export_command, load_command, serve_command_cli
from .query import query
from .site import plot_command, site_command
from .review import prisma_command, sources_command
from .validate import validate_command

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class KgGroup(click.Group):
    """Turns kg errors into a one-line message and the contract's exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Interrupted as exc:
            click.echo(f"kg: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KgError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("kg: interrupted", err=True)
            ctx.exit(3)


@click.group(cls=KgGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="kg", message="%(prog)s %(version)s")
def cli() -> None:
    """Build, query, validate and load a scholarly knowledge graph.

    \b
    kg build examples/peer-support/      build the graph into the local store
    kg stats                              count what the graph holds
    kg query list                         the named SPARQL queries
    kg validate                           check the graph (SHACL + SPARQL checks)
    """


for command in (build, stats, inspect_command, query, validate_command, concepts, load_command, export_command, serve_command_cli, enrich_command, sources_command, prisma_command, site_command, plot_command):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="kg")
