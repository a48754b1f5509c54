"""Named queries: the ``queries/*.rq`` registry, typed parameters bound as RDF
terms, runs on the embedded store or an endpoint, and result rendering."""
