"""Validate a graph: SHACL shapes (pySHACL, per partition, in parallel) plus
whole-graph SPARQL checks (on Oxigraph), merged into one :class:`Report`.

Why partitions: pySHACL runs on rdflib, whose in-memory store needs ~1 KB and
~20 us per triple; a 100k-paper graph does not fit its budget as one graph.
Nearly every shape looks at one paper and its neighbourhood, so each partition
holds a batch of papers with everything they own (authorships, abstract
sections, concept assignments) and the full descriptions of what they point at
(people, venue, source record, concepts). The concept scheme is validated as
one partition of its own, and whatever no paper reaches in a last one.
Results of nodes shared by partitions (a person with two papers) repeat and
are de-duplicated. Rule for shape authors that keeps this exact: shapes on
shared nodes (person, venue, concept, source record) must not follow inverse
paths, which a partition sees only in part.

SHACL-SPARQL constraints (sh:sparql) do not go to pySHACL: they run once over
the whole graph on Oxigraph (kg.validate_sparql), with the results pySHACL
would give; pySHACL gets the shapes without them. Whole-graph questions (the
same DOI on two papers) are SPARQL checks in queries/checks/, run on Oxigraph
or the remote endpoint.

Modules: kg.partitions cuts the store, kg.validate_shacl runs pySHACL in
worker processes, kg.validate_sparql runs the sh:sparql constraints.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..sinks import endpoint as remote
from ..errors import InputError, UsageError
from .partitions import (
    DEFAULT_PARTITION_SIZE,
    OWNED_LINKS,
    Partitioner,
    alternatives,
    whole_graph,
)
from .report import SH, Report, Result, Severity
from ..resources import queries_dir, shapes_dir
from ..sinks.files import FORMATS
from .shacl import run_shapes
from .shacl_sparql import plan as plan_sparql
from .shacl_sparql import run_native
from ..vocab import DCTERMS, KG, PROV, RDF

__all__ = ["DEFAULT_PARTITION_SIZE", "Check", "Target", "load_checks", "load_shapes", "validate"]

SHAPES_NS = "https://w3id.org/kg/shapes#"
IDENTITY_SHAPE = f"{SHAPES_NS}OwnIriShape"
Select = Callable[[str], list[dict[str, str]]]
"""Runs a SELECT query; rows map variable names to terms in N-Triples form."""


# --------------------------------------------------------------------------- shapes


def escape_regex(text: str) -> str:
    """Escape for XPath/XSD regular expressions (SHACL's sh:pattern flavour)."""
    return re.sub(r"([.\\?*+{}()\[\]^$|-])", r"\\\1", text)


def identity_pattern(base: str) -> str:
    return f"^{escape_regex(base)}"


def load_shapes(base: str, directory: Path | None = None):
    """The shapes graph (rdflib): every ``*.ttl`` in ``directory`` plus the
    run-time pattern that pins kg's own IRIs under ``base``.

    A shapes file that does not parse is a configuration error (exit 2).
    """
    from rdflib import Graph, Literal, URIRef

    folder = directory or shapes_dir()
    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    if not files:
        raise UsageError(f"no shapes (*.ttl) in {folder}")
    graph = Graph()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types
            raise UsageError(f"{path}{_line_of(exc)}: cannot read shapes: {_first_line(exc)}") from None
    graph.add((URIRef(IDENTITY_SHAPE), URIRef(f"{SH}pattern"), Literal(identity_pattern(base))))
    return graph


def _line_of(exc: Exception) -> str:
    line = getattr(exc, "lines", None)
    if isinstance(line, int):
        return f":{line}"
    found = re.search(r"line (\d+)", str(exc))
    return f":{found.group(1)}" if found else ""


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    """A SPARQL SELECT in queries/checks/ that must return no rows.

    Rows bind ``?entity`` (the focus node), optionally ``?property`` and
    ``?value``; ``message`` may name any projected variable as ``{?var}``.
    """

    name: str
    query: str
    severity: Severity
    title: str
    problem: str = ""
    solution: str = ""
    message: str = ""

    @property
    def source(self) -> str:
        return f"check:{self.name}"


_HEADER = re.compile(r"^#\s*(\w+)\s*:\s*(.*?)\s*$")


def parse_check(path: Path) -> Check:
    """A check from its file; the comment header holds its metadata."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read check: {exc}") from None
    meta: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        found = _HEADER.match(line)
        if found:
            meta[found.group(1).lower()] = found.group(2)
    try:
        severity = Severity.from_name(meta.get("severity", "error"))
    except ValueError as exc:
        raise UsageError(f"{path}:1: {exc}") from None
    return Check(
        name=path.stem,
        query=text,
        severity=severity,
        title=meta.get("title", path.stem),
        problem=meta.get("problem", ""),
        solution=meta.get("solution", ""),
        message=meta.get("message", ""),
    )


def load_checks(directory: Path | None = None) -> list[Check]:
    folder = directory or queries_dir() / "checks"
    return [parse_check(p) for p in sorted(folder.glob("*.rq"))] if folder.is_dir() else []


def _display(term: str | None) -> str:
    """A term for people: an IRI without brackets, a literal's text."""
    if term is None:
        return ""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    found = re.match(r'^"(.*)"(?:\^\^<[^>]*>|@[\w-]+)?$', term, re.DOTALL)
    return found.group(1) if found else term


def run_check(check: Check, select: Select) -> list[Result]:
    results = []
    for row in select(check.query):
        focus = row.get("entity")
        if focus is None:
            continue
        template = check.message or check.title
        message = re.sub(r"\{\?(\w+)\}", lambda m: _display(row.get(m.group(1))), template)
        path = row.get("property")
        results.append(Result(
            severity=check.severity, focus=focus, message=message, source=check.source,
            path=_display(path) if path else None, value=row.get("value"),
        ))
    return results


# --------------------------------------------------------------------------- data


def store_select(store: ox.Store) -> Select:
    def select(query: str) -> list[dict[str, str]]:
        solutions = store.query(query)
        names = [v.value for v in solutions.variables]
        return [{n: str(s[n]) for n in names if s[n] is not None} for s in solutions]

    return select


def strip_comment_lines(query: str) -> str:
    """The query without whole-line comments. SPARQLWrapper guesses the query
    type from keywords and can take the "add" of a check's header comment for
    an update (which it then sends as ``update=``)."""
    return "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))


def endpoint_select(url: str, graph: str | None) -> Select:
    def select(query: str) -> list[dict[str, str]]:
        answer = remote.select(url, strip_comment_lines(query), graph=graph)
        return [{k: _json_term(v) for k, v in row.items()} for row in answer.get("results", {}).get("bindings", [])]

    return select


def _json_term(binding: dict) -> str:
    """A SPARQL JSON results term in N-Triples form."""
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    literal = ox.Literal(value, datatype=ox.NamedNode(binding["datatype"])) if "datatype" in binding else (
        ox.Literal(value, language=binding["xml:lang"]) if "xml:lang" in binding else ox.Literal(value))
    return str(literal)


def load_files(paths: Iterable[Path]) -> ox.Store:
    """An in-memory store holding every file, all in the default graph."""
    store = ox.Store()
    for path in paths:
        suffixes = [s for s in path.suffixes if s != ".gz"]
        fmt = FORMATS.get(suffixes[-1].lower() if suffixes else "")
        if fmt is None:
            raise UsageError(f"{path}: cannot tell the RDF format; use one of {', '.join(FORMATS)} (optionally .gz)")
        try:
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            quads = ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())
            store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from None
        except SyntaxError as exc:
            raise InputError(f"{path}: not valid RDF: {_first_line(exc)}") from None
    return store


def load_endpoint(url: str, graph: str | None) -> ox.Store:
    """The remote graph copied into memory, for the shapes (pySHACL needs local data)."""
    data = remote.construct(url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph=graph)
    store = ox.Store()
    try:
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    except SyntaxError as exc:
        raise InputError(f"{remote.redact(url)}: the CONSTRUCT answer is not Turtle: {_first_line(exc)}") from None
    return store


# --------------------------------------------------------------------------- provenance


_SOURCE = f"?src <{KG}sourceFile> ?file ; <{KG}sourceLine> ?line ."
_SOURCE_QUERIES = [
    # a paper: its own source record
    f"SELECT ?node ?file (MIN(?line) AS ?first) WHERE {{ VALUES ?node {{ %s }} ?node <{PROV}wasDerivedFrom> ?src . {_SOURCE} }} GROUP BY ?node ?file",
    # an authorship, abstract section or assignment: its paper's
    f"SELECT ?node ?file (MIN(?line) AS ?first) WHERE {{ VALUES ?node {{ %s }} ?paper {alternatives(OWNED_LINKS)} ?node . "
    f"?paper <{PROV}wasDerivedFrom> ?src . {_SOURCE} }} GROUP BY ?node ?file",
    # a person, venue or concept: the first paper's that names it
    f"SELECT ?node ?file (MIN(?line) AS ?first) WHERE {{ VALUES ?node {{ %s }} ?paper "
    f"<{DCTERMS}creator>|<{DCTERMS}isPartOf>|<{DCTERMS}subject> ?node . ?paper <{PROV}wasDerivedFrom> ?src . {_SOURCE} }} GROUP BY ?node ?file",
    # a source record: itself
    f"SELECT ?node ?file (MIN(?line) AS ?first) WHERE {{ VALUES ?node {{ %s }} BIND (?node AS ?src) {_SOURCE} }} GROUP BY ?node ?file",
]


def source_locations(select: Select, nodes: Iterable[str]) -> dict[str, tuple[str, int]]:
    """The first (file, line) of the source record each node came from: its own
    for a paper, its paper's for authorships, sections and assignments, the
    first paper's for people, venues and concepts."""
    iris = sorted({n for n in nodes if n.startswith("<")})
    found: dict[str, tuple[str, int]] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(iris[start:start + 500])
        for query in _SOURCE_QUERIES:
            for row in select(query % values):
                try:
                    here = (_display(row["file"]), int(_display(row["first"])))
                except (KeyError, ValueError):
                    continue
                node = row["node"]
                if node not in found or here < found[node]:
                    found[node] = here
    return found


# --------------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class Target:
    """What to validate: exactly one of an embedded store, files or an endpoint."""

    store: Path | None = None
    files: tuple[Path, ...] = ()
    endpoint: str | None = None
    graph: str | None = None

    def describe(self) -> str:
        if self.endpoint:
            return remote.redact(self.endpoint) + (f" graph <{self.graph}>" if self.graph else "")
        if self.files:
            return " ".join(str(f) for f in self.files)
        return f"store {self.store}"


def open_target(target: Target) -> tuple[ox.Store, Select]:
    """The data as an Oxigraph store (for the shapes) and where checks run."""
    if target.endpoint:
        remote.check_endpoint_url(target.endpoint)
        return load_endpoint(target.endpoint, target.graph), endpoint_select(target.endpoint, target.graph)
    if target.files:
        store = load_files(target.files)
        return store, store_select(store)
    from ..sinks.store import open_store

    store = open_store(target.store, read_only=True)
    return store, store_select(store)


def validate(
    target: Target,
    base: str,
    *,
    shapes_directory: Path | None = None,
    checks_directory: Path | None = None,
    jobs: int = 2,
    partition_size: int | None = DEFAULT_PARTITION_SIZE,
    native_sparql: bool | None = None,
) -> Report:
    """Run shapes and checks on ``target``; ``partition_size=None`` validates
    the whole graph as one rdflib graph, with pySHACL also running the
    sh:sparql constraints (slow; for comparisons). ``native_sparql`` (default:
    when partitioned) runs the sh:sparql constraints on Oxigraph instead."""
    shapes = load_shapes(base, shapes_directory)  # config errors before any data work
    checks = load_checks(checks_directory)
    if native_sparql is None:
        native_sparql = partition_size is not None
    native, for_pyshacl = plan_sparql(shapes) if native_sparql else ([], shapes)
    store, select = open_target(target)
    partitions = whole_graph(store) if partition_size is None else Partitioner(store, partition_size)
    # pyoxigraph evaluates queries without the GIL: the sh:sparql constraints
    # run in a thread while this one cuts partitions for the pySHACL workers.
    with ThreadPoolExecutor(1) as side:
        sparql = side.submit(run_native, native, store)
        raw = run_shapes(partitions, for_pyshacl, jobs)
        raw |= sparql.result()
    results = [
        Result(Severity(sev), focus, message, source, path, value, component)
        for sev, focus, message, source, path, value, component in raw
    ]
    for check in checks:
        results.extend(run_check(check, select))
    locations = source_locations(store_select(store), {r.focus for r in results})
    results = [_located(r, locations.get(r.focus)) for r in results]
    rules = [_term_of_shape(s) for s in shape_names(shapes)] + [c.source for c in checks]
    return Report(tuple(results), tuple(rules), target.describe())


def _located(result: Result, where: tuple[str, int] | None) -> Result:
    if where is None:
        return result
    from dataclasses import replace

    return replace(result, file=where[0], line=where[1])


def shape_names(shapes) -> list[str]:
    """Every named shape and SPARQL constraint that reports results under its own name."""
    from rdflib import URIRef

    kinds = [URIRef(f"{SH}{k}") for k in ("NodeShape", "PropertyShape", "SPARQLConstraint")]
    named = {s for k in kinds for s in shapes.subjects(URIRef(f"{RDF}type"), k) if isinstance(s, URIRef)}
    # A node shape that only groups SPARQL constraints reports under their names.
    holders = {s for s in named if (s, URIRef(f"{SH}sparql"), None) in shapes and (s, URIRef(f"{SH}nodeKind"), None) not in shapes}
    return sorted(str(s) for s in named - holders)


def _term_of_shape(iri: str) -> str:
    return f"<{iri}>"
