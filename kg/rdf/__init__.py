"""RDF: works, people and concepts as sorted, de-duplicated N-Triples lines."""
