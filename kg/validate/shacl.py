"""pySHACL on partitions: a worker process per job (or the caller's process,
for one partition or one job), each building the shapes graph once and the
partitions' rdflib graphs from N-Triples text through a term cache (most
terms repeat), and the SHACL report turned into plain tuples. The speed-ups
in :mod:`kg.validate.pyshacl_patches` apply while pySHACL runs."""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import re
from collections.abc import Iterable

from ..model import NO_PROGRESS, Progress
from ..vocab import RDF, SH
from . import pyshacl_patches
from .report import Severity

_VALIDATOR = None
"""The pySHACL Validator of this process (a worker's, or an in-process run's)."""


def _init_worker(shapes_ntriples: str) -> None:
    """Once per worker process: the speed-ups, and the validator."""
    pyshacl_patches.apply()
    _load_validator(shapes_ntriples)


def _load_validator(shapes_ntriples: str) -> None:
    """pySHACL's shapes graph, built and harvested once instead of once per partition."""
    global _VALIDATOR
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph
    from rdflib import Graph

    shapes = Graph().parse(data=shapes_ntriples, format="nt")
    _VALIDATOR = Validator(DataGraph.from_rdflib(Graph()), shacl_graph=shapes,
                           options={"inference": "none", "advanced": False, "inplace": True})
    _ = _VALIDATOR.shacl_graph.shapes  # the harvest is cached on the ShapesGraph


RawResult = tuple[int, str, str, str | None, str | None, str, str | None]


def partition_graph(ntriples: str):
    """An rdflib graph of kg's own N-Triples lines (``<s> <p> <o> .``, as
    written from Oxigraph terms): each distinct term is made once, by rdflib's
    own N-Triples term parser, and the triples go straight to the store.
    Blank nodes keep Oxigraph's labels, so results on them name the same
    nodes as the native engine's and are the same from run to run."""
    from rdflib import BNode, Graph
    from rdflib.plugins.parsers.ntriples import W3CNTriplesParser

    graph = Graph()
    parser = W3CNTriplesParser()
    bnodes: dict = {}
    cache: dict = {}
    add = graph.store.add

    def term(token: str):
        found = cache.get(token)
        if found is None and token.startswith("_:"):
            found = cache[token] = BNode(token[2:])
        elif found is None:
            parser.line = token
            found = parser.object(bnodes)
            if parser.line:
                raise ValueError(f"not an N-Triples term: {token[:80]}")
            cache[token] = found
        return found

    for line in ntriples.split("\n"):  # not splitlines(): literals may hold U+2028, U+0085, ...
        if not line:
            continue
        subject, predicate, rest = line.split(" ", 2)
        if not rest.endswith(" ."):
            raise ValueError(f"not an N-Triples line: {line[:80]}")
        add((term(subject), term(predicate), term(rest[:-2])), graph, False)
    return graph


def validate_partition(ntriples: str) -> list[RawResult]:
    """pySHACL on one partition; results as plain tuples (cheap to pickle)."""
    from pyshacl.graph_abstraction import DataGraph

    if not ntriples.strip():
        return []
    data = DataGraph.from_rdflib(partition_graph(ntriples))
    pyshacl_patches.use_data_graph(_VALIDATOR, data)
    _conforms, report, _text = _VALIDATOR.run()
    return shacl_results(report)


def shacl_results(report) -> list[RawResult]:
    """The SHACL validation report graph as (severity, focus, message, source,
    path, value, component) tuples, severities kept as pySHACL reported them.
    Only the report's own results: those pySHACL nests under them as sh:detail
    (why a value failed sh:node) are not results of the report (SHACL 3.6.2)."""
    from rdflib import URIRef

    sh = lambda name: URIRef(f"{SH}{name}")  # noqa: E731
    out = []
    for node in report.objects(None, sh("result")):
        focus = report.value(node, sh("focusNode"))
        severity = Severity.from_iri(str(report.value(node, sh("resultSeverity"))))
        messages = sorted(str(m) for m in report.objects(node, sh("resultMessage")))
        constraint = report.value(node, sh("sourceConstraint"))
        shape = report.value(node, sh("sourceShape"))
        source = constraint if isinstance(constraint, URIRef) else shape
        path = report.value(node, sh("resultPath"))
        value = report.value(node, sh("value"))
        component = report.value(node, sh("sourceConstraintComponent"))
        out.append((
            int(severity), focus.n3(), messages[0] if messages else "", _term(source),
            render_path(report, path) if path is not None else None,
            value.n3() if value is not None else None,
            str(component) if component is not None else None,
        ))
    return out


def _term(node) -> str:
    return node.n3() if node is not None else ""


def render_path(graph, path) -> str:
    """A SHACL path as SPARQL property path text (IRIs without brackets for plain ones)."""
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection

    if isinstance(path, URIRef):
        return str(path)
    if isinstance(path, BNode):
        if graph.value(path, URIRef(f"{RDF}first")) is not None:
            return "/".join(_wrap(render_path(graph, p)) for p in Collection(graph, path))
        inverse = graph.value(path, URIRef(f"{SH}inversePath"))
        if inverse is not None:
            return f"^{_wrap(render_path(graph, inverse))}"
        alternatives = graph.value(path, URIRef(f"{SH}alternativePath"))
        if alternatives is not None:
            return "(" + "|".join(_wrap(render_path(graph, p)) for p in Collection(graph, alternatives)) + ")"
        for key, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            inner = graph.value(path, URIRef(f"{SH}{key}"))
            if inner is not None:
                return f"({_wrap(render_path(graph, inner))}){mark}"
    return path.n3()


def _wrap(path: str) -> str:
    return f"<{path}>" if re.match(r"^[a-z][\w+.-]*:", path) and not path.startswith("<") else path


def run_shapes(partitions: Iterable[str], shapes, jobs: int = 2, progress: Progress = NO_PROGRESS) -> set[RawResult]:
    """pySHACL over ``partitions``, in ``jobs`` processes when there is more
    than one; ``progress`` advances by one for each partition validated."""
    global _VALIDATOR
    shapes_nt = shapes.serialize(format="nt")
    texts = iter(partitions)
    first = next(texts, None)
    second = next(texts, None)
    found: set[RawResult] = set()
    if second is None or jobs <= 1:
        # In the caller's process: the patches are undone and the validator
        # dropped afterwards, so rdflib and pySHACL are left as they were.
        with pyshacl_patches.applied():
            try:
                _load_validator(shapes_nt)
                for text in (t for t in (first, second) if t is not None):
                    found.update(validate_partition(text))
                    progress.advance(1)
                for text in texts:
                    found.update(validate_partition(text))
                    progress.advance(1)
            finally:
                _VALIDATOR = None
        return found
    context = multiprocessing.get_context("spawn")  # no fork of a process holding RocksDB threads
    with futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(shapes_nt,)) as pool:
        pending = {pool.submit(validate_partition, first), pool.submit(validate_partition, second)}
        for text in texts:
            if len(pending) >= 2 * jobs:  # bound the partitions held in memory
                done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                for task in done:
                    found.update(task.result())
                    progress.advance(1)
            pending.add(pool.submit(validate_partition, text))
        for task in futures.as_completed(pending):
            found.update(task.result())
            progress.advance(1)
    return found

