"""The front of `kg serve`: a SPARQL 1.1 Protocol server on 127.0.0.1 that
checks every query before Oxigraph runs it and bounds what one query costs.

Oxigraph's own server runs ``SERVICE <url>`` clauses (any client could make it
send HTTP requests anywhere), cannot be told to refuse them, has no cap on the
size of an answer, and on a timeout ends a ``200`` answer cleanly with its
error message where the rest of the results should be. So `kg serve` puts this
server in front of an ``oxigraph serve-read-only`` child bound to another
loopback port (see :mod:`kg.sinks.serve`):

- the query operation (``GET ?query=``, ``POST`` form, ``POST
  application/sparql-query``, at ``/query`` and ``/sparql``) is parsed here and
  sent on in one canonical form, so the text checked is the text Oxigraph runs;
- a query that could run ``SERVICE`` is refused (HTTP 403) unless allowed;
- updates and Graph Store writes are refused (HTTP 403), as Oxigraph does;
- every answer is read to the end (into memory, then a temporary file) before
  the client gets a byte: one over the size cap is refused (HTTP 507), one not
  complete within the time limit is refused (HTTP 503), and an answer that
  did come is sent whole, with its status and content type;
- reads of the pages, ``/store`` and the service description go through as
  they are, under the same limits;
- with a site (`kg site`), its files are served from ``/`` (``/`` itself is its
  ``index.html``), and ``/run/NAME?PARAM=VALUE`` runs the named query NAME
  with those parameters, bound as `kg query` binds them: the site's "run on
  kg serve" links.
"""

from __future__ import annotations

import http.client
import mimetypes
import re
import shutil
import socket
import socketserver
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol

from ..errors import KgError
from ..query.registry import bind_parameters, get_query
from ..query.run import with_values_block
from ..query.sparql import tokens

HOST = "127.0.0.1"
QUERY_PATHS = frozenset({"/query", "/sparql"})
DATASET_PARAMETERS = frozenset({"default-graph-uri", "named-graph-uri", "union-default-graph"})
MAX_REQUEST_BYTES = 16 * 1024 * 1024
SPOOL_IN_MEMORY = 4 * 1024 * 1024
RUNAWAY_GRACE = 10.0
"""Seconds Oxigraph gets, past the time limit, to stop a query by itself;
after that its server is restarted (its cancellation does not reach every
operator: a sorted cross join runs on)."""
READ_ONLY = "The server is read-only"
SITE_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
              ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}

# Oxigraph matches keywords without a word boundary after them, so
# `SERVICESILENT<u>`, `SERVICEex:u {}` and `service:u {}` are SERVICE clauses to
# it, and `true`/`false` or a number's exponent can be glued in front
# (`?s ?p trueSERVICE <u> {}`): the lexer reads each of those as one word.
_SERVICE_WORD = re.compile(r"(?:TRUE|FALSE|E\d+)?SERVICE")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def federated(query: str) -> bool:
    """Whether Oxigraph could read a ``SERVICE`` clause in ``query``: the word
    in any case, in any group, but not inside strings, IRIs or comments. The
    text is also read with its ``\\uXXXX`` escapes decoded, which SPARQL says a
    parser may do first (Oxigraph 0.5 does not)."""
    texts = {query, _CODEPOINT.sub(_decode_codepoint, query)}
    return any(
        token.kind == "word" and _SERVICE_WORD.match(token.text.upper())
        for text in texts
        for token in tokens(text)
    )


def _decode_codepoint(match: re.Match) -> str:
    try:
        return chr(int(match.group(1) or match.group(2), 16))
    except ValueError:
        return match.group()


@dataclass(frozen=True)
class Limits:
    timeout: int
    """Seconds one request may take, answer included."""
    max_result_bytes: int
    allow_service: bool = False
    max_running: int = 4
    """Requests forwarded to Oxigraph at once; more are refused (HTTP 503), so
    many slow queries from one client cannot take every worker."""


class Child(Protocol):
    port: int


class Backends(Protocol):
    """Where requests go: :class:`kg.sinks.serve.Oxigraph` (a child process)."""

    def acquire(self) -> Child: ...

    def release(self, child: Child) -> None: ...

    def retire(self, child: Child, why: str) -> None: ...


class Refused(Exception):
    """An answer given here, as plain text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class GuardServer(ThreadingHTTPServer):
    """The front server; ``port`` 0 picks a free one (see ``server_port``)."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self, port: int, backends: Backends, limits: Limits, grace: float = RUNAWAY_GRACE, site: Path | None = None
    ) -> None:
        self.site = Path(site).resolve() if site is not None else None
        self.backends = backends
        self.limits = limits
        self.grace = grace
        self.running = threading.BoundedSemaphore(limits.max_running)
        super().__init__((HOST, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS; loopback needs none.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            print(f"kg: serve: {type(error).__name__}: {error}", file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    sys_version = ""
    server: GuardServer

    def setup(self) -> None:
        self.timeout = self.server.limits.timeout  # a client that stalls is dropped
        super().setup()

    def log_message(self, format, *args) -> None:  # no access log: stderr stays quiet
        pass

    def do_GET(self) -> None:
        try:
            self._route()
        except Refused as refusal:
            self._send(refusal.status, "text/plain; charset=utf-8", refusal.message.encode("utf-8") + b"\n")
        except OSError:  # the client went away or stalled
            self.close_connection = True

    do_HEAD = do_POST = do_QUERY = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _route(self) -> None:
        method = self.command
        body = self._body()
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        reads = method in ("GET", "HEAD")
        if path in QUERY_PATHS and (method in ("POST", "QUERY") or (reads and "?" in self.path)):
            query, dataset = self._query_operation(method, split.query, body)
            if not self.server.limits.allow_service and federated(query):
                raise Refused(
                    403,
                    "kg serve refuses federated queries (SERVICE): they make the server fetch URLs; "
                    "start it with --allow-service to run them",
                )
            form = urllib.parse.urlencode([("query", query), *dataset]).encode("utf-8")
            self._forward("POST", path, form)
        elif path == "/update" or (path.startswith("/store") and not reads) or (path in QUERY_PATHS and not reads):
            raise Refused(403, READ_ONLY)
        elif reads and self.server.site is not None and path.startswith("/run/"):
            self._run_named(path.removeprefix("/run/"), split.query)
        elif reads and self.server.site is not None and not path.startswith("/store") and path not in QUERY_PATHS:
            self._site_file(path)
        elif reads:
            target = path + (f"?{split.query}" if split.query else "")
            self._forward(method, target, None)
        else:
            raise Refused(404, f"{method} {path} is not supported by this server")

    def _site_file(self, path: str) -> None:
        """A file of the site, never one outside its folder."""
        site = self.server.site
        wanted = urllib.parse.unquote(path).lstrip("/") or "index.html"
        target = (site / wanted).resolve()
        if target.is_dir():
            target = target / "index.html"
        if site not in target.parents or not target.is_file():
            raise Refused(404, f"no such page: {path}")
        kind = SITE_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(200, kind, target.read_bytes())

    def _run_named(self, name: str, url_query: str) -> None:
        """Run a named query with the URL's parameters; a browser gets CSV as text to read."""
        values = dict(urllib.parse.parse_qsl(url_query, keep_blank_values=True))
        try:
            query = get_query(name)
            text = with_values_block(query.text, bind_parameters(query, values))
        except KgError as exc:
            raise Refused(404 if str(exc).startswith("no query named") else 400, str(exc)) from None
        browser = "text/html" in (self.headers.get("Accept") or "")
        form = urllib.parse.urlencode([("query", text)]).encode("utf-8")
        if browser:
            self._forward("POST", "/query", form, accept="text/csv", content_type="text/plain; charset=utf-8")
        else:
            self._forward("POST", "/query", form)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "identity").lower() != "identity":
            self.close_connection = True
            raise Refused(411, "send the request body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise Refused(400, "the Content-Length is not a number") from None
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            raise Refused(413, f"requests to kg serve are limited to {MAX_REQUEST_BYTES} bytes")
        return self.rfile.read(length) if length > 0 else b""

    def _query_operation(self, method: str, url_query: str, body: bytes) -> tuple[str, list[tuple[str, str]]]:
        """The query and the dataset parameters, read as Oxigraph reads them."""
        params = urllib.parse.parse_qsl(url_query, keep_blank_values=True)
        if method in ("POST", "QUERY"):
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if not kind:
                raise Refused(400, "No Content-Type given")
            if kind == "application/sparql-query":
                try:
                    params.append(("query", body.decode("utf-8")))
                except UnicodeDecodeError as exc:
                    raise Refused(400, f"Invalid UTF-8 body: {exc}") from None
            elif kind == "application/x-www-form-urlencoded":
                in_url = {key for key, _ in params}
                form = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                for key, value in form:
                    if key in in_url:
                        raise Refused(400, f"'{key}' cannot be set both in the body and the URL query")
                    params.append((key, value))
            elif kind == "application/sparql-update":
                raise Refused(403, READ_ONLY)
            else:
                raise Refused(415, f"No supported content Content-Type given: {kind}")
        if any(key == "update" for key, _ in params):
            raise Refused(403, READ_ONLY)
        queries = [value for key, value in params if key == "query"]
        if len(queries) > 1:
            raise Refused(400, "Multiple query parameters provided")
        if not queries:
            raise Refused(400, "You should set the 'query' parameter")
        return queries[0], [(key, value) for key, value in params if key in DATASET_PARAMETERS]

    def _forward(
        self, method: str, target: str, form: bytes | None, accept: str | None = None, content_type: str | None = None
    ) -> None:
        """Send the request to Oxigraph and its whole answer to the client
        (``accept`` and ``content_type`` replace the client's and Oxigraph's)."""
        if not self.server.running.acquire(blocking=False):
            raise Refused(503, f"kg serve is busy: {self.server.limits.max_running} requests are running; try again")
        try:
            self._forward_now(method, target, form, accept, content_type)
        finally:
            self.server.running.release()

    def _forward_now(
        self, method: str, target: str, form: bytes | None, accept: str | None = None, content_type: str | None = None
    ) -> None:
        limits, backends = self.server.limits, self.server.backends
        deadline = time.monotonic() + limits.timeout
        try:
            child = backends.acquire()
        except KgError as exc:
            raise Refused(503, str(exc)) from None
        try:
            upstream: socket.socket | None = socket.create_connection((HOST, child.port), timeout=limits.timeout)
        except OSError as exc:
            backends.release(child)
            raise Refused(502, f"the Oxigraph server behind kg serve did not answer: {exc}") from None
        response = None
        try:
            connection = http.client.HTTPConnection(HOST, child.port)
            connection.sock = upstream
            headers = {
                # Oxigraph resolves relative IRIs and names its endpoint from Host.
                "Host": self.headers.get("Host") or f"{HOST}:{self.server.server_port}",
                "Connection": "close",  # its end of the answer is then the end of the stream
            }
            if accept or self.headers.get("Accept"):
                headers["Accept"] = accept or self.headers["Accept"]
            if form is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, target, body=form, headers=headers)
            upstream.settimeout(max(deadline - time.monotonic(), 0.001))
            response = connection.getresponse()
            spool, size = _spool(response, upstream, deadline, limits.max_result_bytes)
        except TimeoutError:
            # Oxigraph stops the query at the same limit; watch that it does.
            watcher = threading.Thread(
                target=_watch, args=(upstream, response, child, backends, self.server.grace), daemon=True
            )
            watcher.start()
            upstream = None
            raise Refused(
                503, f"the query ran longer than kg serve's limit of {limits.timeout} s (--timeout); narrow it or add LIMIT"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise Refused(502, f"the Oxigraph server behind kg serve broke off: {exc or type(exc).__name__}") from None
        finally:
            if upstream is not None:
                upstream.close()
                backends.release(child)
        with spool:
            length = response.getheader("Content-Length") if method == "HEAD" else str(size)
            kind = content_type if content_type and response.status == 200 else response.getheader("Content-Type")
            self._send(response.status, kind, spool, length)

    def _send(self, status: int, content_type: str | None, body, length: str | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if isinstance(body, bytes):
            length = str(len(body))
        if length is not None:
            self.send_header("Content-Length", length)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if isinstance(body, bytes):
            self.wfile.write(body)
        else:
            shutil.copyfileobj(body, self.wfile)


def _spool(response: http.client.HTTPResponse, upstream: socket.socket, deadline: float, cap: int):
    """The whole answer in a temporary file, rewound, and its size; TimeoutError
    past the deadline, :class:`Refused` (507) over the cap."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    size = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            upstream.settimeout(remaining)
            chunk = response.read1(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise Refused(
                    507,
                    f"the answer is larger than kg serve's limit of {cap:,} bytes (--max-result-bytes); "
                    "narrow the query or add LIMIT",
                )
            spool.write(chunk)
        if time.monotonic() >= deadline:  # Oxigraph's own timeout ends an answer early, cleanly
            raise TimeoutError
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size


def _watch(upstream: socket.socket, response, child: Child, backends: Backends, grace: float) -> None:
    """After a request ran out of time: wait ``grace`` seconds for Oxigraph to
    end its answer (it stops the query at the same limit); if it does not, the
    query runs on inside it, and only restarting it stops that."""
    end = time.monotonic() + grace
    stopped = True
    try:
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                stopped = False
                break
            upstream.settimeout(remaining)
            if not upstream.recv(65536):
                break
    except TimeoutError:
        stopped = False
    except OSError:
        pass
    finally:
        if response is not None:
            response.close()
        upstream.close()
        if not stopped:
            backends.retire(child, f"a query ran {grace:g} s past the time limit and Oxigraph did not stop it")
        backends.release(child)
