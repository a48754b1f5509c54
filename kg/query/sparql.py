"""SPARQL text and terms: the one lexer, ``.rq`` header reader, comment
stripper and term syntax that named queries, checks and endpoints share.

- :func:`tokens` is a small lexer: enough to see variables, groups and
  keywords, with comments, strings and IRIs told apart.
- :func:`comment_header` reads the leading comment lines of a ``.rq`` file as
  ``# key: value`` fields; named queries (title, description, param) and
  checks (title, severity, problem, solution, message) give them meaning.
- :func:`strip_comments` takes the comments out of a query before it goes to
  an endpoint.
- :func:`parsed_form` parses a query with Oxigraph; a syntax error is
  reported as ``file:line:column`` (:func:`syntax_error`).
- Terms: pyoxigraph terms as SPARQL text (:func:`sparql_term`), from W3C
  SPARQL JSON results (:func:`from_json_term`), and to and from rdflib.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import EndpointError, UsageError
from ..text import first_line
from ..vocab import XSD_STRING

Term = ox.NamedNode | ox.BlankNode | ox.Literal


# -- a small SPARQL lexer: enough to see parameters, groups and keywords ------

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>(?:[A-Za-z_][\w.-]*)?:(?:[\w.:%-]|\\[_~.!$&'()*+,;=/?\#@%-])*|[A-Za-z_]\w*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int  # brace depth before the token


def tokens(text: str) -> list[Token]:
    """The query's tokens, comments and white space left out."""
    found, depth = [], 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comment" or (kind == "other" and match.group().isspace()):
            continue
        if kind == "close":
            depth -= 1
        found.append(Token(kind, match.group(), match.start(), depth))
        if kind == "open":
            depth += 1
    return found


def has_top_level(text: str, keyword: str) -> bool:
    return any(t.depth == 0 and t.kind == "word" and t.text.upper() == keyword for t in tokens(text))


def where_group_start(text: str) -> int:
    """Offset just after the ``{`` that opens the query's outermost WHERE group."""
    toks = tokens(text)
    top_groups = [t for t in toks if t.kind == "open" and t.depth == 0]
    for i, token in enumerate(toks):
        if token.depth == 0 and token.kind == "word" and token.text.upper() == "WHERE":
            following = next((t for t in toks[i + 1 :] if t.kind == "open" and t.depth == 0), None)
            if following:
                return following.start + 1
    forms = [t.text.upper() for t in toks if t.depth == 0 and t.kind == "word"]
    index = 1 if "CONSTRUCT" in forms else 0  # CONSTRUCT {template} {pattern}
    if len(top_groups) <= index:
        raise UsageError("cannot find the WHERE clause of the query")
    return top_groups[index].start + 1


def code_only(text: str) -> str:
    """The query with comments, strings and IRIs blanked (same length, line
    breaks kept), so keywords and braces can be found with regular expressions."""
    return "".join(
        _BLANK.sub(" ", m.group()) if m.lastgroup in ("comment", "string", "iri") else m.group()
        for m in _TOKEN.finditer(text)
    )


_BLANK = re.compile(r"[^\n]")


def strip_comments(text: str) -> str:
    """The query without its comments, line breaks kept (so line numbers in an
    endpoint's error still match the file). SPARQLWrapper guesses update vs
    query from keywords anywhere in the text, comments included: the "add" in
    a check's header made it send the check as an update."""
    return "".join(m.group() for m in _TOKEN.finditer(text) if m.lastgroup != "comment")


_OXIGRAPH_AT = re.compile(r"^error at (\d+):(\d+):\s*")


def syntax_error(where: str, exc: SyntaxError, skipped: int = 0) -> UsageError:
    """The usage error for Oxigraph's SyntaxError on the query text of
    ``where`` (a file): ``where:line:column: SPARQL syntax error: ...`` with the
    first line of Oxigraph's message, without the grammar's character classes.
    ``skipped``: lines put before ``where``'s own text (a prefix block), not counted."""
    text = first_line(exc, limit=10_000)
    found = _OXIGRAPH_AT.match(text)
    line = int(found.group(1)) - skipped if found else 0
    place = f"{where}:{line}:{found.group(2)}" if found and line > 0 else where
    detail = text[found.end():] if found else text
    detail = re.sub(r",?\s*\['.*$", ", ...", detail)  # character classes of the grammar: noise
    if len(detail) > 200:
        detail = detail[:200].rstrip() + " ..."
    return UsageError(f"{place}: SPARQL syntax error: {detail}")


def parsed_form(text: str, where: str) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE): the form of the
    query ``text`` from the file ``where``, parsed by Oxigraph on an empty
    store; a syntax error is :func:`syntax_error`'s usage error."""
    try:
        result = ox.Store().query(text)
    except SyntaxError as exc:
        raise syntax_error(where, exc) from None
    except (OSError, RuntimeError, ValueError):
        # It parsed. Only ASK is evaluated at once, and on an empty store only a
        # SERVICE call can fail (an endpoint out of reach).
        return "ask"
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "graph" if isinstance(result, ox.QueryTriples) else "select"


# -- the comment header of a .rq file ----------------------------------------

_FIELD = re.compile(r"^#\s*(\w+)\s*:\s*(.*)$")
_CONTINUED = re.compile(r"^#\s{2,}(\S.*)$")


@dataclass(frozen=True)
class HeaderField:
    key: str
    """Lower case."""
    value: str
    """Continuation lines joined to it with single spaces."""
    line: int
    """Where the key stands (1-based)."""


def comment_header(text: str, keys: Collection[str], prose: Collection[str] = ()) -> list[HeaderField]:
    """The ``# key: value`` lines of the file's leading comments, in order,
    for the (lower-case) ``keys`` the caller knows; keys are case-insensitive.

    The header is every comment line before the first line of SPARQL (blank
    lines do not end it); the file stays valid SPARQL. A comment line indented
    two or more spaces after its ``#`` continues the field before it when that
    field's key is one of ``prose``; any other comment line is a comment, and
    ends the field::

        # title: Co-authors of an author
        # description: People who wrote at least one work with the author,
        #   with the number of shared works.
    """
    fields: list[HeaderField] = []
    extends = False  # whether a continuation line would extend fields[-1]
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        field = _FIELD.match(stripped)
        key = field.group(1).lower() if field else None
        continued = _CONTINUED.match(stripped)
        if key in keys:  # not "#   https://doi.org/ ...", which only looks like a key
            fields.append(HeaderField(key, field.group(2).strip(), number))
            extends = key in prose
        elif continued and extends:
            last = fields[-1]
            fields[-1] = HeaderField(last.key, f"{last.value} {continued.group(1).strip()}", last.line)
        else:
            extends = False
    return fields


# -- terms ----------------------------------------------------------------------

_SPARQL_ESCAPES = {
    ord("\\"): "\\\\", ord('"'): '\\"', ord("'"): "\\'", ord("\n"): "\\n",
    ord("\r"): "\\r", ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f",
}


def sparql_term(term: Term, escapes: Mapping[int, str] = _SPARQL_ESCAPES) -> str:
    """SPARQL (and N-Triples) syntax for a term, string escapes from ``escapes``."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    escaped = term.value.translate(escapes)
    if term.language:
        return f'"{escaped}"@{term.language}'
    if term.datatype.value == XSD_STRING:
        return f'"{escaped}"'
    return f'"{escaped}"^^<{term.datatype.value}>'


def from_json_term(value: Mapping | None) -> Term | None:
    """A term of W3C SPARQL 1.1 JSON results (None for an unbound variable).

    A blank node keeps its label when pyoxigraph accepts it and is named after
    it otherwise (``nodeID://b1``), so a node stays one node across rows.
    """
    if value is None:
        return None
    kind, text = value.get("type"), value.get("value", "")
    try:
        if kind == "uri":
            return ox.NamedNode(text)
        if kind == "bnode":
            return _blank_node(text)
        if "xml:lang" in value:  # before datatype: some endpoints add rdf:langString
            return ox.Literal(text, language=value["xml:lang"])
        if "datatype" in value:
            return ox.Literal(text, datatype=ox.NamedNode(value["datatype"]))
        return ox.Literal(text)
    except ValueError as exc:
        raise EndpointError(f"the endpoint answered with a term that is not RDF ({text[:80]!r}): {exc}") from None


def _blank_node(label: str) -> ox.BlankNode:
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("x" + label.encode("utf-8").hex())


def json_rows(answer: Mapping) -> list[Mapping]:
    """The bindings of W3C SPARQL 1.1 JSON SELECT results."""
    return answer.get("results", {}).get("bindings", [])


def to_rdflib(term: Term):
    """A pyoxigraph term as rdflib makes it from the same N-Triples text."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))


def from_rdflib(term) -> Term | None:
    """An rdflib term as a pyoxigraph term; blank nodes become fresh ones."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode()
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
