"""The curation file format: each kind of row as read, and every bad row named by file and line."""

from __future__ import annotations

import pytest

from kg.concepts.curated import from_curation
from kg.errors import UsageError
from kg.identity.curation import CurationRow, expand, load_curation
from kg.vocab import DEFAULT_BASE

EVERY_KIND = """\
# a comment
[[correct]]
work = "refs.ris:1"
title = "A title"
year = 2019
pages = "81–92"
doi = "https://doi.org/10.1108/MHSI-02-2014-0003."
volume = 18
who = "Ann"
when = 2026-11-29
note = "from the PDF"

[[same-person]]
names = ["C. Collopy", "Catherine M Collopy"]
who = "Ann"
when = "2026-11-30"

[[not-same-person]]
names = ["J. Smith", "0000-0002-1825-0097"]
who = "Ann"
when = 2026-12-01

[[same-work]]
works = ["refs.ris:1", "10.1000/xyz"]
who = "Bob"
when = 2026-12-02

[[not-same-work]]
works = ["work:smith-2019-abc", "refs.ris:9"]
who = "Bob"
when = 2026-12-03T10:00:00Z

[[concept]]
work = "refs.ris:1"
remove = "kgc:stigma"
who = "Bob"
when = 2026-12-04
"""


def write(tmp_path, text: str):
    path = tmp_path / "curation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_kind_of_row_is_read_with_its_line_and_values(tmp_path):
    path = write(tmp_path, EVERY_KIND)
    file = str(path)
    assert load_curation(path) == [
        CurationRow("correct", file, 2, "Ann", "2026-11-29", "from the PDF", ("refs.ris:1",), (
            ("title", "A title"), ("year", 2019), ("doi", "10.1108/mhsi-02-2014-0003"),
            ("volume", "18"), ("pages", ("81", "92")),
        )),
        CurationRow("same-person", file, 13, "Ann", "2026-11-30", "", ("C. Collopy", "Catherine M Collopy")),
        CurationRow("not-same-person", file, 18, "Ann", "2026-12-01", "", ("J. Smith", "0000-0002-1825-0097")),
        CurationRow("same-work", file, 23, "Bob", "2026-12-02", "", ("refs.ris:1", "10.1000/xyz")),
        CurationRow("not-same-work", file, 28, "Bob", "2026-12-03", "", ("work:smith-2019-abc", "refs.ris:9")),
        CurationRow("concept", file, 33, "Bob", "2026-12-04", "", ("refs.ris:1",), (("remove", "kgc:stigma"),)),
    ]


def test_references_expand_to_what_records_are_compared_with():
    assert expand("work:smith-2019-abc", DEFAULT_BASE) == f"{DEFAULT_BASE}work/smith-2019-abc"
    assert expand("person:julie-repper", DEFAULT_BASE) == f"{DEFAULT_BASE}person/julie-repper"
    assert expand("https://doi.org/10.1108/MHSI-02-2014-0003", DEFAULT_BASE) == "10.1108/mhsi-02-2014-0003"
    assert expand("https://example.org/w/1", DEFAULT_BASE) == "https://example.org/w/1"
    assert expand("refs.ris:12", DEFAULT_BASE) == "refs.ris:12"


def test_concept_rows_become_curated_assignments_with_who_and_when(tmp_path):
    [row] = [r for r in load_curation(write(tmp_path, EVERY_KIND)) if r.kind == "concept"]
    [item] = from_curation([row], DEFAULT_BASE)
    assert (item.paper, item.concept, item.action, item.who, item.when, item.line) == (
        "refs.ris:1", "https://w3id.org/kg/concepts/stigma", "remove", "Bob", "2026-12-04", 33,
    )


ROW = '[[correct]]\nwork = "refs.ris:1"\ntitle = "T"\nwho = "Ann"\nwhen = 2026-11-29\n'


@pytest.mark.parametrize("text, line, message", [
    ("[[fix]]\nwork = 'x'\n", 1, "unknown kind of curation row 'fix'"),
    ("title = 'x'\n", 1, "unknown kind of curation row 'title'"),
    ("# one row\n[correct]\nwork = 'x'\n", 2, "write each correct row as a [[correct]] table"),
    ("\n\ncorrect = [{work = 'x', title = 'T', who = 'A', when = 2026-01-01}]\n", 3, "write each correct row as a [[correct]] table"),
    (ROW + "\n[[correct]]\nwork = 'x'\ntitel = 'T'\nwho = 'A'\nwhen = 2026-01-01\n", 9, "correct rows have no key 'titel'"),
    (ROW.replace('who = "Ann"\n', ""), 1, 'the row needs who = "..."'),
    (ROW.replace("when = 2026-11-29", "when = 'yesterday'"), 5, "when must be a date such as 2026-11-29"),
    (ROW.replace("when = 2026-11-29\n", ""), 1, "the row needs when = YYYY-MM-DD"),
    (ROW.replace('title = "T"', "year = 99"), 3, "year must be a year between 1500 and 2099"),
    (ROW.replace('title = "T"', "doi = 'not a doi'"), 3, "doi 'not a doi' is not a DOI"),
    (ROW.replace('title = "T"\n', ""), 1, "correct rows set at least one of title"),
    ("[[same-person]]\nnames = ['Ann Lee']\nwho = 'A'\nwhen = 2026-01-01\n", 2, "need names = [at least two"),
    ("[[same-work]]\nworks = ['a:1', 'a:1']\nwho = 'A'\nwhen = 2026-01-01\n", 2, "names the same work twice"),
    ("[[concept]]\nwork = 'a:1'\nwho = 'A'\nwhen = 2026-01-01\n", 1, "exactly one of add = or remove ="),
    ("[[concept]]\nwork = 'a:1'\nadd = 'x'\nremove = 'y'\nwho = 'A'\nwhen = 2026-01-01\n", 1, "exactly one of add"),
    (ROW + 'note = "unclosed\n' + ROW, 6, "curation file is not TOML"),
    (ROW + "note = [\n", 6, "curation file is not TOML"),
])
def test_bad_row_is_named_by_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as caught:
        load_curation(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_unknown_concept_is_named_by_file_and_line(tmp_path):
    path = write(tmp_path, "\n[[concept]]\nwork = 'a:1'\nadd = 'kgc:no-such-concept'\nwho = 'A'\nwhen = 2026-01-01\n")
    with pytest.raises(UsageError, match=rf"^{path}:2: unknown concept 'kgc:no-such-concept'$"):
        from_curation(load_curation(path), DEFAULT_BASE)


def test_a_concept_both_added_and_removed_is_refused(tmp_path):
    row = "[[concept]]\nwork = '10.1000/xyz'\n{} = 'kgc:stigma'\nwho = 'A'\nwhen = 2026-01-01\n"
    path = write(tmp_path, row.format("add") + "\n" + row.format("remove"))
    with pytest.raises(UsageError, match=rf"^{path}:7: contradicts {path}:1 \(add 'stigma'\)$"):
        from_curation(load_curation(path), DEFAULT_BASE)
