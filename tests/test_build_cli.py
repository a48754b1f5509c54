"""`kg build` and `kg stats` through click's CliRunner: exit codes and output."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "peer-support"


@pytest.fixture
def runner():
    return CliRunner()


def test_build_prints_summary_to_stderr_and_nothing_to_stdout(runner, tmp_path):
    result = runner.invoke(cli, ["build", str(EXAMPLE), "--store", str(tmp_path / "s"), "--no-tag"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "records: 7 found, 7 used, 0 skipped; papers: 7; people: 16" in result.stderr


def test_stats_counts_classes(runner, tmp_path):
    runner.invoke(cli, ["build", str(EXAMPLE), "--store", str(tmp_path / "s"), "--no-tag", "-q"])
    result = runner.invoke(cli, ["stats", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    table, triples = result.stdout.split("\n\n")  # the class table (CURIEs), then the triple count
    counts = dict(line.rsplit(None, 1) for line in table.splitlines()[2:])
    assert counts["fabio:JournalArticle"] == "6"
    assert counts["fabio:Expression"] == "1"
    assert counts["foaf:Person"] == "16"
    assert counts["pro:RoleInTime"] == "17"
    assert triples.startswith("triples: ") and int(triples.split()[1]) > 0


def test_skipped_records_are_reported_with_file_and_line(runner, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2019 ◽\nAuthor(s):\nAna Silva\n\nVol 3 (1) ◽\nAuthor(s):\nBo Li\n", encoding="utf-8")
    result = runner.invoke(cli, ["build", str(bad), "--no-store", "-o", str(tmp_path / "g.nt"), "--no-tag"])
    assert result.exit_code == 0
    assert "skipped: bad.txt:5: record has no year line; skipped" in result.stderr
    assert "bad.txt: listing, 2 record(s) found: 1 used, 1 skipped" in result.stderr
    assert "records: 2 found, 1 used, 1 skipped" in result.stderr


def test_missing_input_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(cli, ["build", str(tmp_path / "nope.txt"), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "nope.txt: no such file or folder" in result.stderr


def test_unknown_output_extension_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(cli, ["build", str(EXAMPLE), "-o", str(tmp_path / "g.xyz")])
    assert result.exit_code == 2 and "cannot tell the output format" in result.stderr


def test_bad_base_iri_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(cli, ["build", str(EXAMPLE), "--base", "http://example.org/x", "--store", str(tmp_path / "s")])
    assert result.exit_code == 2 and "base IRI" in result.stderr


def test_stats_without_a_store_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(cli, ["stats", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "run `kg build` first" in result.stderr


def test_unreadable_input_is_a_runtime_error(runner, tmp_path, monkeypatch):
    # Tests run as root in CI, where mode 000 does not stop a read, so the
    # operating system's refusal is simulated.
    unreadable = tmp_path / "locked.txt"
    unreadable.write_text("2019 ◽\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = runner.invoke(cli, ["build", str(unreadable), "--store", str(tmp_path / "s")])
    assert result.exit_code == 3
    assert "locked.txt: cannot read: Permission denied" in result.stderr


def test_config_file_sets_base_and_store(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kg.toml").write_text('base = "http://example.org/lit/"\nstore = "graphs/main"\n')
    result = runner.invoke(cli, ["build", str(EXAMPLE), "--no-tag", "-q", "-o", "g.nt"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "graphs" / "main").is_dir()
    assert (tmp_path / "g.nt").read_text().startswith("<http://example.org/lit/")


def all_commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


@pytest.mark.parametrize("path,command", list(all_commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_explains_itself(runner, path, command):
    assert (command.help or "").strip(), f"kg {' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"kg {' '.join(path)} {param.opts[0]} has no help text"
    result = runner.invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_root_help(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0 and "build" in result.output and "stats" in result.output
