"""split_structured_abstract(): which openings make an abstract structured, and where it splits."""

from __future__ import annotations

import pytest

from kg.read.abstracts import split_structured_abstract


def labels(text: str) -> list[str]:
    found = split_structured_abstract(text)
    return [section.label for section in found[1]] if found else []


def test_pubmed_headings_in_capitals_split():
    # PubMed (and Zotero's RIS from it) prints the labels in capitals
    text = ("BACKGROUND: Patients with IBD suffer. METHODS: A scoping review was conducted. "
            "RESULTS: 13 articles. CONCLUSION: Exercise is safe.")
    assert labels(text) == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSION"]
    body, sections = split_structured_abstract(text)
    assert body == text and sections[1].text == "A scoping review was conducted."


def test_purpose_and_method_headings_with_colons_split():
    text = "Purpose: Self-compassion helps. Method: A cross-sectional design. Results: It did. Conclusion: Good."
    assert labels(text) == ["Purpose", "Method", "Results", "Conclusion"]


def test_any_heading_in_capitals_splits_once_the_text_opens_in_capitals():
    # Cochrane's labels, as OpenAlex rebuilds them: not in the heading list
    text = ("BACKGROUND: BPD is common. SEARCH STRATEGY: We searched 26 databases. "
            "DATA COLLECTION AND ANALYSIS: We extracted data. MAIN RESULTS: Seven studies. "
            "AUTHORS CONCLUSIONS: Too few.")
    assert labels(text) == ["BACKGROUND", "SEARCH STRATEGY", "DATA COLLECTION AND ANALYSIS", "MAIN RESULTS",
                            "AUTHORS CONCLUSIONS"]


def test_short_capitals_before_a_colon_are_not_headings():
    text = "BACKGROUND: Veterans with PTSD: a hard group. RESULTS: CI: 0.2 to 0.5."
    assert labels(text) == ["BACKGROUND", "RESULTS"]


@pytest.mark.parametrize("text", [
    "We report trends. Results: they rose.",        # a heading in the middle of prose
    "RESULTS of the trial were mixed: none rose.",  # capitals not followed by a colon
    "PTSD: a review of treatments.",                # an abbreviation, not a heading
    "background: lower case is prose.",
])
def test_plain_abstracts_do_not_split(text):
    assert split_structured_abstract(text) is None


def test_every_heading_starts_with_a_capital_the_patterns_look_for_first():
    from kg.read.abstracts import CLINICAL_HEADINGS, EMERALD_HEADINGS

    assert all("A" <= h[0] <= "Z" for h in EMERALD_HEADINGS + CLINICAL_HEADINGS)
