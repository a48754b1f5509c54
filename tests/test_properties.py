"""Property tests: arbitrary text never crashes the reader, every IRI parses,
and every record read is either mapped or reported."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.rdf.mapping import map_corpus
from kg.rdf.sort import unique_sorted
from kg.read.listing import read_listing
from kg.identity.resolve import resolve
from kg.vocab import DEFAULT_BASE

# Lines that look like parts of a listing, mixed with arbitrary text, so that
# the generator reaches the reader's states and not only its fallbacks.
NASTY = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
FIELD_LINES = st.one_of(
    st.integers(0, 9999).map(lambda y: f"{y} ◽"),
    st.builds(lambda v, i: f"Vol {v} ({i}) ◽", NASTY, NASTY),
    st.builds(lambda a, b: f"pp. {a}-{b}", NASTY.filter(lambda s: s.strip() != ""), NASTY),
    st.just("Author(s):"),
    st.just("..."),
    st.just(""),
    st.builds(lambda n: f"{n} ◽", NASTY),
    st.just("Sign in / Sign up"),
    NASTY,
    st.builds(lambda s: f"Purpose – {s} Findings – {s}", NASTY),
    st.builds(lambda s: f"scholarly journals {s}", NASTY),
)
LISTINGS = st.lists(FIELD_LINES, max_size=40).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LISTINGS)
def test_reader_never_crashes_and_counts_add_up(text):
    result = read_listing(text, "fuzz.txt")
    records_in = sum(1 for p in result.problems if p.skipped) + len(result.records)
    corpus = resolve(result.records, DEFAULT_BASE)
    mapped_sources = {source.source for work in corpus.works for source in work.sources}
    assert len(mapped_sources) == len(result.records)
    assert records_in == len(mapped_sources) + len(result.skipped)
    for problem in result.problems:
        assert 1 <= problem.line <= text.count("\n") + 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LISTINGS)
def test_every_emitted_statement_parses_in_rdflib_and_oxigraph(text):
    result = read_listing(text, "fuzz \"{file}\" <x>.txt")
    lines = unique_sorted(map_corpus(resolve(result.records, DEFAULT_BASE), DEFAULT_BASE))
    data = "".join(lines)
    parsed = list(ox.parse(data.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == len(lines)
    assert len(Graph().parse(data=data, format="nt")) == len(lines)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_reader(text):
    result = read_listing(text, "any.txt")
    assert all(r.year is not None for r in result.records)
