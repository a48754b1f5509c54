"""Other SPARQL engines the named queries are checked on (see docs/engines.md)."""
