"""Concepts: the SKOS scheme in ontology/, the tagger that assigns its concepts
to works, a curator's rows that win over it, and the tagger's evaluation."""
