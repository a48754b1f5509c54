"""Write the broken/fixed case pairs from one valid paper (run once; the files are the data).

    python tests/data/validation/make_cases.py

Each case is a folder: fixed.ttl (valid), broken.ttl (one rule broken) and
expected.json (the results broken.ttl must produce). expected.json is written
only when missing, so reviewed expectations are never overwritten.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

PAPER = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix prism: <http://prismstandard.org/namespaces/basic/2.0/> .
@prefix pro: <http://purl.org/spar/pro/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix kg: <https://w3id.org/kg/ns#> .
@prefix kgc: <https://w3id.org/kg/concepts/> .
@prefix id: <https://w3id.org/kg/id/> .

{paper} a fabio:JournalArticle ;
    dcterms:title "Peer support workers in mental health services" ;
    fabio:hasPublicationYear "{year}"^^xsd:gYear ;
    prism:volume "{volume}" ;
    prism:number "3" ;
    prism:startingPage "{start}" ;
    prism:endingPage "{end}" ;
    prism:doi "{doi}" ;
    dcterms:abstract "Purpose: to describe peer support." ;
    dcterms:isPartOf id:venue/issn/1234-5679 ;
    dcterms:subject {concept} ;
    dcterms:creator id:person/ann-lee , id:person/bo-kim ;
    pro:isDocumentContextFor <https://w3id.org/kg/id/work/doi/10.1000/x1/authorship/1> ,
        <https://w3id.org/kg/id/work/doi/10.1000/x1/authorship/2> ;
    kg:conceptAssignment <https://w3id.org/kg/id/work/doi/10.1000/x1/subject/recovery> ;
    prov:wasDerivedFrom id:source/test-ttl-000000/1 {extra_paper}.

<https://w3id.org/kg/id/work/doi/10.1000/x1/authorship/1> a pro:RoleInTime ;
    pro:withRole pro:author ;
    pro:isHeldBy id:person/ann-lee ;
    kg:authorPosition 1 ;
    kg:nameAsPrinted "Ann Lee" .

<https://w3id.org/kg/id/work/doi/10.1000/x1/authorship/2> a pro:RoleInTime ;
    pro:withRole pro:author ;
    {held_by}
    {position}
    kg:nameAsPrinted "Bo Kim" .

<https://w3id.org/kg/id/work/doi/10.1000/x1/subject/recovery> a kg:MachineConceptAssignment ;
    kg:assignedConcept kgc:recovery ;
    kg:assignmentMethod "label-match" ;
    kg:assignmentScore {score} .

id:person/ann-lee a foaf:Person ; {ann_name} foaf:givenName "Ann" ; foaf:familyName "Lee" ; kg:orcid "{orcid}" .
id:person/bo-kim a foaf:Person ; foaf:name "Bo Kim" ; foaf:givenName "Bo" ; foaf:familyName "Kim" .

id:venue/issn/1234-5679 a kg:Venue , fabio:Journal ;
    dcterms:title "Mental Health and Social Inclusion" ;
    prism:issn "{issn}" .

id:source/test-ttl-000000/1 a kg:SourceRecord ;
    kg:sourceFile "test.ris" ;
    {line}

kgc:recovery a skos:Concept ;
    skos:prefLabel {label} ;
    skos:definition "Living a satisfying life with or without symptoms."@en ;
    skos:inScheme <https://w3id.org/kg/concepts> .

<https://w3id.org/kg/concepts> a skos:ConceptScheme .
{more}"""

VALID = dict(
    paper="<https://w3id.org/kg/id/work/doi/10.1000/x1>", year="2019", volume="12", start="35", end="44",
    doi="10.1000/x1", concept="kgc:recovery", extra_paper="", held_by="pro:isHeldBy id:person/bo-kim ;",
    position="kg:authorPosition 2 ;", score='"0.900"^^xsd:decimal', ann_name='foaf:name "Ann Lee" ;',
    orcid="0000-0002-1825-0097", issn="1234-5679", line="kg:sourceLine 1 .", label='"recovery"@en', more="",
)

OTHER_PAPER = """
id:work/doi/10.1000/x2 a fabio:JournalArticle ;
    dcterms:title "Another paper" ;
    fabio:hasPublicationYear "2020"^^xsd:gYear ;
    prism:doi "{doi}" ;
    dcterms:abstract "Text." ;
    dcterms:isPartOf id:venue/issn/1234-5679 ;
    dcterms:subject kgc:recovery ;
    prov:wasDerivedFrom id:source/test-ttl-000000/9 .
id:source/test-ttl-000000/9 a kg:SourceRecord ; kg:sourceFile "test.ris" ; kg:sourceLine 9 .
"""

OTHER_VENUE = """
id:venue/issn/2049-8268 a kg:Venue , fabio:Journal ;
    dcterms:title "Mental Health and Social Inclusion" ;
    prism:issn "2049-8268" ;
    prism:eIssn "{eissn}" .
"""

OTHER_PERSON = """
id:person/orcid/{orcid} a foaf:Person ; foaf:name "{name}" ; kg:orcid "{orcid}" .
"""

# rule -> (what breaks it, the correct twin's change; both applied on VALID)
CASES = {
    "paper-no-year": ({"year": ""}, {}),
    "paper-year-range": ({"year": "2999"}, {"year": "2001"}),
    "paper-page-order": ({"start": "44", "end": "35"}, {"start": "e44", "end": "35"}),
    "paper-volume-not-numeric": ({"volume": "Suppl. 1"}, {"volume": "7"}),
    "paper-doi-not-doi": ({"doi": "https://doi.org/10.1000/X1"}, {}),
    "paper-no-title": ({"extra_paper": ""}, {}),
    "paper-no-venue": ({}, {}),
    "paper-no-abstract": ({}, {}),
    "paper-truncated-authors": ({"extra_paper": '; kg:authorListTruncated true '}, {"extra_paper": '; kg:authorListTruncated false '}),
    "paper-no-concept": ({"concept": "kgc:recovery"}, {}),
    "iri-outside-base": ({"paper": "<http://example.org/paper/1>"}, {}),
    "authorship-no-person": ({"held_by": ""}, {}),
    "authorship-no-position": ({"position": ""}, {}),
    "authorship-duplicate-position": ({"position": "kg:authorPosition 1 ;"}, {}),
    "authorship-position-gap": ({"position": "kg:authorPosition 3 ;"}, {}),
    "person-no-name": ({"ann_name": ""}, {}),
    "person-orcid-not-orcid": ({"orcid": "https://orcid.org/0000-0002-1825-0097"}, {}),
    "venue-issn-not-issn": ({"issn": "12345679"}, {}),
    "source-no-line": ({"line": "kg:sourceFormat \"ris\" ."}, {}),
    "concept-no-label": ({"label": '"recovery"@en , "rétablissement"@fr , "healing"@en'}, {"label": '"recovery"@en , "rétablissement"@fr'}),
    "assignment-score-range": ({"score": '"1.500"^^xsd:decimal'}, {}),
    "check-duplicate-doi": ({"more": OTHER_PAPER.format(doi="10.1000/x1")}, {"more": OTHER_PAPER.format(doi="10.1000/x2")}),
    "check-duplicate-orcid": ({"more": OTHER_PERSON.format(orcid="0000-0002-1825-0097", name="A. Lee-Smith")},
                              {"more": OTHER_PERSON.format(orcid="0000-0001-5109-3700", name="Carl Marx")}),
    "check-probable-same-person": ({"more": OTHER_PERSON.format(orcid="0000-0001-5109-3700", name="ann  LEE")},
                                   {"more": OTHER_PERSON.format(orcid="0000-0001-5109-3700", name="Ann Leeds")}),
    "check-concept-not-in-scheme": ({"concept": "kgc:recovery , kgc:no-such-concept"}, {}),
    "check-venues-sharing-an-issn": ({"more": OTHER_VENUE.format(eissn="1234-5679")}, {"more": OTHER_VENUE.format(eissn="2049-8276")}),
}

# Cases whose breakage is a removed line, expressed on the template text.
REMOVE_LINE = {
    "paper-no-year": '    fabio:hasPublicationYear "{year}"^^xsd:gYear ;\n',
    "paper-no-title": '    dcterms:title "Peer support workers in mental health services" ;\n',
    "paper-no-venue": "    dcterms:isPartOf id:venue/issn/1234-5679 ;\n",
    "paper-no-abstract": '    dcterms:abstract "Purpose: to describe peer support." ;\n',
    "paper-no-concept": "    dcterms:subject {concept} ;\n",
}


def render(changes: dict, template: str = PAPER) -> str:
    values = {**VALID, **changes}
    text = template.format(**values)
    # Turtle local names may not hold "/": write kg's own IRIs out in full.
    return re.sub(r"(?<![\w<])id:([\w/.-]*[\w])", r"<https://w3id.org/kg/id/\1>", text)


def main() -> None:
    for name, (broken, fixed) in CASES.items():
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        template = PAPER.replace(REMOVE_LINE[name], "") if name in REMOVE_LINE else PAPER
        (folder / "broken.ttl").write_text(render(broken, template), "utf-8")
        (folder / "fixed.ttl").write_text(render(fixed), "utf-8")


if __name__ == "__main__":
    main()
