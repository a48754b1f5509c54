"""unify_venues(): one venue per journal, whichever ISSN or title spelling a record gives."""

from __future__ import annotations

import itertools

from kg.model import Venue
from kg.identity.venues import unify_venues
from kg.vocab import DEFAULT_BASE

VENUE = f"{DEFAULT_BASE}venue/"
BLOOD_PUBMED = Venue(title="Blood", issn="0006-4971", eissn="1528-0020")
BLOOD_ZOTERO = Venue(title="BLOOD", issn="1528-0020", eissn="0006-4971")  # electronic first
BLOOD_ONLINE = Venue(title="Blood", issn="1528-0020")


def iris(venues):
    return [r.iri if r else None for r in unify_venues(venues, DEFAULT_BASE)]


def test_either_issn_gives_one_venue_under_the_lowest_issn():
    assert iris([BLOOD_ONLINE, BLOOD_PUBMED, BLOOD_ZOTERO]) == [f"{VENUE}issn/0006-4971"] * 3


def test_the_combined_venue_takes_the_most_given_values():
    resolved = unify_venues([BLOOD_PUBMED, BLOOD_PUBMED, BLOOD_ZOTERO, BLOOD_ONLINE], DEFAULT_BASE)
    # print ISSN: 0006-4971 twice against 1528-0020 twice as "issn" (Zotero, online) -> tie
    # broken by the text; eISSN: the other one. Mixed case wins over capitals.
    assert resolved[0].venue == Venue(title="Blood", issn="0006-4971", eissn="1528-0020")
    assert len({r.venue for r in resolved}) == 1
    # one ISSN, given once as print and once as electronic, is written once, as print
    only = unify_venues([BLOOD_ONLINE, Venue(eissn="1528-0020")], DEFAULT_BASE)[0].venue
    assert (only.issn, only.eissn) == ("1528-0020", None)


def test_a_title_only_venue_joins_the_one_journal_with_that_title():
    listing = Venue(title="Journal of Mental Health")
    pubmed = Venue(title="Journal of mental health (Abingdon, England)", issn="0963-8237")
    crossref = Venue(title="Journal of Mental Health", issn="0963-8237", eissn="1360-0567")
    assert iris([listing, pubmed, crossref]) == [f"{VENUE}issn/0963-8237"] * 3
    # and takes the most given title, not the one its own record had
    assert unify_venues([listing, crossref, pubmed], DEFAULT_BASE)[0].venue.title == "Journal of Mental Health"


def test_same_title_different_issns_stay_two_journals():
    a, b = Venue(title="Nursing", issn="0360-4039"), Venue(title="Nursing", issn="1234-5679")
    bare = Venue(title="NURSING")
    first, second, third = iris([a, b, bare])
    assert first != second
    # a title-only venue cannot tell which of them it is: it stays on its own
    assert third == f"{VENUE}nursing"


def test_title_only_venues_with_one_title_are_one_venue():
    assert iris([Venue(title="Mental Health Today"), Venue(title="MENTAL HEALTH TODAY"), None]) == [
        f"{VENUE}mental-health-today", f"{VENUE}mental-health-today", None]


def test_issns_chain_three_records_into_one_venue():
    chained = [Venue(issn="1111-1111"), Venue(issn="2222-2222", eissn="1111-1111"), Venue(issn="2222-2222", eissn="3333-3333")]
    assert len(set(iris(chained))) == 1


def test_input_order_never_changes_the_answer():
    venues = [BLOOD_ONLINE, BLOOD_PUBMED, BLOOD_ZOTERO, Venue(title="blood"), Venue(title="Leukemia", issn="0887-6924"),
              Venue(title="Leukemia", eissn="1476-5551"), Venue(title="LEUKEMIA", issn="0887-6924", eissn="1476-5551")]
    answers = set()
    for order in itertools.permutations(range(len(venues))):
        resolved = unify_venues([venues[i] for i in order], DEFAULT_BASE)
        answers.add(frozenset((venues[i], r) for i, r in zip(order, resolved)))
        if len(answers) > 1:
            break
    assert len(answers) == 1


def test_sources_that_say_which_issn_is_which_outvote_those_that_guess():
    # three Zotero RIS records list the electronic ISSN first; one PubMed record labels both
    guessed = Venue(title="Blood", issn="1528-0020", eissn="0006-4971")
    labelled = Venue(title="Blood", issn="0006-4971", eissn="1528-0020", issns_typed=True)
    resolved = unify_venues([guessed, guessed, guessed, labelled], DEFAULT_BASE)[0].venue
    assert (resolved.issn, resolved.eissn, resolved.issns_typed) == ("0006-4971", "1528-0020", True)
    # with no labelled source, the guesses are all there is
    alone = unify_venues([guessed], DEFAULT_BASE)[0].venue
    assert (alone.issn, alone.eissn, alone.issns_typed) == ("1528-0020", "0006-4971", False)


def test_one_work_takes_its_issns_from_the_record_that_labels_them():
    from kg.identity.resolve import combine_venues

    ris = Venue(title="BLOOD", issn="1528-0020", eissn="0006-4971")
    pubmed = Venue(title="Blood", issn="0006-4971", eissn="1528-0020", issns_typed=True)
    combined = combine_venues([ris, pubmed])  # ranked: the RIS record first
    assert (combined.title, combined.issn, combined.eissn) == ("BLOOD", "0006-4971", "1528-0020")
