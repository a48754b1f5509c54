"""The SKOS concept scheme as plain values.

:func:`load_scheme` reads ``ontology/concepts.ttl`` once (rdflib; the file is
small) into :class:`Scheme`/:class:`Concept` values that the tagger and the CLI
use without touching RDF again; :func:`hierarchy` gives the browsable tree for
``kg concepts list``. Bad input raises :class:`kg.errors.UsageError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from ..errors import UsageError
from ..resources import ontology_dir
from ..vocab import CONCEPT_SCHEME, CONCEPTS, KG, SKOS

EXCLUDED_CONTEXT = KG + "excludedContext"
MIN_MENTIONS = KG + "minMentions"
TAGGABLE = KG + "taggable"


@dataclass(frozen=True)
class Concept:
    iri: str
    pref_label: str
    alt_labels: tuple[str, ...] = ()
    definition: str | None = None
    broader: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    exact_match: tuple[str, ...] = ()
    close_match: tuple[str, ...] = ()
    excluded_contexts: tuple[str, ...] = ()
    """Phrases in which a label of this concept does not mean it (kg:excludedContext)."""
    min_mentions: int = 1
    """Mentions in the abstract needed unless title or keywords name it (kg:minMentions)."""
    taggable: bool = True
    """False for grouping concepts that exist for browsing only (kg:taggable)."""

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.pref_label, *self.alt_labels)


@dataclass(frozen=True)
class Scheme:
    iri: str
    title: str | None
    concepts: Mapping[str, Concept]
    top_concepts: tuple[str, ...]
    collections: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """skos:Collection IRI -> the concepts it has as skos:member."""

    def narrower(self, iri: str) -> tuple[str, ...]:
        return self._narrower().get(iri, ())

    @lru_cache(maxsize=None)
    def _narrower(self) -> dict[str, tuple[str, ...]]:
        children: dict[str, list[str]] = {}
        for concept in self.concepts.values():
            for parent in concept.broader:
                children.setdefault(parent, []).append(concept.iri)
        return {k: tuple(sorted(v, key=lambda i: self.concepts[i].pref_label.casefold()))
                for k, v in children.items()}

    def __hash__(self) -> int:  # identity: one scheme object per loaded file
        return id(self)

    def resolve(self, text: str) -> Concept | None:
        """A concept named by its IRI, ``kgc:slug`` or (case-insensitive) prefLabel."""
        text = text.strip()
        if text.startswith("kgc:"):
            text = CONCEPTS + text[4:]
        if text in self.concepts:
            return self.concepts[text]
        folded = text.casefold()
        for concept in self.concepts.values():
            if concept.pref_label.casefold() == folded:
                return concept
        return None


def default_scheme_path() -> Path:
    return ontology_dir() / "concepts.ttl"


def load_scheme(path: Path | str | None = None) -> Scheme:
    """Read a SKOS concept scheme file (Turtle). Cached per resolved path."""
    resolved = Path(path) if path is not None else default_scheme_path()
    return _load_scheme_cached(str(resolved.resolve()))


@lru_cache(maxsize=8)
def _load_scheme_cached(path: str) -> Scheme:
    import rdflib  # imported here: only scheme loading needs rdflib

    try:
        graph = rdflib.Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:  # rdflib raises BadSyntax(SyntaxError)
        raise UsageError(f"{path}: cannot read the concept scheme: {exc}") from exc
    skos = rdflib.Namespace(SKOS)
    excluded = rdflib.URIRef(EXCLUDED_CONTEXT)
    min_mentions = rdflib.URIRef(MIN_MENTIONS)
    taggable = rdflib.URIRef(TAGGABLE)

    def texts(subject, predicate) -> tuple[str, ...]:
        return tuple(sorted(str(o) for o in graph.objects(subject, predicate)))

    def iris(subject, predicate) -> tuple[str, ...]:
        return tuple(sorted(str(o) for o in graph.objects(subject, predicate)))

    concepts: dict[str, Concept] = {}
    for subject in sorted(set(graph.subjects(rdflib.RDF.type, skos.Concept))):
        prefs = texts(subject, skos.prefLabel)
        if len(prefs) != 1:
            raise UsageError(f"{path}: concept {subject} needs exactly one skos:prefLabel, has {len(prefs)}")
        definitions = texts(subject, skos.definition)
        minimum = graph.value(subject, min_mentions)
        flag = graph.value(subject, taggable)
        concepts[str(subject)] = Concept(
            iri=str(subject),
            pref_label=prefs[0],
            alt_labels=texts(subject, skos.altLabel),
            definition=definitions[0] if definitions else None,
            broader=iris(subject, skos.broader),
            related=iris(subject, skos.related),
            exact_match=iris(subject, skos.exactMatch),
            close_match=iris(subject, skos.closeMatch),
            excluded_contexts=texts(subject, excluded),
            min_mentions=int(minimum.toPython()) if minimum is not None else 1,
            taggable=bool(flag.toPython()) if flag is not None else True,
        )
    scheme_iri = rdflib.URIRef(CONCEPT_SCHEME)
    tops = {str(o) for o in graph.objects(scheme_iri, skos.hasTopConcept)}
    tops |= {str(s) for s in graph.subjects(skos.topConceptOf, scheme_iri)}
    title = graph.value(scheme_iri, rdflib.URIRef("http://purl.org/dc/terms/title"))
    collections = {
        str(collection): frozenset(str(member) for member in graph.objects(collection, skos.member))
        for collection in graph.subjects(rdflib.RDF.type, skos.Collection)
    }
    for collection, members in sorted(collections.items()):
        unknown = sorted(members - set(concepts))
        if unknown:
            raise UsageError(f"{path}: collection {collection} has members that are not concepts: {', '.join(unknown)}")
    return Scheme(
        iri=CONCEPT_SCHEME,
        title=str(title) if title is not None else None,
        concepts=concepts,
        top_concepts=tuple(sorted(tops, key=lambda i: concepts[i].pref_label.casefold() if i in concepts else i)),
        collections=collections,
    )


# -- hierarchy -----------------------------------------------------------------


@dataclass(frozen=True)
class TreeNode:
    concept: str
    label: str
    children: tuple[TreeNode, ...] = ()


def hierarchy(scheme: Scheme | Path | str | None = None) -> list[TreeNode]:
    """The concept tree from the top concepts down, children sorted by label.

    A concept with two broader concepts appears under both (SKOS allows a
    polyhierarchy). A broader cycle would not terminate a browse, so it is cut.
    """
    if not isinstance(scheme, Scheme):
        scheme = load_scheme(scheme)

    def build(iri: str, path: frozenset[str]) -> TreeNode:
        children = tuple(build(c, path | {iri}) for c in scheme.narrower(iri) if c not in path)
        return TreeNode(iri, scheme.concepts[iri].pref_label, children)

    return [build(top, frozenset()) for top in scheme.top_concepts if top in scheme.concepts]
