"""Every command's --help: an example line, and a help text for every option;
and messages that say what they are about.

Every command and subcommand of the `kg` group is walked, the named queries
of `kg query` included (each is a subcommand of its own).
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli


def _walk(command: click.Command, path: tuple[str, ...], parent: click.Context | None):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1], parent=parent)
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), (*path, name), ctx)


COMMANDS = dict(_walk(cli, ("kg",), None))


def test_the_walk_reaches_every_kind_of_command():
    names = {" ".join(path) for path in COMMANDS}
    assert {"kg", "kg build", "kg query", "kg query list", "kg query author-coauthors", "kg concepts eval"} <= names
    assert len([p for p in COMMANDS if p[:2] == ("kg", "query")]) > 30


def examples(help_text: str) -> list[str]:
    """The lines of the ``\\b`` blocks (click prints them as written) that start with ``kg ``."""
    found, verbatim = [], False
    for line in (help_text or "").splitlines():
        stripped = line.strip()
        if stripped == "\b":
            verbatim = True
        elif not stripped:
            verbatim = False
        elif verbatim and stripped.startswith("kg "):
            found.append(stripped)
    return found


@pytest.mark.parametrize("path", list(COMMANDS), ids=[" ".join(p) for p in COMMANDS])
def test_help_has_an_example_and_every_option_a_help_text(path):
    command, name = COMMANDS[path], " ".join(path)
    outcome = CliRunner().invoke(cli, [*path[1:], "--help"])
    assert outcome.exit_code == 0, outcome.output
    shown = [line.strip() for line in outcome.output.splitlines()]
    own = [e for e in examples(command.help) if name == "kg" or e == name or e.startswith(name + " ")]
    assert own, f"`{name} --help` gives no example line (a `\\b` block with a line starting `{name}`)"
    assert all(e in shown for e in own)  # printed as written, not re-wrapped
    silent = [o.opts[-1] for o in command.params if isinstance(o, click.Option) and not o.hidden and not (o.help or "").strip()]
    assert not silent, f"`{name}` options without a help text: {', '.join(silent)}"


# -- messages -------------------------------------------------------------------------


@pytest.mark.parametrize("name, shown", [("empty.txt", "('.txt')"), ("graph", "(no extension)")])
def test_load_names_an_input_of_unknown_rdf_format(tmp_path, name, shown):
    (tmp_path / name).write_text("", encoding="utf-8")
    outcome = CliRunner().invoke(cli, ["load", str(tmp_path / name), "--endpoint", "http://127.0.0.1:9/query",
                                       "--graph", "https://example.org/g"])
    assert outcome.exit_code == 2, outcome.output
    expected = (f"kg: error: {tmp_path / name}: an input file of unknown RDF format {shown}; "
                "kg reads RDF files ending in .nt, .nq, .ttl, .trig, .jsonld, optionally .gz")
    assert outcome.stderr.strip().splitlines() == [expected]
