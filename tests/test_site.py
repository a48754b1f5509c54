"""kg site on the example corpus: the pages, their HTML, their links, the charts.

The browser checks are in tests/test_site_browser.py.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.cli.site import charts
from kg.site import build_site
from kg.site.data import read_site_data
from kg.site.links import check_links
from kg.site.pages import Pages, person_page, work_page
from kg.site.paths import href, page_path
from kg.sinks.store import open_store
from kg.vocab import DEFAULT_BASE

ID = DEFAULT_BASE
REPPER = f"{ID}person/julie-repper"
PUSCHNER_2019 = f"{ID}work/puschner-2019-6f1efec9f9"
CONCHAR_2014 = f"{ID}work/conchar-2014-6fe40b3397"
HODGES_2007 = f"{ID}work/hodges-2007-0336e28305"


@pytest.fixture(scope="module")
def store(example_build):
    return open_store(example_build.store, read_only=True)


@pytest.fixture(scope="module")
def data(store):
    return read_site_data(store)


@pytest.fixture(scope="module")
def site(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(store, out, DEFAULT_BASE, workers=1)
    return out


def main_text(html: str) -> str:
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_example_corpus_has_seven_work_pages(data, site):
    assert len(data.works) == 7
    assert sorted(p.name for p in (site / "work").glob("*.html")) == sorted(
        page_path(iri, DEFAULT_BASE).split("/")[-1] for iri in data.works
    )
    assert "works 7" in main_text((site / "index.html").read_text())


def test_julie_reppers_page_lists_both_her_works(data):
    path, html = person_page(Pages(data, DEFAULT_BASE), REPPER)
    assert path == "person/julie-repper.html"
    assert 'href="../work/puschner-2019-6f1efec9f9.html"' in html
    assert 'href="../work/conchar-2014-6fe40b3397.html"' in html
    assert "Works (2)" in html and "Co-authors (5)" in html
    works_table = html[html.index('id="h-works"'):html.index('id="h-years"')]
    assert works_table.index("2019") < works_table.index("2014")  # newest first


def test_the_truncated_author_list_is_marked(data):
    pages = Pages(data, DEFAULT_BASE)
    _, truncated = work_page(pages, PUSCHNER_2019)
    _, complete = work_page(pages, HODGES_2007)
    assert "Truncated author list" in truncated and "Truncated author list" not in complete
    authors = truncated[truncated.index('id="h-authors"'):truncated.index('id="h-abstract"')]
    assert [m for m in re.findall(r'<li value="(\d)">', authors)] == ["1", "2", "3", "4", "5"]
    assert authors.index("Bernd Puschner") < authors.index("Julie Repper") < authors.index("David Basangwa")


def test_work_page_has_sources_concepts_and_abstract_sections(data):
    _, html = work_page(Pages(data, DEFAULT_BASE), f"{ID}work/collopy-2020-ec3b0156b6")
    text = main_text(html)
    assert "peer-support-listing.txt:48" in text
    for label in ("Background", "Methods", "Results", "Conclusions"):
        assert f"<h3>{label}</h3>" in html
    assert "“Cardiovascular diseases” in the abstract" in text and "machine (label-match)" in text
    assert 'href="../queries/site-assignments.html"' in html  # each table names its query


def test_every_page_parses_as_html5_without_errors(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 150
    for page in pages:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parser.parse(page.read_bytes())  # strict: the first parse error raises
        assert not parser.errors, (page, parser.errors[:3])


def test_every_internal_link_resolves(site):
    report = check_links(site)
    assert report.broken == []
    assert report.links > 1000
    assert report.external == set()  # the example corpus has no DOIs; nothing else leaves the site
    assert f"run/author-works?author={REPPER.replace(':', '%3A').replace('/', '%2F')}" in report.dynamic


def test_every_link_resolves_on_a_graph_with_venues_dois_and_orcids(tmp_path):
    """The example listing names no venue, so its site has no venue page; these
    pages linked to two query pages the site never wrote."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate_graph import generate, load_store

    graph = tmp_path / "generated.nt"
    graph.write_text("".join(generate(30, seed=3)), "utf-8")
    load_store(tmp_path / "store", graph)
    build_site(open_store(tmp_path / "store"), tmp_path / "site", DEFAULT_BASE, workers=1)
    assert any((tmp_path / "site" / "venue").rglob("*.html"))
    report = check_links(tmp_path / "site")
    assert report.broken == []


def test_the_link_checker_finds_a_broken_link_and_fragment(tmp_path):
    (tmp_path / "index.html").write_text('<a href="a.html">a</a><a href="#gone">b</a><a id="here" href="#here">c</a>')
    (tmp_path / "a.html").write_text('<a href="index.html#here">ok</a><a href="index.html#nope">x</a><a href="b.html">y</a>')
    assert sorted(check_links(tmp_path).broken) == [("a.html", "b.html"), ("a.html", "index.html#nope"), ("index.html", "#gone")]


def test_no_page_loads_anything_from_the_network(site):
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert not re.search(r'(src|href)="(https?:)?//(?!doi\.org/)', html), page


def test_charts_have_marks_and_a_text_alternative(site):
    home = (site / "index.html").read_text()
    assert home.count("<svg") == 3  # works per year, top concepts, co-occurrence
    assert 'class="mark-rect role-mark' in home
    figure = home[home.index('aria-labelledby="cap-years"'):]
    assert "<table" in figure[:figure.index("</figure>")]  # the numbers as a table beside the chart
    repper = (site / "person/julie-repper.html").read_text()
    assert repper.count('class="mark-edge"') == 11 and repper.count('class="mark-node"') == 6


def test_the_same_store_gives_the_same_files(store, site, tmp_path):
    again = tmp_path / "again"
    build_site(store, again, DEFAULT_BASE, workers=1)

    def digest(folder):
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}

    assert digest(again) == digest(site)


def test_a_rebuild_replaces_the_site_and_refuses_a_foreign_folder(store, tmp_path):
    out = tmp_path / "site"
    build_site(store, out, DEFAULT_BASE, workers=1)
    (out / "stale.html").write_text("old")
    build_site(store, out, DEFAULT_BASE, workers=1)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="does not hold a kg site"):
        build_site(store, foreign, DEFAULT_BASE, workers=1)
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-built site left


def test_search_index_lists_titles_names_and_concepts(site):
    index = (site / "static/search-index.js").read_text()
    assert index.startswith("window.KG_SEARCH = ")
    assert '["person","Julie Repper","person/julie-repper.html"]' in index
    assert '["concept","peer support","concept/peer-support.html"]' in index


def test_kg_site_command_with_a_validation_report(example_build, tmp_path):
    report = tmp_path / "report.json"
    report.write_text('{"conforms": false, "counts": {"violation": 1, "warning": 2}, "results": ['
                      '{"severity": "violation", "message": "The paper has no title."}]}')
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "--store", str(example_build.store), "-o", str(out), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and "7 work" in result.stderr
    text = main_text((out / "index.html").read_text())
    assert "does not conform" in text and "1 violation, 2 warnings." in text and "The paper has no title." in text
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    refused = CliRunner().invoke(cli, ["site", "--store", str(example_build.store), "-o", str(out), "--report", str(bad)])
    assert refused.exit_code == 2 and "is not a `kg validate --format json` report" in refused.stderr


@pytest.mark.parametrize("name", sorted(charts()))
def test_kg_plot_writes_svg_and_png(example_build, tmp_path, name):
    params = ["-p", "concept", "kgc:peer-support"] if name == "concept-coauthors" else []
    svg, png = tmp_path / "chart.svg", tmp_path / "chart.png"
    for target in (svg, png):
        result = CliRunner().invoke(cli, ["plot", name, "--store", str(example_build.store), "-o", str(target), *params])
        assert result.exit_code == 0, result.output
    assert svg.read_text().startswith("<svg") and re.search(r'class="mark-(rect|bar|edge|node)', svg.read_text())
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_kg_plot_refuses_an_unknown_format_and_a_missing_parameter(example_build, tmp_path):
    wrong = CliRunner().invoke(cli, ["plot", "works-per-year", "--store", str(example_build.store), "-o", str(tmp_path / "a.gif")])
    assert wrong.exit_code == 2 and ".svg or .png" in wrong.stderr
    missing = CliRunner().invoke(cli, ["plot", "concept-coauthors", "--store", str(example_build.store), "-o", str(tmp_path / "a.svg")])
    assert missing.exit_code == 2 and "needs -p concept IRI" in missing.stderr
    assert not (tmp_path / "a.svg").exists()
    ignored = CliRunner().invoke(cli, ["plot", "concept-cooccurrence", "--store", str(example_build.store),
                                       "-p", "concept", "kgc:peer-support", "-o", str(tmp_path / "a.svg")])
    assert ignored.exit_code == 2 and "unknown parameter 'concept' for this chart" in ignored.stderr
    unknown = CliRunner().invoke(cli, ["plot", "pie", "--store", str(example_build.store), "-o", str(tmp_path / "a.svg")])
    assert unknown.exit_code == 2 and "no chart named 'pie'; charts: concept-coauthors, " in unknown.stderr


def test_kg_plot_help_lists_every_chart_with_its_summary():
    shown = CliRunner().invoke(cli, ["plot", "--help"])
    assert shown.exit_code == 0
    for name in charts():
        assert re.search(rf"^\s+{re.escape(name)}\s+\S", shown.output, re.MULTILINE), name


def test_kg_starts_without_loading_the_chart_libraries():
    # Importing altair and vl-convert at start made every kg command 0.6 s slower,
    # and a Ctrl-C in that window killed the process before kg could answer it.
    import subprocess
    import sys

    probe = "import sys, kg.cli; print(sorted(m for m in ('altair', 'vl_convert', 'networkx') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("source", ["index.html", "search.html", "work/a.html", "work/doi/b.html", "concept/c.html", "other/x.org/a/b.html"])
def test_relative_links_equal_posixpath_relpath(source):
    import posixpath

    for target in ("index.html", "work/a.html", "work/doi/b.html", "work/doi/c.html", "other/x.org/a/d.html", "static/site.css"):
        expected = posixpath.basename(target) if source == target else posixpath.relpath(target, posixpath.dirname(source) or ".")
        assert href(source, target) == expected


def test_site_is_byte_identical_under_two_hash_seeds(example_build, tmp_path):
    """Regression: networkx's subgraph views gave the nodes of a concept's
    co-author groups in set order, so the drawn networks moved between runs."""
    import os
    import subprocess
    import sys

    digests = []
    for seed in ("1", "999"):
        out = tmp_path / f"site-{seed}"
        subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "site", "--store", str(example_build.store),
                        "-o", str(out), "-q", "--workers", "1"], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        digests.append({p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in out.rglob("*") if p.is_file()})
    assert digests[0] == digests[1]
