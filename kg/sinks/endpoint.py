"""Talk to a remote SPARQL 1.1 endpoint (Oxigraph, Fuseki, GraphDB, QLever...).

Queries go through SPARQLWrapper, always by POST (long queries, no URL length
limit) with a descriptive User-Agent. Credentials come only from environment
variables and never appear in messages:

- ``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD``: HTTP basic auth;
- ``KG_ENDPOINT_TOKEN``: a bearer token.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import urllib.error
from importlib.metadata import PackageNotFoundError, version

from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions

from ..errors import EndpointError, UsageError

try:
    _VERSION = version("kg")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    _VERSION = "0"

USER_AGENT = f"kg/{_VERSION} (scholarly knowledge-graph builder; SPARQLWrapper)"


def redact(url: str) -> str:
    """The URL without any user:password@ part."""
    return re.sub(r"//[^/@]*@", "//", url)


def credentials() -> dict[str, str]:
    """HTTP headers for the credentials found in the environment."""
    token = os.environ.get("KG_ENDPOINT_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user = os.environ.get("KG_ENDPOINT_USER")
    if user:
        password = os.environ.get("KG_ENDPOINT_PASSWORD", "")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    return {}


def check_endpoint_url(url: str) -> str:
    if not re.match(r"^https?://[^\s/]+", url):
        raise UsageError(f"not an http(s) endpoint URL: {redact(url)!r}")
    if re.search(r"//[^/@]*:[^/@]*@", url):
        raise UsageError("put credentials in KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD, not in the endpoint URL")
    return url


def without_comment_lines(query: str) -> str:
    """The query without whole-line ``#`` comments."""
    return "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))


def _client(endpoint: str, query: str, graph: str | None, timeout: float | None) -> SPARQLWrapper:
    client = SPARQLWrapper(check_endpoint_url(endpoint), agent=USER_AGENT)
    client.setMethod(POST)
    # SPARQLWrapper guesses update vs query from keywords anywhere in the text,
    # comments included ("add" in a header made it send a check as an update).
    client.setQuery(without_comment_lines(query))
    if graph:
        client.addDefaultGraph(graph)
    if timeout:
        client.setTimeout(int(max(1, timeout)))
    for name, value in credentials().items():
        client.addCustomHttpHeader(name, value)
    return client


def _run(client: SPARQLWrapper, endpoint: str):
    where = redact(endpoint)
    try:
        return client.query()
    except SPARQLExceptions.Unauthorized:
        raise EndpointError(f"{where}: authentication failed (HTTP 401/403); set KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or KG_ENDPOINT_TOKEN") from None
    except SPARQLExceptions.QueryBadFormed as exc:
        raise EndpointError(f"{where}: the endpoint rejected the query (HTTP 400): {_first_line(exc)}") from None
    except SPARQLExceptions.EndPointNotFound:
        raise EndpointError(f"{where}: not found (HTTP 404)") from None
    except SPARQLExceptions.URITooLong:
        raise EndpointError(f"{where}: request too long (HTTP 414)") from None
    except SPARQLExceptions.EndPointInternalError as exc:
        raise EndpointError(f"{where}: server error (HTTP 500): {_first_line(exc)}") from None
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise EndpointError(f"{where}: authentication failed (HTTP {exc.code})") from None
        raise EndpointError(f"{where}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"cannot reach {where}: {reason}") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1][:300] if text else type(exc).__name__


def select(endpoint: str, query: str, *, graph: str | None = None, timeout: float | None = None) -> dict:
    """Run a SELECT or ASK query; returns the W3C SPARQL JSON results."""
    client = _client(endpoint, query, graph, timeout)
    client.setReturnFormat(JSON)
    response = _run(client, endpoint)
    try:
        return json.loads(response.response.read())
    except (ValueError, OSError) as exc:
        raise EndpointError(f"{redact(endpoint)}: answer is not SPARQL JSON results: {exc}") from None


def construct(endpoint: str, query: str, *, graph: str | None = None, timeout: float | None = None) -> bytes:
    """Run a CONSTRUCT or DESCRIBE query; returns Turtle bytes."""
    client = _client(endpoint, query, graph, timeout)
    client.setReturnFormat(TURTLE)
    return _run(client, endpoint).response.read()
