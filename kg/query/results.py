r"""Render a QueryResult: a table for people, plain rows for shells and
spreadsheets, the W3C formats by name, RDF for graphs.

The one rule for IRIs: the table shows CURIEs where kg knows the prefix
(``person:julie-repper``, ``dcterms:title``); every machine format carries
full IRIs (JSON strings without angle brackets; N-Triples syntax only where
the format itself is RDF syntax: ``sparql-tsv``, ``nt``).

SELECT and ASK results (an ASK answer is one row with one column, ``boolean``):

- ``table``: aligned columns for a terminal, long cells cut, control
  characters made visible (BEL as ``␇``, NUL as ``␀``);
- ``json``: a list of objects, one per row, keyed by variable (like
  ``sqlite-utils --json``); numeric literals as JSON numbers, ``xsd:boolean``
  as true/false, unbound as null, other terms as their plain value;
- ``jsonl``: the same objects, one per line;
- ``csv``: RFC 4180 (quoted where needed, CRLF line ends), plain values
  (this is also what SPARQL 1.1 CSV says, so ``sparql-csv`` is the same);
- ``tsv``: plain values, one row a line; a backslash, tab, line feed or
  carriage return inside a value is written ``\\``, ``\t``, ``\n``, ``\r``;
- ``sparql-json``, ``sparql-xml``, ``sparql-csv``, ``sparql-tsv``: the W3C
  SPARQL 1.1 results formats, typed terms included.

CONSTRUCT and DESCRIBE results render as Turtle, N-Triples or JSON-LD.
Renderers take values and return text; nothing here prints.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from xml.etree import ElementTree as ET

import pyoxigraph as ox

from ..vocab import DEFAULT_BASE, PREFIXES, XSD, XSD_STRING, prefixed_name
from ..text import visible
from .run import QueryResult
from .sparql import Term, sparql_term

ROW_FORMATS = ("table", "json", "jsonl", "csv", "tsv", "sparql-json", "sparql-xml", "sparql-csv", "sparql-tsv")
"""Formats for SELECT and ASK results."""
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
"""Formats for CONSTRUCT and DESCRIBE results."""
QUERY_FORMATS = ROW_FORMATS + GRAPH_FORMATS
"""Every `kg query --format`: the one list (kg/cli/options.py takes it from here)."""
_RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
TABLE_CELL_WIDTH = 80


def default_format(form: str, terminal: bool) -> str:
    """The format when none is asked for: a table (Turtle for a graph) on a
    terminal; plain JSON (sorted N-Triples for a graph) when piped."""
    if form == "graph":
        return "ttl" if terminal else "nt"
    return "table" if terminal else "json"


def render(result: QueryResult, fmt: str, base: str = DEFAULT_BASE) -> str:
    """Dispatch on the format name; the caller checked it suits the result.
    ``base`` is the base IRI in use, for the table's ``work:``/``person:`` CURIEs.

    Whatever the format, non-empty output ends with a line break, so a note
    written after it (``kg: showing the first N...``) starts on a line of its own.
    """
    if fmt == "table":
        text = render_table(result, base)
    elif fmt in _ROW_RENDERERS:
        text = _ROW_RENDERERS[fmt](result)
    else:
        text = render_rdf(result, fmt)
    return text if not text or text.endswith("\n") else text + "\n"


# -- for people ---------------------------------------------------------------


def compact(term: Term | None, base: str = DEFAULT_BASE) -> str:
    """A short display form: prefixed IRIs where kg knows the prefix, bare literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return prefixed_name(term.value, base) or term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def table_cell(text: str) -> str:
    """One table cell: controls visible, layout folded to single spaces, long text cut."""
    text = " ".join(visible(text).split())
    return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"


def render_table(result: QueryResult, base: str = DEFAULT_BASE) -> str:
    """Aligned columns; long cells are cut with an ellipsis (use csv/json for full text)."""
    if result.form == "ask":
        return f"{'true' if result.boolean else 'false'}\n"
    if result.form == "graph":
        header = ["subject", "predicate", "object"]
        cells = [[compact(t.subject, base), compact(t.predicate, base), compact(t.object, base)] for t in result.triples]
    else:
        header = list(result.variables)
        cells = [[compact(term, base) for term in row] for row in result.rows]
    cells = [[table_cell(c) for c in row] for row in cells]
    if not cells:
        return "(no rows)\n"
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


# -- plain rows: json, jsonl, csv, tsv -------------------------------------------

_INTEGER_TYPES = {f"{XSD}{name}" for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_REAL_TYPES = {f"{XSD}decimal", f"{XSD}double", f"{XSD}float"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_REAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def plain_value(term: Term | None) -> str | int | float | bool | None:
    """The value a spreadsheet or a JSON reader wants: an IRI as its full text,
    a blank node as ``_:label``, a numeric literal as a number and an
    ``xsd:boolean`` as a boolean (when the lexical form is valid), any other
    literal as its text; None when unbound."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text, datatype = term.value, term.datatype.value
    if datatype in _INTEGER_TYPES and _INTEGER.fullmatch(text):
        return int(text)
    if datatype in _REAL_TYPES and _REAL.fullmatch(text) and math.isfinite(number := float(text)):
        return number
    if datatype == f"{XSD}boolean" and text in ("true", "false", "1", "0"):
        return text in ("true", "1")
    return text


def plain_rows(result: QueryResult) -> tuple[list[str], list[list]]:
    """Column names and plain values; an ASK answer is one row of one column, ``boolean``."""
    if result.form == "ask":
        return ["boolean"], [[bool(result.boolean)]]
    return list(result.variables), [[plain_value(t) for t in row] for row in result.rows]


def _objects(result: QueryResult) -> list[dict]:
    header, rows = plain_rows(result)
    return [dict(zip(header, row)) for row in rows]


# Characters that are line breaks to some readers (Python's splitlines, older
# JavaScript) though JSON allows them raw: written as escapes, so a JSON Lines
# row stays one line whoever splits it.
_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def _json(value, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_LINE_BREAKS)


def render_plain_json(result: QueryResult) -> str:
    """A JSON list of objects, one per row: ``[{"author": "https://…", "works": 3}]``."""
    return _json(_objects(result), indent=2) + "\n"


def render_jsonl(result: QueryResult) -> str:
    """One JSON object per line (JSON Lines)."""
    return "".join(_json(o) + "\n" for o in _objects(result))


def render_csv(result: QueryResult) -> str:
    """CSV with plain values (lexical forms), CRLF line ends: RFC 4180 and SPARQL 1.1 CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.form == "ask":
        writer.writerows([["boolean"], ["true" if result.boolean else "false"]])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_lexical(t) for t in row])
    return out.getvalue()


def _lexical(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


_PLAIN_TSV_ESCAPES = {ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"}


def render_plain_tsv(result: QueryResult) -> str:
    """Tab-separated plain values (lexical forms), a header of variable names;
    backslash, tab, line feed and carriage return in a value escaped as
    ``\\\\``, ``\\t``, ``\\n``, ``\\r``, so every row is one line."""
    if result.form == "ask":
        return f"boolean\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(result.variables)]
    lines += ["\t".join(_lexical(t).translate(_PLAIN_TSV_ESCAPES) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


# -- W3C formats ------------------------------------------------------------------


def render_sparql_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: ``?var`` headers, terms in N-Triples syntax."""
    if result.form == "ask":
        return f"?boolean\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(ntriples_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def ntriples_term(term: Term | None) -> str:
    """A TSV cell: the term in N-Triples syntax, escaping what the TSV format names."""
    return "" if term is None else sparql_term(term, _TSV_ESCAPES)


_TSV_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}


def json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        value["datatype"] = term.datatype.value
    return value


def render_sparql_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.form == "ask":
        document = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [
            {v: json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows
        ]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_sparql_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format."""
    root = ET.Element("sparql", xmlns=SPARQL_RESULTS_NS)
    head = ET.SubElement(root, "head")
    if result.form == "ask":
        ET.SubElement(root, "boolean").text = "true" if result.boolean else "false"
    else:
        for variable in result.variables:
            ET.SubElement(head, "variable", name=variable)
        results = ET.SubElement(root, "results")
        for row in result.rows:
            item = ET.SubElement(results, "result")
            for variable, term in zip(result.variables, row):
                if term is not None:
                    _xml_binding(ET.SubElement(item, "binding", name=variable), term)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_binding(parent: ET.Element, term: Term) -> None:
    if isinstance(term, ox.NamedNode):
        ET.SubElement(parent, "uri").text = term.value
    elif isinstance(term, ox.BlankNode):
        ET.SubElement(parent, "bnode").text = term.value
    else:
        literal = ET.SubElement(parent, "literal")
        literal.text = term.value
        if term.language:
            literal.set("xml:lang", term.language)
        elif term.datatype.value != XSD_STRING:
            literal.set("datatype", term.datatype.value)


_ROW_RENDERERS = {
    "json": render_plain_json, "jsonl": render_jsonl, "csv": render_csv, "tsv": render_plain_tsv,
    "sparql-json": render_sparql_json, "sparql-xml": render_sparql_xml,
    "sparql-csv": render_csv, "sparql-tsv": render_sparql_tsv,
}


# -- graphs ----------------------------------------------------------------------


def render_rdf(result: QueryResult, fmt: str) -> str:
    """Turtle, N-Triples or JSON-LD of a CONSTRUCT/DESCRIBE result, triples sorted."""
    triples = sorted(result.triples, key=str)
    if fmt == "nt":  # one sorted statement a line, diff-friendly
        return "".join(f"{t} .\n" for t in triples)
    options = {"prefixes": PREFIXES} if fmt == "ttl" else {}
    text = ox.serialize(triples, format=_RDF_FORMATS[fmt], **options).decode("utf-8")
    return text if not text or text.endswith("\n") else text + "\n"  # JSON-LD ends without one
