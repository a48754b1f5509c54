"""Errors are one line, `kg: error: ...`, with exit 2 or 3, never a traceback:
unwritable -o, broken .rq files, broken shapes, and what a real server rejects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import EndpointError
from kg.sinks import endpoint
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "peer-support"
FIXED = ROOT / "tests" / "data" / "validation" / "paper-no-title" / "fixed.ttl"


def kg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, check=False)


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """The one line of stderr, checked to be kg's error line and no traceback."""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), done.stderr
    return lines[0]


# -- -o under a regular file: what fails for root too ----------------------------------


@pytest.mark.parametrize("command", ["build", "export", "validate"])
def test_output_path_under_a_regular_file_is_one_line_and_exit_3(example_build, tmp_path, command):
    (tmp_path / "somefile.txt").write_text("not a folder\n")
    out = tmp_path / "somefile.txt" / "out.nt"
    args = {
        "build": ["build", EXAMPLE, "--no-store", "-q", "-o", out],
        "export": ["export", "--store", example_build.store, "-o", out],
        "validate": ["validate", "--store", example_build.store, "-j", "1", "-o", out],
    }[command]
    done = kg(*args)
    assert done.returncode == 3
    assert one_error_line(done) == f"kg: error: cannot write {out}: {tmp_path / 'somefile.txt'} is a file, not a folder"


# -- a .rq with a SPARQL syntax error -------------------------------------------------

BROKEN_QUERY = "# title: Broken\n# description: A query that does not parse.\nSELECT ?entity\nWHERE { ?entity ?p ?o }\nORDER BY\n"


def test_check_with_a_syntax_error_is_file_line_column_not_the_grammar(tmp_path):
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "broken.rq").write_text(BROKEN_QUERY.replace("# description", "# severity: warning\n# problem"), "utf-8")
    done = kg("validate", FIXED, "--checks", checks)
    assert done.returncode == 2
    line = one_error_line(done)
    assert line.startswith(f"kg: error: {checks / 'broken.rq'}:7:1: SPARQL syntax error: expected one of ")
    assert "\\u{" not in line and len(line) < 400


def test_query_list_names_a_file_with_a_syntax_error_on_stderr_and_lists_the_rest(tmp_path):
    (tmp_path / "broken.rq").write_text(BROKEN_QUERY, "utf-8")
    (tmp_path / "good.rq").write_text("# title: Good\n# description: Fine.\nSELECT * WHERE { ?s ?p ?o } ORDER BY ?s\n", "utf-8")
    (tmp_path / "latin1.rq").write_bytes("# title: Caf\xe9\nSELECT * {}\n".encode("latin-1"))
    done = kg("query", "--queries", tmp_path, "list")
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["good"]
    skipped = done.stderr.strip().splitlines()
    assert skipped[0].startswith(f"kg: skipped: {tmp_path / 'broken.rq'}:6:1: SPARQL syntax error: ")
    assert skipped[1].startswith(f"kg: skipped: {tmp_path / 'latin1.rq'}: cannot read query: ")
    assert len(skipped) == 2 and "Traceback" not in done.stderr


def test_running_a_query_with_a_syntax_error_is_exit_2_with_file_line_column(tmp_path, example_build):
    (tmp_path / "broken.rq").write_text(BROKEN_QUERY, "utf-8")
    done = kg("query", "--queries", tmp_path, "broken", "--store", example_build.store)
    assert done.returncode == 2
    assert one_error_line(done).startswith(f"kg: error: {tmp_path / 'broken.rq'}:6:1: SPARQL syntax error: ")


def test_an_ask_query_calling_a_service_is_listed_without_calling_it(tmp_path):
    """Parsing evaluates ASK on an empty store; a SERVICE out of reach is not a syntax error."""
    (tmp_path / "remote.rq").write_text(
        f"# title: Remote\n# description: d\nASK {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?s ?p ?o }} }}\n", "utf-8")
    done = kg("query", "--queries", tmp_path, "list")
    assert done.returncode == 0 and done.stdout.startswith("remote") and not done.stderr, done.stderr


# -- a broken shapes file -------------------------------------------------------------


def test_broken_shapes_file_says_file_line_not_line_1_of_empty_iri(tmp_path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<urn:a> sh:path <urn:b> ;\n    sh:path kgx:c .\n", "utf-8")
    done = kg("validate", FIXED, "--shapes", shapes)
    assert done.returncode == 2
    line = one_error_line(done)
    assert line.startswith(f"kg: error: {shapes / 'broken.ttl'}:4:13: cannot read shapes: "), line
    assert "kgx:" in line and "<>" not in line and "line 1 of" not in line


# -- what a real Oxigraph server rejects is plain text, not Python bytes --------------------


def test_query_rejected_by_a_real_server_is_plain_text_not_bytes(oxigraph_server):
    with pytest.raises(EndpointError) as raised:
        endpoint.select(oxigraph_server.query_url, "SELECT * WHERE { ?s ?p }")
    message = str(raised.value)
    assert "HTTP 400" in message and "error at 1:" in message
    assert "b'" not in message and 'b"' not in message and "\\n" not in message


def test_server_error_from_a_real_server_in_kg_query_is_plain_text_not_bytes(oxigraph_server, tmp_path):
    """Oxigraph answers HTTP 500 when an ASK calls a SERVICE that is not there."""
    (tmp_path / "remote.rq").write_text(
        f"# title: Remote\n# description: d\nASK {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?s ?p ?o }} }}\n", "utf-8")
    done = kg("query", "--queries", tmp_path, "remote", "--endpoint", oxigraph_server.query_url)
    assert done.returncode == 3
    line = one_error_line(done)
    assert line.startswith(f"kg: error: {oxigraph_server.query_url}: server error (HTTP 500): ")
    assert "b'" not in line and "\\n" not in line


@pytest.mark.parametrize("command", ["query", "validate"])
def test_request_rejected_by_a_real_server_is_plain_text_not_bytes(oxigraph_server, command):
    """A default graph that is not an IRI: Oxigraph answers HTTP 400 with its reason."""
    args = ["query", "class-counts"] if command == "query" else ["validate"]
    done = kg(*args, "--endpoint", oxigraph_server.query_url, "--graph", "not an iri")
    assert done.returncode == 3
    line = one_error_line(done)
    assert line.startswith(f"kg: error: {oxigraph_server.query_url}: the endpoint rejected the request (HTTP 400): ")
    assert "IRI" in line and "b'" not in line
