"""The polite HTTP client `kg enrich` asks Crossref and OpenAlex with, and its cache.

What the services ask of clients (Crossref's REST API "etiquette", OpenAlex's
rate limits) and what this client does:

- a ``mailto`` for the polite pool, sent in the User-Agent and as a parameter;
- a rate limit: at most ``per_second`` requests a second, lowered to what
  Crossref's ``X-Rate-Limit-Limit`` / ``X-Rate-Limit-Interval`` headers say,
  and for OpenAlex well under its published 100 a second;
- retries with a doubling backoff on 429, 5xx, timeouts and dropped
  connections, waiting what ``Retry-After`` says when the server says it;
- a timeout on every request, and at most ``concurrency`` requests at once
  (the callers' thread pool);
- every answer kept on disk, one file per request (its URL without the
  ``mailto`` and any API key), so a second run and ``--offline`` ask nothing
  of the network.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx

from ..sinks.endpoint import VERSION
from ..sinks.files import atomic_output
from ..text import first_line
from .found import utc_stamp

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0
"""Longest wait a ``Retry-After`` header can impose, in seconds."""


@dataclass(frozen=True)
class Answer:
    """A response as kept in the cache: ``status`` 0 when no answer came."""

    url: str
    status: int
    body: object
    retrieved: str
    error: str = ""
    cached: bool = False


class RateLimit:
    """At most one request every ``interval`` seconds, across threads."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)

    def follow(self, headers: httpx.Headers) -> None:
        """Slow down to what ``X-Rate-Limit-Limit`` per ``X-Rate-Limit-Interval`` allow."""
        limit, interval = headers.get("x-rate-limit-limit"), headers.get("x-rate-limit-interval")
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", interval or "")
        if not (limit and limit.strip().isdigit() and int(limit) > 0 and match):
            return
        seconds = float(match.group(1)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[match.group(2) or "s"]
        with self._lock:
            self.interval = max(self.interval, seconds / int(limit))


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date)."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        return min(max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0), MAX_RETRY_AFTER)
    except (TypeError, ValueError):
        return None


def user_agent(mailto: str | None) -> str:
    """``kg/0.1.0 (mailto:you@example.org)``: who asks, and whom to write to."""
    return f"kg/{VERSION} (mailto:{mailto})" if mailto else f"kg/{VERSION}"


class Client:
    """GET JSON from one service, politely, through the cache in ``cache_dir``.

    :param offline: answer from the cache only; a request not in it is an
        :class:`Answer` with status 0 and the error "not in the cache".
    """

    def __init__(self, base_url: str, cache_dir: Path, *, mailto: str | None, per_second: float,
                 timeout: float = 20.0, retries: int = 4, backoff: float = 1.0, offline: bool = False,
                 secret: dict[str, str] | None = None, clock=time.gmtime) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache_dir = cache_dir
        self.mailto = mailto
        self.secret = secret or {}
        """Parameters sent but never cached, shown or keyed on (an API key)."""
        self.offline = offline
        self.retries = retries
        self.backoff = backoff
        self.clock = clock
        self.limit = RateLimit(per_second)
        agent = user_agent(mailto)
        self._http = None if offline else httpx.Client(
            timeout=timeout, headers={"User-Agent": agent, "Accept": "application/json"}, follow_redirects=True)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str, params: dict[str, str] | None = None) -> str:
        """The request URL without ``mailto``: the cache key, and what reports show."""
        query = urlencode(sorted((params or {}).items()))
        return f"{self.base_url}{path}" + (f"?{query}" if query else "")

    def cache_path(self, url: str) -> Path:
        return self.cache_dir / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:32]}.json"

    def get(self, path: str, params: dict[str, str] | None = None) -> Answer:
        """The JSON at ``path`` with ``params``: from the cache, else from the service
        (a 200 or a 404 is kept; a failure is not, so a later run asks again)."""
        url = self.url(path, params)
        cached = self._cached(url)
        if cached is not None:
            return cached
        if self._http is None:
            return Answer(url, 0, None, "", "not in the cache (--offline)")
        sent = {**(params or {}), **({"mailto": self.mailto} if self.mailto else {}), **self.secret}
        answer = self._fetch(url, sent, path)
        if answer.status in (200, 404):
            self._keep(answer)
        return answer

    def _cached(self, url: str) -> Answer | None:
        path = self.cache_path(url)
        try:
            value = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(value, dict) or value.get("url") != url:
            return None
        return Answer(url, value.get("status", 0), value.get("body"), value.get("retrieved", ""), cached=True)

    def _keep(self, answer: Answer) -> None:
        value = {"url": answer.url, "status": answer.status, "retrieved": answer.retrieved, "body": answer.body}
        with atomic_output(self.cache_path(answer.url)) as out:
            out.write(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def _fetch(self, url: str, params: dict[str, str], path: str) -> Answer:
        assert self._http is not None
        error = ""
        for attempt in range(self.retries + 1):
            self.limit.wait()
            wait = self.backoff * 2 ** attempt
            try:
                response = self._http.get(f"{self.base_url}{path}", params=params)
            except httpx.TimeoutException:
                error = f"no answer within {self._http.timeout.read}s"
            except httpx.HTTPError as exc:
                error = first_line(exc) or type(exc).__name__
            else:
                self.limit.follow(response.headers)
                retrieved = utc_stamp(self.clock())
                if response.status_code == 404:
                    return Answer(url, 404, None, retrieved)
                if response.status_code == 200:
                    try:
                        return Answer(url, 200, response.json(), retrieved)
                    except ValueError:
                        return Answer(url, 0, None, retrieved, "the answer is not JSON")
                error = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    return Answer(url, response.status_code, None, retrieved, error)
                wait = retry_after(response.headers) or wait
            if attempt < self.retries:
                time.sleep(wait)
        return Answer(url, 0, None, "", f"{error} after {self.retries + 1} tries")
