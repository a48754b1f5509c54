"""Render a QueryResult: a table for people, the W3C formats for programs.

SELECT and ASK results render as a text table, CSV and TSV (SPARQL 1.1
Query Results CSV and TSV Formats), JSON (SPARQL 1.1 Query Results JSON
Format) and XML (SPARQL Query Results XML Format). CONSTRUCT and DESCRIBE
results render as Turtle, N-Triples or JSON-LD. Renderers take values and
return text; nothing here prints.
"""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import pyoxigraph as ox

from ..vocab import PREFIXES, XSD_STRING, prefixed_name
from .run import QueryResult
from .sparql import Term, sparql_term

GRAPH_FORMATS = ("ttl", "nt", "jsonld")
_RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
TABLE_CELL_WIDTH = 80


def render(result: QueryResult, fmt: str) -> str:
    """Dispatch on the format name; the caller checked it suits the result.

    Whatever the format, non-empty output ends with a line break, so a note
    written after it (``kg: showing the first N...``) starts on a line of its own.
    """
    renderers = {
        "table": render_table, "csv": render_csv, "tsv": render_tsv,
        "json": render_json, "xml": render_xml,
    }
    text = renderers[fmt](result) if fmt in renderers else render_rdf(result, fmt)
    return text if not text or text.endswith("\n") else text + "\n"


# -- for people ---------------------------------------------------------------


def compact(term: Term | None) -> str:
    """A short display form: prefixed IRIs where kg knows the prefix, bare literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return prefixed_name(term.value) or term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def render_table(result: QueryResult) -> str:
    """Aligned columns; long cells are cut with an ellipsis (use csv/json for full text)."""
    if result.form == "ask":
        return f"{'true' if result.boolean else 'false'}\n"
    if result.form == "graph":
        header = ["subject", "predicate", "object"]
        cells = [[compact(t.subject), compact(t.predicate), compact(t.object)] for t in result.triples]
    else:
        header = list(result.variables)
        cells = [[compact(term) for term in row] for row in result.rows]
    cells = [[_cut(" ".join(c.split())) for c in row] for row in cells]
    if not cells:
        return "(no rows)\n"
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


def _cut(text: str) -> str:
    return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"


# -- W3C formats ------------------------------------------------------------------


def render_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: lexical values only, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.form == "ask":
        writer.writerows([["boolean"], ["true" if result.boolean else "false"]])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value for t in row])
    return out.getvalue()


def render_tsv(result: QueryResult) -> str:
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


def render_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.form == "ask":
        document = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [
            {v: json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows
        ]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_xml(result: QueryResult) -> str:
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


# -- graphs ----------------------------------------------------------------------


def render_rdf(result: QueryResult, fmt: str) -> str:
    """Turtle, N-Triples or JSON-LD of a CONSTRUCT/DESCRIBE result, triples sorted."""
    triples = sorted(result.triples, key=str)
    if fmt == "nt":  # one sorted statement a line, diff-friendly
        return "".join(f"{t} .\n" for t in triples)
    options = {"prefixes": PREFIXES} if fmt == "ttl" else {}
    text = ox.serialize(triples, format=_RDF_FORMATS[fmt], **options).decode("utf-8")
    return text if not text or text.endswith("\n") else text + "\n"  # JSON-LD ends without one
