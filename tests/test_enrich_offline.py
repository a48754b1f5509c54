"""`kg enrich --from DUMP` on real records: rendered as thin listings, completed from a dump with near misses.

Real records of the shared exports (each read with kg's readers) are the
truth. They are printed as ScienceGate listing records without title, venue
or DOI and with at most five authors (``benchmarks/listing_render.py``), built,
and enriched from a gzipped JSON Lines dump that holds each work (OpenAlex
works as OpenAlex wrote them, the others as Crossref works) and near misses:
the same first author in another year, the same journal and year at other
pages, and a preprint of a published work. Every filled value must be the
truth (wrong fills 0), and most gaps must be filled.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner
from exports import exports, exports_dir  # noqa: F401 - the fixture

from benchmarks.listing_render import load_records, render
from kg.cli import cli
from kg.enrich.run import current_corpus
from kg.enrich.saved import enrich_dir, read_manifest
from kg.identity.works import family_key
from kg.model import Corpus, Record
from kg.read.crossref import read_crossref
from kg.text import fold

OPENALEX_WORKS = "openalex_json/synergy-dataset__Oud_2018__works_1.zip__works_0_25.json"


def crossref_work(record: Record, **changes) -> dict:
    """A Crossref REST work holding what ``record`` says."""
    work = {
        "DOI": record.doi,
        "type": "journal-article",
        "title": [record.title],
        "container-title": [record.venue.title] if record.venue and record.venue.title else [],
        "issued": {"date-parts": [[record.year]]},
        "volume": record.volume,
        "issue": record.issue,
        "page": "-".join(p for p in (record.first_page, record.last_page) if p),
        "author": [{"given": a.given, "family": a.family} if a.family else {"name": a.name} for a in record.authors],
    }
    work.update(changes)
    return {k: v for k, v in work.items() if v is not None}


def chosen_records(exports: Path) -> list[Record]:
    """One record per DOI with everything matching needs, in a fixed order."""
    seen, chosen = set(), []
    for record in load_records(exports):
        if record.doi and record.volume and record.first_page and record.authors and record.title:
            if record.doi not in seen:
                seen.add(record.doi)
                chosen.append(record)
    return chosen


def near_misses(records: list[Record]) -> list[dict]:
    """Works that agree with some of ``records`` on part of the evidence only."""
    misses = []
    for n, record in enumerate(records):
        pages = (str(int(record.first_page) + 100), None) if record.first_page.isdigit() else ("999", None)
        if n % 3 == 0:  # the same first author, another year, another paper
            misses.append(crossref_work(record, DOI=f"10.9999/other-year.{n}", title=[f"Another study {n}"],
                                        issued={"date-parts": [[record.year + 1]]}))
        if n % 3 == 1:  # the same journal, year and volume, other pages and authors
            misses.append(crossref_work(record, DOI=f"10.9999/other-pages.{n}", title=[f"A neighbour {n}"],
                                        page=pages[0], author=[{"given": "Ann", "family": "Other"}]))
        if n % 5 == 0:  # the preprint of the published version
            misses.append(crossref_work(record, DOI=f"10.31234/osf.io/pre{n}", type="posted-content",
                                        volume=None, issue=None, page=None, **{"container-title": ["PsyArXiv"]}))
    return misses


def write_dump(path: Path, records: list[Record], exports: Path) -> None:
    raw_openalex = {w["doi"].removeprefix("https://doi.org/").lower(): w
                    for w in json.loads((exports / OPENALEX_WORKS).read_text("utf-8")) if w.get("doi")}
    lines = []
    for record in records:
        work = raw_openalex.get(record.doi) if record.source.format == "openalex" else None
        lines.append(work or crossref_work(record))
    lines += near_misses(records)
    random.Random(1).shuffle(lines)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line) + "\n")


def field_values(record: Record) -> dict[str, object]:
    return {
        "title": fold(record.title or "") or None,
        "doi": record.doi,
        "venue": fold(record.venue.title) if record.venue and record.venue.title else None,
        "authors": tuple(family_key(a.family or a.name) for a in record.authors),
    }


class Enriched(NamedTuple):
    folder: Path
    store: str
    truth: list[Record]
    report: dict
    corpus: Corpus


@pytest.fixture(scope="module")
def enriched(tmp_path_factory):
    exports = exports_dir()
    if exports is None:
        pytest.skip("../shared/corpus/exports not present (a user's clone)")
    folder = tmp_path_factory.mktemp("enrich")
    truth = chosen_records(exports)
    rng = random.Random(0)
    text, _ = render([replace(r, title=None) for r in truth], rng)
    (folder / "listing.txt").write_text(text, "utf-8")
    write_dump(folder / "dump.jsonl.gz", truth, exports)
    runner = CliRunner()
    store = str(folder / ".kg" / "store")
    built = runner.invoke(cli, ["build", str(folder / "listing.txt"), "--store", store, "-q", "--no-tag"])
    assert built.exit_code == 0, built.output
    runner.invoke(cli, ["export", "--store", store, "-o", str(folder / "before.nt")])
    result = runner.invoke(cli, ["enrich", "--store", store, "--from", str(folder / "dump.jsonl.gz"), "--format", "json"])
    assert result.exit_code == 0, result.output
    corpus = current_corpus(read_manifest(enrich_dir(store)), enrich_dir(store))
    return Enriched(folder, store, truth, json.loads(result.stdout), corpus)


def test_enrich_from_a_dump_fills_gaps_and_never_a_wrong_value(enriched):
    folder, store, truth, report, corpus = enriched  # noqa: RUF059 - some unused
    listing_works = [w for w in corpus.works if any(s.source.file.endswith("listing.txt") for s in w.sources)]
    assert len(listing_works) == len(truth)
    in_order = sorted(
        ((s, w) for w in listing_works for s in w.sources if s.source.file.endswith("listing.txt")),
        key=lambda pair: pair[0].source.line,
    )
    assert [s.year for s, _ in in_order] == [r.year for r in truth]  # listing record i is truth i
    gaps = recovered = wrong = 0
    for (listing, work), expected in zip(in_order, truth):
        before, after = field_values(listing), field_values(work.record)
        for name in ("title", "doi", "venue", "authors"):
            missing = before[name] is None or (name == "authors" and listing.authors_truncated)
            if not missing:
                continue
            gaps += 1
            if after[name] == before[name]:
                continue
            if after[name] != field_values(expected)[name]:
                wrong += 1
            else:
                recovered += 1
    assert wrong == 0
    assert report["matched"] == sum(1 for w in listing_works if any(s.source.retrieved for s in w.sources))
    # 406 works, each without title, venue and DOI, 102 with a cut author list: every gap filled
    assert (recovered, gaps) == (1320, 1320)
    assert report["filled"] == {"title": 406, "venue": 406, "doi": 406, "authors": 102, "abstract": 6}
    assert report["looked_up"] == len(truth)
    assert report["not_found"] + report["matched"] + len({r["work"] for r in report["needs_review"]}) == len(truth)


def test_near_misses_and_preprints_are_never_merged(enriched):
    folder, store, truth, report, corpus = enriched  # noqa: RUF059 - some unused
    dois = {w.record.doi for w in corpus.works}
    assert not {d for d in dois if d and d.startswith(("10.9999/", "10.31234/"))}
    sources = [s.source.file for w in corpus.works for s in w.sources if s.source.retrieved]
    assert not [s for s in sources if "10.9999" in s or "10.31234" in s]
    assert len(sources) == len(set(sources)) == report["matched"]


def test_truncated_author_lists_are_completed_and_unmarked(enriched):
    folder, store, truth, report, corpus = enriched  # noqa: RUF059 - some unused
    long = [w for w in corpus.works if any(s.authors_truncated for s in w.sources)]
    assert long  # the renderer cut every list longer than five
    completed = [w for w in long if any(s.source.retrieved for s in w.sources)]
    assert completed and all(not w.record.authors_truncated and len(w.record.authors) > 5 for w in completed)


def test_rebuild_after_enrich_is_byte_identical_without_network(enriched, monkeypatch):
    folder, store, truth, report, corpus = enriched  # noqa: RUF059 - some unused
    import httpx

    def refuse(*args, **kwargs):
        raise AssertionError("the network was asked")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    runner = CliRunner()
    first = runner.invoke(cli, ["export", "--store", store, "-o", str(folder / "after-enrich.nt")])
    assert first.exit_code == 0, first.output
    rebuilt = runner.invoke(cli, ["build", str(folder / "listing.txt"), "--store", store, "-q", "--no-tag"])
    assert rebuilt.exit_code == 0, rebuilt.output
    runner.invoke(cli, ["export", "--store", store, "-o", str(folder / "after-rebuild.nt")])
    after = (folder / "after-enrich.nt").read_bytes()
    assert after == (folder / "after-rebuild.nt").read_bytes()
    assert after != (folder / "before.nt").read_bytes()
    assert b"<https://w3id.org/kg/ns#retrievedAt>" in after and b"<https://w3id.org/kg/ns#retrievedFrom>" in after


def test_crossref_reader_reads_json_lines_of_crossref_and_openalex_works(exports):  # noqa: F811
    openalex = json.loads((exports / OPENALEX_WORKS).read_text("utf-8"))[:2]
    crossref = json.loads((exports / "crossref_json/habanero-cassette-body__works__10.1371_journal.pone.0033693.json")
                          .read_text("utf-8"))["message"]
    text = "\n".join(json.dumps(w) for w in [crossref, *openalex]) + "\nnot json\n"
    result = read_crossref(text, "works.jsonl")
    assert [(r.source.format, r.source.line, r.doi) for r in result.records] == [
        ("crossref", 1, "10.1371/journal.pone.0033693"),
        ("openalex", 2, openalex[0]["doi"].removeprefix("https://doi.org/").lower()),
        ("openalex", 3, openalex[1]["doi"].removeprefix("https://doi.org/").lower()),
    ]
    assert [(p.line, p.skipped) for p in result.problems] == [(4, True)]


def test_enrich_before_any_build_or_with_two_sources_is_a_usage_error(tmp_path):
    runner = CliRunner()
    store = str(tmp_path / ".kg" / "store")
    result = runner.invoke(cli, ["enrich", "--store", store, "--from", __file__])
    assert result.exit_code == 2 and "no build recorded" in result.stderr
    result = runner.invoke(cli, ["enrich", "--store", store, "--from", __file__, "--source", "crossref"])
    assert result.exit_code == 2 and "give --from or --source, not both" in result.stderr


def test_saved_matches_whose_record_is_gone_are_reported_by_build(enriched, tmp_path):
    folder, store, truth, report, corpus = enriched  # noqa: RUF059 - some unused
    other = tmp_path / "other.txt"
    other.write_text((folder / "listing.txt").read_text("utf-8").split("\n\n\n")[0] + "\n", "utf-8")
    result = CliRunner().invoke(cli, ["build", str(other), "--store", store, "--no-tag", "-o", str(tmp_path / "x.nt"),
                                      "--no-store"])
    assert result.exit_code == 0, result.output
    gone = [line for line in result.stderr.splitlines() if "names no record of this build; not used" in line]
    assert len(gone) == report["matched"]


def test_a_dump_can_be_an_api_answer_with_message_items(tmp_path):
    exports = exports_dir()
    if exports is None:
        pytest.skip("../shared/corpus/exports not present (a user's clone)")
    answer = exports / "crossref_json/habanero-cassette-body__members_98_works_rows5__work-list.json"
    records = read_crossref(answer.read_text("utf-8"), answer.name).records
    text, _ = render([replace(r, title=None) for r in records], random.Random(0))
    (tmp_path / "listing.txt").write_text(text, "utf-8")
    runner, store = CliRunner(), str(tmp_path / "store")
    assert runner.invoke(cli, ["build", str(tmp_path / "listing.txt"), "--store", store, "-q", "--no-tag"]).exit_code == 0
    result = runner.invoke(cli, ["enrich", "--store", store, "--from", str(answer), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["looked_up"], report["matched"], report["filled"]["doi"]) == (5, 5, 5)
    saved = (tmp_path / "enrich" / "matched.jsonl").read_text("utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in saved) == sorted(f"https://doi.org/{r.doi}" for r in records)


def test_records_from_a_dump_were_retrieved_when_the_dump_was_written(enriched):
    """Not at the time of the run: enriching again from the same dump must not
    change the graph (it did, by the clock)."""
    import re
    import time

    from kg.enrich.found import utc_stamp

    exported = enriched.folder / "retrieved.nt"
    assert CliRunner().invoke(cli, ["export", "--store", enriched.store, "-o", str(exported)]).exit_code == 0
    stamps = set(re.findall(r'<https://w3id.org/kg/ns#retrievedAt> "([^"]+)"', exported.read_text("utf-8")))
    written = utc_stamp(time.gmtime((enriched.folder / "dump.jsonl.gz").stat().st_mtime))
    assert stamps == {written}
