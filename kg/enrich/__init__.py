"""`kg enrich`: complete thin works from Crossref and OpenAlex, through kg's identity rules.

``match`` (is a fetched record the same work: evidence, never a guess),
``dump`` (candidates from a local dump, streamed), ``http`` (the polite client
and its on-disk cache), ``sources`` (Crossref and OpenAlex requests),
``saved`` (what `kg build` reads back), ``run`` (the whole lookup and its report).
"""
