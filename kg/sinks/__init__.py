"""Where a graph goes: files, the embedded store, remote SPARQL endpoints, and a
read-only server over the store."""
