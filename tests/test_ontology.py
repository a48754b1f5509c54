"""Every own term that kg writes, checks or queries is declared in ontology/."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.resources import ontology_dir, queries_dir, shapes_dir
from kg.vocab import KG

OWN_TERM = re.compile(re.escape(KG) + r"[A-Za-z_][\w-]*")
PREFIXED_TERM = re.compile(r"(?<![\w:/#])kg:([A-Za-z_][\w-]*)")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted(ontology_dir().glob("*.ttl")):
        graph.parse(path)
    return graph


def used_terms(example_lines: list[str]) -> dict[str, str]:
    """Own terms and where each was first seen."""
    found: dict[str, str] = {}
    for line in example_lines:
        for term in OWN_TERM.findall(line):
            found.setdefault(term, "the example graph")
    for folder, pattern in ((shapes_dir(), "*.ttl"), (queries_dir(), "**/*.rq"), (ontology_dir(), "*.ttl")):
        for path in sorted(folder.glob(pattern)):
            text = path.read_text("utf-8")
            for term in OWN_TERM.findall(text):
                found.setdefault(term, path.name)
            if re.search(r"(?i)prefix\s+kg:\s*<" + re.escape(KG) + ">", text):
                for local in PREFIXED_TERM.findall(text):
                    found.setdefault(KG + local, path.name)
    return found


def test_every_own_term_is_declared_with_label_and_comment(ontology, example_build):
    missing = []
    for term, where in sorted(used_terms(example_build.lines).items()):
        node = URIRef(term)
        if ontology.value(node, RDFS.label) is None or ontology.value(node, RDFS.comment) is None:
            missing.append(f"{term} (used in {where})")
    assert not missing, "undeclared or undocumented terms:\n" + "\n".join(missing)
