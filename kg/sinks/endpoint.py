"""Talk to a remote SPARQL 1.1 endpoint (Oxigraph, Fuseki, GraphDB, QLever...).

Queries go through SPARQLWrapper, always by POST (long queries, no URL length
limit) with a descriptive User-Agent. Credentials come only from environment
variables and never appear in messages:

- ``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD``: HTTP Basic auth, or
  Digest auth when ``KG_ENDPOINT_AUTH=digest`` (or a `kg load` profile says
  ``auth = "digest"``, as Virtuoso's ``/sparql-auth`` endpoints need);
- ``KG_ENDPOINT_TOKEN``: a bearer token.
"""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import socket
import urllib.error
import urllib.request
from importlib.metadata import PackageNotFoundError, version

from SPARQLWrapper import JSON, POST, TURTLE, SPARQLExceptions, SPARQLWrapper

from ..errors import EndpointError, UsageError
from ..text import first_line
from ..query.sparql import strip_comments

try:
    VERSION = version("kg")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    VERSION = "0"

USER_AGENT = f"kg/{VERSION} (scholarly knowledge-graph builder; SPARQLWrapper)"


def redact(url: str) -> str:
    """The URL without any user:password@ part."""
    return re.sub(r"//[^/@]*@", "//", url)


AUTH_SCHEMES = ("basic", "digest")


def auth_scheme(default: str = "basic") -> str:
    """How a user and password are sent: ``KG_ENDPOINT_AUTH`` over ``default``
    (a load profile's ``auth``)."""
    scheme = (os.environ.get("KG_ENDPOINT_AUTH") or default).strip().lower()
    if scheme not in AUTH_SCHEMES:
        raise UsageError(f"KG_ENDPOINT_AUTH={scheme!r}: use one of {', '.join(AUTH_SCHEMES)}")
    return scheme


def credentials(scheme: str = "basic") -> dict[str, str]:
    """HTTP headers for the credentials found in the environment. Digest auth
    sends none up front: it answers the server's challenge (`digest_opener`)."""
    token = os.environ.get("KG_ENDPOINT_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user = os.environ.get("KG_ENDPOINT_USER")
    if user and scheme == "basic":
        password = os.environ.get("KG_ENDPOINT_PASSWORD", "")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    return {}


def digest_opener(scheme: str, *urls: str) -> urllib.request.OpenerDirector | None:
    """An opener that answers Digest challenges from ``urls`` with the
    environment's user and password, whatever the realm; None unless Digest
    auth is asked for."""
    user = os.environ.get("KG_ENDPOINT_USER")
    if scheme != "digest" or not user or os.environ.get("KG_ENDPOINT_TOKEN"):
        return None
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, [u for u in urls if u], user, os.environ.get("KG_ENDPOINT_PASSWORD", ""))
    return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))


def check_endpoint_url(url: str) -> str:
    if not re.match(r"^https?://[^\s/]+", url):
        raise UsageError(f"not an http(s) endpoint URL: {redact(url)!r}")
    if re.search(r"//[^/@]*:[^/@]*@", url):
        raise UsageError("put credentials in KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD, not in the endpoint URL")
    return url


def _client(endpoint: str, query: str, graph: str | None, timeout: float | None) -> SPARQLWrapper:
    client = SPARQLWrapper(check_endpoint_url(endpoint), agent=USER_AGENT)
    client.setMethod(POST)
    client.setQuery(strip_comments(query))  # SPARQLWrapper reads keywords in comments too
    if graph:
        client.addDefaultGraph(graph)
    if timeout:
        client.setTimeout(int(max(1, timeout)))
    for name, value in credentials(auth_scheme()).items():
        client.addCustomHttpHeader(name, value)
    return client


# -- one wording for every HTTP failure, for queries and loads alike ------------

UNREACHABLE = (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError)
"""What urllib raises when no HTTP answer came back."""

_HTTP_MEANING = {
    400: "the endpoint rejected the request",
    404: "not found",
    413: "request too large",
    414: "request too long",
}


def http_error(where: str, code: int, reason: str = "", body: bytes | str = b"") -> EndpointError:
    """The error for an HTTP failure ``code`` answered by ``where``, with the
    first line of the server's own message as plain text."""
    detail = first_line(body)
    if code == 401:
        return EndpointError(
            f"{where}: authentication failed (HTTP 401); set KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD "
            "(and KG_ENDPOINT_AUTH=digest for a Digest endpoint), or KG_ENDPOINT_TOKEN"
        )
    if code == 403:
        meaning = "authentication failed or access refused"
    elif code >= 500:
        meaning = "server error"
    else:
        meaning = _HTTP_MEANING.get(code, reason or "request failed")
    return EndpointError(f"{where}: {meaning} (HTTP {code})" + (f": {detail}" if detail else ""))


def unreachable_error(where: str, exc: BaseException) -> EndpointError:
    return EndpointError(f"cannot reach {where}: {getattr(exc, 'reason', exc)}")


_WRAPPER_CODES = {
    SPARQLExceptions.QueryBadFormed: 400,
    SPARQLExceptions.Unauthorized: 401,
    SPARQLExceptions.EndPointNotFound: 404,
    SPARQLExceptions.URITooLong: 414,
    SPARQLExceptions.EndPointInternalError: 500,
}


def _wrapper_body(exc: Exception) -> bytes:
    """The server's answer that SPARQLWrapper kept only inside its message
    (as ``Response:\n`` and the bytes' repr)."""
    _, found, rest = str(exc).partition("Response:\n")
    if not found:
        return b""
    try:
        value = ast.literal_eval(rest.strip())
    except (ValueError, SyntaxError):
        return rest.encode("utf-8", "replace")
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _run(client: SPARQLWrapper, endpoint: str):
    where = redact(endpoint)
    opener = digest_opener(auth_scheme(), endpoint)
    previous = getattr(urllib.request, "_opener", None)
    if opener:
        # SPARQLWrapper opens requests with urllib's global opener (its own Digest
        # mode installs one too, but only for a realm named in advance); it is
        # put back after the query, so the credentials do not outlive it.
        urllib.request.install_opener(opener)
    try:
        return client.query()
    except tuple(_WRAPPER_CODES) as exc:
        raise http_error(where, _WRAPPER_CODES[type(exc)], body=_wrapper_body(exc)) from None
    except urllib.error.HTTPError as exc:
        raise http_error(where, exc.code, exc.reason, exc.read()) from None
    except UNREACHABLE as exc:
        raise unreachable_error(where, exc) from None
    finally:
        if opener:
            urllib.request.install_opener(previous)


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
