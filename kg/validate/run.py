"""Validate a graph: SHACL shapes plus whole-graph SPARQL checks (on
Oxigraph), merged into one :class:`Report`.

Two engines check the shapes. ``native`` (the default, kg.validate.native)
compiles SHACL Core to SPARQL and runs it on Oxigraph over the whole graph;
a shape it cannot compile goes to pySHACL as below. ``pyshacl`` (the
reference) runs every shape through pySHACL on partitions, in parallel.

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
the whole graph on Oxigraph (kg.validate.shacl_sparql), with the results pySHACL
would give; pySHACL gets the shapes without them. Whole-graph questions (the
same DOI on two papers) are SPARQL checks in queries/checks/, run on Oxigraph
or the remote endpoint.

Modules: kg.validate.partitions cuts the store, kg.validate.shacl runs pySHACL
in worker processes, kg.validate.shacl_sparql runs the sh:sparql constraints.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, UsageError
from ..model import NO_PROGRESS, Progress
from ..query.sparql import from_json_term, json_rows
from ..resources import shapes_dir
from ..sinks import endpoint as remote
from ..sinks.files import FORMATS
from ..sinks.store import open_store
from ..text import first_line
from ..vocab import DCTERMS, KG, KGSH, PROV, RDF, SH
from .checks import Check, Select, display_term, load_checks, run_check
from .native import plan as plan_core
from .native import run as run_core
from .partitions import (
    DEFAULT_PARTITION_SIZE,
    OWNED_LINKS,
    Partitioner,
    alternatives,
    whole_graph,
)
from .report import Report, Result, Severity
from .shacl import run_shapes
from .shacl_sparql import plan as plan_sparql
from .shacl_sparql import run_native

__all__ = ["DEFAULT_ENGINE", "DEFAULT_PARTITION_SIZE", "ENGINES", "Check", "Target", "load_checks", "load_shapes",
           "validate"]

IDENTITY_SHAPE = f"{KGSH}OwnIriShape"
ENGINES = ("native", "pyshacl")
DEFAULT_ENGINE = "native"


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
            raise _shapes_error(path, exc) from None
    graph.add((URIRef(IDENTITY_SHAPE), URIRef(f"{SH}pattern"), Literal(identity_pattern(base))))
    return graph


def _shapes_error(path: Path, exc: Exception) -> UsageError:
    """``file:line:column: cannot read shapes: why``. rdflib's message names
    no file ("at line 1 of <>") and its line only in a private field, so the
    file is read again by Oxigraph, whose errors carry the line and column;
    rdflib's reason stays when Oxigraph reads the file without complaint."""
    try:
        for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as found:
        place = f":{found.lineno}:{found.offset}" if found.lineno and found.offset else ""
        reason = re.sub(r"\s*\((?:[^()]*, )?line \d+\)$", "", re.sub(r"^Parser error [^:]*:\s*", "", first_line(found)))
        return UsageError(f"{path}{place}: cannot read shapes: {reason}")
    except OSError as found:
        return UsageError(f"{path}: cannot read shapes: {found.strerror or found}")
    line = getattr(exc, "lines", None)  # rdflib's BadSyntax counts lines from 0
    why = re.search(r"Bad syntax \((.*)\) at \^", str(exc), re.DOTALL)
    return UsageError(f"{path}{f':{line + 1}' if isinstance(line, int) else ''}: cannot read shapes: "
                      f"{why.group(1) if why else first_line(exc)}")


# --------------------------------------------------------------------------- data


def store_select(store: ox.Store) -> Select:
    def select(query: str) -> list[dict[str, str]]:
        solutions = store.query(query)
        names = [v.value for v in solutions.variables]
        return [{n: str(s[n]) for n in names if s[n] is not None} for s in solutions]

    return select


def endpoint_select(url: str, graph: str | None) -> Select:
    def select(query: str) -> list[dict[str, str]]:
        answer = remote.select(url, query, graph=graph)
        return [{k: str(from_json_term(v)) for k, v in row.items()} for row in json_rows(answer)]

    return select


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
            raise InputError(f"{path}: not valid RDF: {first_line(exc)}") from None
    return store


def load_endpoint(url: str, graph: str | None) -> ox.Store:
    """The remote graph copied into memory, for the shapes (pySHACL needs local data)."""
    data = remote.construct(url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph=graph)
    store = ox.Store()
    try:
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    except SyntaxError as exc:
        raise InputError(f"{remote.redact(url)}: the CONSTRUCT answer is not Turtle: {first_line(exc)}") from None
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
                    here = (display_term(row["file"]), int(display_term(row["first"])))
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
    engine: str = DEFAULT_ENGINE,
    progress: Progress = NO_PROGRESS,
) -> Report:
    """Run shapes and checks on ``target``; ``partition_size=None`` validates
    the whole graph as one rdflib graph, with pySHACL also running the
    sh:sparql constraints (slow; for comparisons). ``native_sparql`` (default:
    when partitioned) runs the sh:sparql constraints on Oxigraph instead.
    ``engine="native"`` compiles the SHACL Core shapes to SPARQL on Oxigraph
    (kg.validate.native) and leaves to pySHACL only the shapes that do not
    compile; ``"pyshacl"`` runs every core shape through pySHACL.
    ``progress`` hears each stage begin and each partition and check done."""
    if engine not in ENGINES:
        raise UsageError(f"unknown validation engine {engine!r}; use {' or '.join(ENGINES)}")
    progress.stage("loading the shapes")
    shapes = load_shapes(base, shapes_directory)  # config errors before any data work
    checks = load_checks(checks_directory)
    if native_sparql is None:
        native_sparql = partition_size is not None
    if engine == "native":
        native_sparql = True
    native, for_pyshacl = plan_sparql(shapes) if native_sparql else ([], shapes)
    core = plan_core(for_pyshacl) if engine == "native" else None
    engines = _engines(shapes, native, core)
    progress.stage(f"reading {target.describe()}")
    store, select = open_target(target)
    if core is not None:
        progress.stage("validating the shapes (native)", total=len(core.queries) + len(native), unit="queries")
        on_disk = target.store if not (target.files or target.endpoint) else None
        raw = run_core(core, store, jobs, on_done=lambda: progress.advance(1), sparql=tuple(native), location=on_disk)
        if core.needs_pyshacl:
            partitions = whole_graph(store) if partition_size is None else Partitioner(store, partition_size)
            progress.stage("validating the shapes left to pySHACL", unit="partitions")
            raw |= run_shapes(partitions, core.fallback, jobs, progress)
    else:
        partitions = whole_graph(store) if partition_size is None else Partitioner(store, partition_size)
        # pyoxigraph evaluates queries without the GIL: the sh:sparql constraints
        # run in a thread while this one cuts partitions for the pySHACL workers.
        with ThreadPoolExecutor(1) as side:
            sparql = side.submit(run_native, native, store)
            progress.stage("validating the shapes", unit="partitions")
            raw = run_shapes(partitions, for_pyshacl, jobs, progress)
            if native:
                progress.stage(f"running {len(native)} SHACL-SPARQL constraints")
            raw |= sparql.result()
    results = [
        Result(Severity(sev), focus, message, source, path, value, component)
        for sev, focus, message, source, path, value, component in raw
    ]
    progress.stage("running the checks", total=len(checks), unit="checks")
    for check in checks:
        results.extend(run_check(check, select))
        progress.advance(1)
    progress.stage("finding the source records of the results")
    locations = source_locations(store_select(store), {r.focus for r in results})
    results = [_located(r, locations.get(r.focus)) for r in results]
    rules = [f"<{s}>" for s in shape_names(shapes)] + [c.source for c in checks]
    return Report(tuple(results), tuple(rules), target.describe(), engines=engines)


def _engines(shapes, sparql, core) -> tuple[tuple[str, str], ...]:
    """(shape, engine) for every shape that ran: ``native``, ``native
    SHACL-SPARQL``, or ``pyshacl`` with the construct that kept it there."""
    named = {f"<{s}>": "pyshacl" for s in shape_names(shapes)}
    if core is not None:
        named.update(core.engines)
        named.update((c.shape.n3(), "native") for c in core.queries if c.shape.n3() in named)
    for constraint in sparql:
        named[constraint.source] = "native SHACL-SPARQL"
    return tuple(sorted(named.items()))


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
