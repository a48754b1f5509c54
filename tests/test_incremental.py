"""Incremental builds: what a rebuild reads again and how it updates the store,
and that the result is byte-identical to a clean build after every edit."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg.read.cache
import kg.resources
from kg.cli import cli
from kg.concepts.scheme import _load_scheme_cached
from kg.sinks.increment import difference, kept_statements, load_last_build
from kg.rdf.sort import SortedStatements
from kg.sinks import store as store_module
from kg.sinks.store import current_generation, open_store, replace_contents

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "peer-support" / "peer-support-listing.txt"
MERGE = ROOT / "tests" / "data" / "merge"
REVIEW = ROOT / "tests" / "data" / "review"
CURATION = ROOT / "examples" / "curation" / "curation.toml"


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the files a build parses (rather than takes from the cache)."""
    parsed: list[str] = []
    real = kg.read.cache.read_path

    def spy(path, name, format):
        parsed.append(name)
        return real(path, name, format)

    monkeypatch.setattr(kg.read.cache, "read_path", spy)
    return parsed


def build(corpus: Path, store: Path, output: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["build", str(corpus / "in"), "--store", str(store), "-o", str(output),
                                      "--curation", str(corpus / "curation.toml"), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def dump(store: Path) -> bytes:
    return open_store(store).dump(format=ox.RdfFormat.N_QUADS)


def assert_same_as_a_clean_build(corpus: Path, store: Path, output: Path, *extra: str) -> None:
    clean = corpus / f"clean-{len(list(corpus.glob('clean-*')))}"
    clean.mkdir()
    build(corpus, clean / "store", clean / "graph.nt", *extra)
    assert output.read_bytes() == (clean / "graph.nt").read_bytes()
    assert dump(store) == dump(clean / "store")


@pytest.fixture
def corpus(tmp_path) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for source in (EXAMPLE, MERGE / "day-in-the-life.ris", MERGE / "day-in-the-life.bib", REVIEW / "pubmed.ris"):
        shutil.copy(source, inputs / source.name)
    shutil.copy(CURATION, tmp_path / "curation.toml")
    return tmp_path


def scheme_copy(tmp_path: Path, monkeypatch, edit) -> None:
    """Make kg read its ontology from a copy edited by ``edit``, as a user
    editing the concept scheme of a checkout would."""
    ontology = tmp_path / "ontology"
    shutil.copytree(kg.resources.ontology_dir(), ontology)
    concepts = ontology / "concepts.ttl"
    concepts.write_text(edit(concepts.read_text("utf-8")), "utf-8")
    real = kg.resources.data_dir
    monkeypatch.setattr(kg.resources, "data_dir", lambda name: ontology if name == "ontology" else real(name))
    _load_scheme_cached.cache_clear()


def test_each_edit_rebuilds_only_what_changed_and_gives_a_clean_builds_bytes(corpus, reads, monkeypatch):
    store, output = corpus / "store", corpus / "graph.nt"
    inputs = corpus / "in"

    said = build(corpus, store, output)
    assert sorted(reads) == ["day-in-the-life.bib", "day-in-the-life.ris", "peer-support-listing.txt", "pubmed.ris"]
    assert said.rstrip().endswith(f"wrote store {store} and file {output}")  # a first build says nothing more
    steps = [output.read_bytes()]

    def step(expected_reads: list[str]) -> str:
        reads.clear()
        said = build(corpus, store, output)
        assert sorted(reads) == expected_reads
        assert "(updated: " in said, said
        assert output.read_bytes() not in steps, "the edit changed nothing in the graph"
        steps.append(output.read_bytes())
        parsed_now = list(reads)
        assert_same_as_a_clean_build(corpus, store, output)
        reads[:] = parsed_now
        return said

    # add a file (a CSL-JSON export of works the RIS and BibTeX files hold)
    shutil.copy(MERGE / "day-in-the-life.json", inputs / "day-in-the-life.json")
    said = step(["day-in-the-life.json"])
    assert "4 of 5 input file(s) unchanged since the last build, not read again" in said

    # change a record
    ris = inputs / "pubmed.ris"
    text = ris.read_text("utf-8")
    first_title = next(line for line in text.splitlines() if line.startswith("TI  - "))
    ris.write_text(text.replace(first_title, first_title + " revisited", 1), "utf-8")
    step(["pubmed.ris"])

    # delete a file
    (inputs / "day-in-the-life.bib").unlink()
    step([])

    # change the concept scheme
    scheme_copy(corpus, monkeypatch, lambda text: text.replace(
        '"A person employed (paid or voluntary) in a service', '"Someone employed (paid or voluntary) in a service'))
    step([])

    # change a curation row
    curation = corpus / "curation.toml"
    curation.write_text(curation.read_text("utf-8").replace(
        'venue = "Mental Health and Social Inclusion"', 'venue = "Mental Health & Social Inclusion"'), "utf-8")
    step([])

    # and nothing at all
    generation = current_generation(store)
    written = output.stat().st_ino  # the file is replaced by a new one whenever it is written
    reads.clear()
    said = build(corpus, store, output)
    assert reads == []
    assert said.startswith("nothing changed since the last build")
    assert "kept store" in said and "(unchanged)" in said
    assert current_generation(store) == generation
    assert output.read_bytes() == steps[-1]
    assert output.stat().st_ino == written  # the hash kept while writing it matched: not written again


def test_full_reads_everything_and_loads_the_store_whole(corpus, reads):
    store, output = corpus / "store", corpus / "graph.nt"
    build(corpus, store, output)
    reads.clear()
    said = build(corpus, store, output, "--full")
    assert len(reads) == 4
    assert "(updated" not in said and "nothing changed" not in said
    assert said.rstrip().endswith(f"wrote store {store} and file {output}")
    reads.clear()
    assert build(corpus, store, output).startswith("nothing changed")  # --full refreshed the cache
    assert reads == []


def test_a_store_written_by_something_else_since_is_loaded_whole_not_patched(corpus, reads):
    """`kg enrich` and `kg prisma --screening` write the store without the
    build cache; the next build must not patch their graph as if it were the last build's."""
    store, output = corpus / "store", corpus / "graph.nt"
    build(corpus, store, output)
    other = SortedStatements()
    other.extend(["<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"])
    replace_contents(store, other.finish())
    said = build(corpus, store, output)
    assert "(loaded whole: the store was written by another command since the last build)" in said
    assert_same_as_a_clean_build(corpus, store, output)


def test_an_output_file_edited_since_the_last_build_is_written_again(corpus):
    store, output = corpus / "store", corpus / "graph.nt"
    build(corpus, store, output)
    written = output.read_bytes()
    output.write_bytes(written[: len(written) // 2])
    said = build(corpus, store, output)
    assert said.startswith("nothing changed")
    assert output.read_bytes() == written
    turtle = corpus / "graph.ttl"
    build(corpus, store, turtle)  # another output file: the graph is written from the kept statements
    assert ox.Dataset(ox.parse(path=str(turtle))) == ox.Dataset(ox.parse(path=str(output)))


def test_a_cache_entry_cut_short_is_read_from_the_file_again(corpus, reads):
    store, output = corpus / "store", corpus / "graph.nt"
    build(corpus, store, output)
    for entry in (store / "cache" / "records").iterdir():
        entry.write_bytes(entry.read_bytes()[:100])
    (corpus / "in" / "extra.ris").write_text("TY  - JOUR\nTI  - A new paper on peer support\nPY  - 2020\nER  - \n")
    reads.clear()
    build(corpus, store, output)
    assert len(reads) == 5
    assert_same_as_a_clean_build(corpus, store, output)


def test_renaming_a_file_rereads_it_under_its_new_name(corpus, reads):
    """The name a file goes by is in its records' sources, so a cache entry is
    keyed by name as well as content."""
    store, output = corpus / "store", corpus / "graph.nt"
    build(corpus, store, output)
    (corpus / "in" / "pubmed.ris").rename(corpus / "in" / "medline-search.ris")
    reads.clear()
    build(corpus, store, output)
    assert reads == ["medline-search.ris"]
    assert b"medline-search.ris" in output.read_bytes()
    assert_same_as_a_clean_build(corpus, store, output)


def test_no_store_builds_keep_no_cache(tmp_path):
    output = tmp_path / "graph.nt"
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--no-store", "-o", str(output)],
                                env={"KG_STORE": str(tmp_path / "store")})
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "store").exists()


def test_difference_of_two_sorted_line_streams():
    old = ["a\n", "b\n", "d\n", "f\n"]
    new = ["b\n", "c\n", "d\n", "g\n", "h\n"]
    assert difference(old, new, limit=10) == (["a\n", "f\n"], ["c\n", "g\n", "h\n"])
    assert difference(old, old, limit=0) == ([], [])
    assert difference([], new, limit=10) == ([], new)
    assert difference(old, new, limit=4) is None


def test_an_update_interrupted_before_the_switch_keeps_the_last_graph_and_the_next_build_recovers(corpus, monkeypatch):
    store, output = corpus / "store", corpus / "graph.nt"
    build(corpus, store, output)
    before = dump(store)
    (corpus / "in" / "pubmed.ris").unlink()
    real = store_module._patch

    def patch_then_interrupt(*args):
        real(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "_patch", patch_then_interrupt)
    result = CliRunner().invoke(cli, ["build", str(corpus / "in"), "--store", str(store), "-o", str(output),
                                      "--curation", str(corpus / "curation.toml"), "-q"])
    assert result.exit_code == 3, result.output
    assert "still holds the previous graph" in result.output
    assert dump(store) == before
    assert not [p.name for p in store.iterdir() if p.name.startswith("building-")]
    monkeypatch.setattr(store_module, "_patch", real)
    assert "(updated: " in build(corpus, store, output)
    assert_same_as_a_clean_build(corpus, store, output)


def test_a_file_edited_while_it_is_read_is_not_cached_under_its_old_contents(corpus, monkeypatch):
    """Otherwise putting the old bytes back would bring back the edited file's records."""
    store, output = corpus / "store", corpus / "graph.nt"
    ris = corpus / "in" / "pubmed.ris"
    original = ris.read_text("utf-8")
    real = kg.read.cache.read_path

    def edit_while_reading(path, name, format):
        if path.name == "pubmed.ris":
            path.write_text(original.replace("TI  - ", "TI  - Edited: ", 1), "utf-8")
        return real(path, name, format)

    monkeypatch.setattr(kg.read.cache, "read_path", edit_while_reading)
    assert "warning: pubmed.ris: changed while kg read it; the next build reads it again" in build(corpus, store, output)
    monkeypatch.setattr(kg.read.cache, "read_path", real)
    ris.write_text(original, "utf-8")
    build(corpus, store, output)
    assert b"Edited: " not in output.read_bytes()
    assert_same_as_a_clean_build(corpus, store, output)


def test_a_difference_the_update_parser_refuses_falls_back_to_a_whole_load(corpus, monkeypatch):
    """The bulk loader is lenient and SPARQL's parser is not: a line it refuses
    must not fail a build that a whole load would finish."""
    store, output = corpus / "store", corpus / "graph.nt"
    build(corpus, store, output)
    (corpus / "in" / "pubmed.ris").unlink()
    real = store_module._patch
    monkeypatch.setattr(store_module, "_patch", lambda base, folder, deletions, insertions: real(
        base, folder, deletions, [*insertions, "<not an iri> <x> <y> .\n"]))
    said = build(corpus, store, output)
    assert "(loaded whole: cannot write the store at" in said and "the difference did not apply" in said
    assert not [p.name for p in store.iterdir() if p.name.startswith("building-")]
    assert_same_as_a_clean_build(corpus, store, output)


@pytest.mark.parametrize("changed", [["--base", "https://example.org/other/"], ["--no-tag"],
                                     ["--source-label", "PubMed=in/pubmed.ris"], ["--format", "ris"]])
def test_a_changed_setting_is_not_taken_for_nothing_changed(corpus, changed, monkeypatch):
    store, output = corpus / "store", corpus / "graph.nt"
    monkeypatch.chdir(corpus)
    if changed == ["--format", "ris"]:  # every input must be RIS to read as RIS
        for other in ("peer-support-listing.txt", "day-in-the-life.bib"):
            (corpus / "in" / other).unlink()
    build(corpus, store, output)
    assert build(corpus, store, output).startswith("nothing changed")
    said = build(corpus, store, output, *changed)
    assert not said.startswith("nothing changed")
    assert_same_as_a_clean_build(corpus, store, output, *changed)



def test_the_kept_statements_are_the_sort_runs_linked_not_copied(tmp_path):
    from kg.pipeline import build_graph, write_outputs
    from kg.vocab import DEFAULT_BASE

    built = build_graph([EXAMPLE], DEFAULT_BASE, store=tmp_path / "store", run_size=300)
    write_outputs(built, store=tmp_path / "store", output=None)
    lines = built.lines
    kept = sorted((tmp_path / "store" / "cache" / current_generation(tmp_path / "store")).iterdir())
    assert len(kept) == len(built.statements.files) > 1  # the store loaded the runs: they were never merged
    assert all(k.samefile(run) for k, run in zip(kept, built.statements.files))
    built.statements.close()  # the build's own names go; the cache keeps the files
    cache = tmp_path / "store" / "cache"
    again = kept_statements(cache, load_last_build(cache))
    assert list(again) == lines and again.count == built.summary.triples == len(set(lines))


def test_the_kept_statements_are_copied_where_a_link_cannot_be_made(tmp_path, monkeypatch):
    from kg.pipeline import build_graph, write_outputs
    from kg.vocab import DEFAULT_BASE

    real = os.link

    def cross_device(source, target, **fds):
        if fds:  # atomic_output naming its anonymous file (O_TMPFILE), in the same folder
            return real(source, target, **fds)
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    built = build_graph([EXAMPLE], DEFAULT_BASE, store=tmp_path / "store", run_size=1000)
    write_outputs(built, store=tmp_path / "store", output=None)
    kept = tmp_path / "store" / "cache" / current_generation(tmp_path / "store")
    assert [p.name for p in kept.iterdir()] == ["00000.nt"]  # the runs, merged into one sorted file
    assert (kept / "00000.nt").read_text("utf-8") == "".join(built.lines)
    assert not list(kept.parent.glob(".*.keep"))


def test_a_build_compares_with_the_runs_the_last_build_kept_and_keeps_one_file(corpus):
    from kg.pipeline import build_graph, write_outputs
    from kg.vocab import DEFAULT_BASE

    store, inputs = corpus / "store", sorted((corpus / "in").iterdir())
    first = build_graph(inputs[:3], DEFAULT_BASE, store=store, run_size=300)
    write_outputs(first, store=store, output=None)
    assert len(first.statements.files) > 1  # loaded whole, early: the runs kept as they are
    killed = store / "cache" / ".g-000042.keep"  # what a build killed while keeping its statements leaves
    killed.mkdir()
    (killed / "00000.nt").write_bytes(b"")

    second = build_graph(inputs, DEFAULT_BASE, store=store, run_size=300)
    write_outputs(second, store=store, output=corpus / "graph.nt")
    assert second.summary.store_change.startswith("updated: ")  # the difference from the merged runs
    assert [p.name for p in (store / "cache" / current_generation(store)).iterdir()] == ["00000.nt"]
    assert sorted(p.name for p in (store / "cache").glob("g-*")) == [current_generation(store)]
    assert not killed.exists()

    clean = build_graph(inputs, DEFAULT_BASE, store=corpus / "clean", run_size=300)
    write_outputs(clean, store=corpus / "clean", output=corpus / "clean.nt")
    assert dump(store) == dump(corpus / "clean")
    assert (corpus / "graph.nt").read_bytes() == (corpus / "clean.nt").read_bytes()


def test_a_cache_an_earlier_kg_kept_in_one_sorted_file_is_compared_with_and_replaced(corpus):
    # Before the sort's runs were kept, the cache held each build's statements as one file, g-NNNNNN.nt.
    import pickle
    from dataclasses import replace

    from kg.pipeline import build_graph, write_outputs
    from kg.vocab import DEFAULT_BASE

    store, inputs, cache = corpus / "store", sorted((corpus / "in").iterdir()), corpus / "store" / "cache"
    write_outputs(build_graph(inputs[:3], DEFAULT_BASE, store=store), store=store, output=None)
    last = load_last_build(cache)
    folder = cache / last.statements
    (cache / f"{last.statements}.nt").write_bytes((folder / "00000.nt").read_bytes())
    shutil.rmtree(folder)
    with open(cache / "last-build.pickle", "wb") as out:
        pickle.dump(replace(last, statements=f"{last.statements}.nt"), out)

    changed = build_graph(inputs, DEFAULT_BASE, store=store)
    write_outputs(changed, store=store, output=None)
    assert changed.summary.store_change.startswith("updated: ")
    assert sorted(p.name for p in cache.glob("g-*")) == [current_generation(store)]
    clean = build_graph(inputs, DEFAULT_BASE, store=corpus / "clean")
    write_outputs(clean, store=corpus / "clean", output=None)
    assert dump(store) == dump(corpus / "clean")
