"""kg.query.sparql: the header reader, comment stripper, lexer and term decoding
that named queries, checks and endpoints share."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import EndpointError
from kg.query.sparql import (
    code_only,
    comment_header,
    from_json_term,
    sparql_term,
    strip_comments,
    tokens,
)

KEYS = ("title", "description", "param", "severity")
PROSE = ("title", "description")


def header(text: str) -> list[tuple[str, str, int]]:
    return [(f.key, f.value, f.line) for f in comment_header(text, KEYS, PROSE)]


def test_header_fields_continuations_and_the_end_of_the_header():
    text = (
        "# title: Co-authors\n"
        "# description: People who wrote with the author,\n"
        "#   with the number of shared works;\n"
        "#   https://example.org/ is no key here.\n"
        "\n"
        "# severity: warning\n"
        "#   an indented comment after a key that takes no prose\n"
        "# Just a comment\n"
        "#   which does not continue anything.\n"
        "SELECT * {}\n"
        "# title: not in the header\n"
    )
    assert header(text) == [
        ("title", "Co-authors", 1),
        ("description", ("People who wrote with the author, with the number of shared works; "
                         "https://example.org/ is no key here."), 2),
        ("severity", "warning", 6),
    ]


def test_header_keys_are_case_insensitive_and_may_be_indented():
    assert header("  # Title: T\n#Description:D\n") == [("title", "T", 1), ("description", "D", 2)]


def test_comments_go_and_strings_iris_and_line_breaks_stay():
    query = '# add a header\nSELECT ?x { ?x <http://x/#a> "#b", """c\n# d""", ex:e\\#f } # trailing add\n'
    stripped = strip_comments(query)
    assert "add" not in stripped and "trailing" not in stripped
    assert '<http://x/#a> "#b", """c\n# d""", ex:e\\#f' in stripped
    assert stripped.count("\n") == query.count("\n")


def test_stripping_keeps_line_separators_inside_literals():
    # str.splitlines() also splits at U+2028: a line-based stripper broke this query.
    query = 'SELECT ?x { BIND ("a\u2028b" AS ?x) }'
    assert strip_comments(query) == query
    assert [s["x"].value for s in ox.Store().query(strip_comments(query))] == ["a\u2028b"]


def test_code_only_blanks_comments_strings_and_iris_in_place():
    query = 'SELECT ?x { ?x <http://x/#a> "{\\"}" } # {\n'
    blanked = code_only(query)
    assert len(blanked) == len(query) and blanked.count("{") == 1 and blanked.count("}") == 1


def test_lexer_reads_escaped_quotes_in_long_strings():
    kinds = [t.kind for t in tokens('SELECT ?x { BIND ("""a\\"""b""" AS ?x) }')]
    assert kinds.count("string") == 1


@pytest.mark.parametrize("binding, expected", [
    ({"type": "uri", "value": "http://x/a"}, ox.NamedNode("http://x/a")),
    ({"type": "literal", "value": "v"}, ox.Literal("v")),
    ({"type": "literal", "value": "v", "xml:lang": "en",
      "datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}, ox.Literal("v", language="en")),
    ({"type": "typed-literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
     ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ({"type": "bnode", "value": "b0"}, ox.BlankNode("b0")),
    (None, None),
])
def test_json_terms(binding, expected):
    assert from_json_term(binding) == expected


def test_a_blank_node_label_pyoxigraph_refuses_still_names_one_node():
    first = from_json_term({"type": "bnode", "value": "nodeID://b1"})
    assert first == from_json_term({"type": "bnode", "value": "nodeID://b1"})
    assert first != from_json_term({"type": "bnode", "value": "nodeID://b2"})


def test_a_term_that_is_not_rdf_is_an_endpoint_error():
    with pytest.raises(EndpointError):
        from_json_term({"type": "uri", "value": "not an iri"})


def test_sparql_term_escapes():
    assert sparql_term(ox.Literal("it's \"x\"\n")) == '"it\\\'s \\"x\\"\\n"'
    assert sparql_term(ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))) == (
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>')
    assert sparql_term(ox.Literal("a", language="en")) == '"a"@en'


def test_a_comment_ends_at_a_carriage_return_as_sparql_says():
    # SPARQL's EOL is CR or LF: a keyword after a lone CR is code, not comment
    # (Oxigraph runs it), so every reader of query text must see it.
    text = "SELECT * WHERE { ?s ?p ?o } # note\rLIMIT 1"
    assert [t.text.upper() for t in tokens(text) if t.kind == "word"][-1] == "LIMIT"
    assert strip_comments(text) == "SELECT * WHERE { ?s ?p ?o } \rLIMIT 1"
