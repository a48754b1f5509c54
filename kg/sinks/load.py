"""`kg load`: push the graph into a SPARQL 1.1 store without readers seeing half of it.

The protocol, the same for every store:

1. prepare the payload locally (from the embedded store, or from files that
   are parsed completely first, so malformed input is refused before anything
   is sent) as N-Triples in a temporary file, and count it;
2. drop staging graphs that earlier failed runs into the same target left
   behind, then upload into a fresh staging named graph in chunks (Graph Store
   Protocol POST, or INSERT DATA when the store has no GSP endpoint);
3. check that the staging graph holds exactly the triples sent;
4. swap in one SPARQL Update request: ``MOVE SILENT GRAPH <staging> TO GRAPH
   <target>`` (replace), or ``ADD`` (append) followed by dropping staging.

A failure before step 4 leaves the target untouched; the staging graph is
dropped when the server still answers, otherwise by the next run.

Credentials come only from the environment (`kg.sinks.endpoint.credentials`) and are
scrubbed from every message.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..config import Config
from .endpoint import (
    UNREACHABLE,
    USER_AGENT,
    auth_scheme,
    check_endpoint_url,
    credentials,
    digest_opener,
    http_error,
    redact,
    unreachable_error,
)
from ..errors import EndpointError, InputError, Interrupted, UsageError
from ..model import NO_PROGRESS, Progress
from .files import format_for
from .store import open_store

PROFILES_FILE = Path(__file__).with_name("profiles.toml")
STAGING_PREFIX = "urn:kg:staging:"
DEFAULT_CHUNK_SIZE = 100_000
DEFAULT_TIMEOUT = 3600.0
"""Seconds per request: a MOVE of millions of triples is one long request."""


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Plan:
    """Where and how to load, resolved from flags, profile and config."""

    query: str
    update: str
    gsp: str | None
    graph: str
    append: bool = False
    upload_params: dict[str, str] = field(default_factory=dict)
    chunk_size: int = DEFAULT_CHUNK_SIZE
    timeout: float = DEFAULT_TIMEOUT
    profile: str | None = None
    auth: str = "basic"
    """How a user and password go: ``basic``, or ``digest`` (KG_ENDPOINT_AUTH over the profile)."""


def builtin_profiles() -> dict[str, dict[str, Any]]:
    return tomllib.loads(PROFILES_FILE.read_text("utf-8"))


def resolve_profile(name: str, user_profiles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The settings of profile ``name``: a kg.toml profile over the built-in it extends."""
    builtins = builtin_profiles()
    seen: list[str] = []

    def settle(current: str) -> dict[str, Any]:
        if current in seen:
            raise UsageError(f"profile {name!r}: `extends` loops through {' -> '.join(seen + [current])}")
        seen.append(current)
        user = dict(user_profiles.get(current, {}))
        parent = user.pop("extends", None)
        if parent is not None:
            base = settle(str(parent))
        elif current in builtins:
            base = dict(builtins[current])
        elif current in user_profiles:
            base = {}
        else:
            known = ", ".join(sorted(set(builtins) | set(user_profiles)))
            raise UsageError(f"unknown profile {current!r}; known profiles: {known}")
        return {**base, **user}

    return settle(name)


def make_plan(
    config: Config,
    *,
    profile: str | None = None,
    endpoint_base: str | None = None,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    graph: str | None = None,
    append: bool = False,
    chunk_size: int | None = None,
    timeout: float | None = None,
) -> Plan:
    """Resolve the URLs and options: flags > profile > config."""
    settings = resolve_profile(profile, config.profiles) if profile else {}
    base = (endpoint_base or settings.get("endpoint_base") or "").rstrip("/")

    def derived(key: str) -> str | None:
        template = settings.get(key)
        if not template:
            return None
        if "{base}" in template and not base:
            raise UsageError(f"profile {profile!r} needs --endpoint-base URL (or endpoint_base in the profile)")
        return template.replace("{base}", base)

    query = endpoint or derived("query") or config.endpoint
    if not query:
        raise UsageError("no endpoint: pass --endpoint URL, or --profile NAME --endpoint-base URL")
    # Many stores (Virtuoso, QLever, Oxigraph's /sparql) take updates on the
    # query URL, so that is the fallback when nothing names an update URL.
    update = update_endpoint or derived("update") or query
    gsp = gsp_endpoint or derived("gsp")
    target = graph or settings.get("graph") or config.graph
    if not target:
        raise UsageError("no target graph: pass --graph IRI, or set `graph` in kg.toml or the profile")
    _check_graph_iri(target)
    for url in filter(None, (query, update, gsp)):
        check_endpoint_url(url)
    size = chunk_size or int(settings.get("chunk_size", DEFAULT_CHUNK_SIZE))
    if size < 1:
        raise UsageError("--chunk-size must be at least 1")
    params = {str(k): str(v) for k, v in dict(settings.get("upload_params", {})).items()}
    return Plan(
        query=query, update=update, gsp=gsp, graph=target, append=append, upload_params=params,
        chunk_size=size, timeout=timeout or DEFAULT_TIMEOUT, profile=profile,
        auth=auth_scheme(str(settings.get("auth", "basic"))),
    )


def _check_graph_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"not a graph IRI: {iri!r} ({exc})") from None
    if ":" not in iri or any(c in iri for c in "<>\" {}|\\^`"):
        raise UsageError(f"not an absolute graph IRI: {iri!r}")


# ------------------------------------------------------------------------ payload


@dataclass
class Payload:
    """The graph to send: N-Triples, one distinct triple a line, in a temporary file."""

    path: Path
    triples: int
    _folder: Path

    def chunks(self, size: int) -> Iterator[tuple[bytes, int]]:
        """(N-Triples bytes, triple count) for each run of ``size`` lines."""
        with open(self.path, "rb") as lines:
            while True:
                block = list(islice(lines, size))
                if not block:
                    return
                yield b"".join(block), len(block)

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "Payload":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def payload_from_store(store_path: str | Path) -> Payload:
    """The default graph of the embedded store (what `kg build` wrote)."""
    store = open_store(store_path, read_only=True)
    folder = Path(tempfile.mkdtemp(prefix="kg-load-"))
    target = folder / "graph.nt"
    store.dump(str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return Payload(target, _count_lines(target), folder)


def payload_from_files(files: Sequence[str | Path]) -> Payload:
    """The triples of RDF files, merged into one graph and de-duplicated.

    Every file is parsed completely before the caller sends anything; the
    graph names of N-Quads/TriG files are dropped because kg loads one graph.
    """
    folder = Path(tempfile.mkdtemp(prefix="kg-load-"))
    try:
        scratch = ox.Store(str(folder / "store"))
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise UsageError(f"{path}: no such file")
            fmt = format_for(path, reading=True)
            try:
                if path.suffix == ".gz":
                    with gzip.open(path, "rb") as data:
                        scratch.bulk_load(input=data.read(), format=fmt)
                else:
                    scratch.bulk_load(path=str(path), format=fmt)
            except (SyntaxError, ValueError) as exc:
                raise InputError(f"{path}: not valid {fmt.name}: {exc}; nothing was sent") from None
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc}") from None
        for graph in list(scratch.named_graphs()):
            scratch.update(f"ADD SILENT GRAPH {graph} TO DEFAULT")
        target = folder / "graph.nt"
        scratch.dump(str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        del scratch
        return Payload(target, _count_lines(target), folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as data:
        while block := data.read(1 << 24):
            count += block.count(b"\n")
    return count


# --------------------------------------------------------------------------- HTTP


class _Client:
    """A small HTTP client that names the endpoint in every error and leaks no secret."""

    def __init__(self, plan: Plan, timeout: float | None = None):
        self.timeout = timeout or plan.timeout
        self.headers = {"User-Agent": USER_AGENT, **credentials(plan.auth)}
        opener = digest_opener(plan.auth, plan.query, plan.update, plan.gsp)
        self.open = opener.open if opener else urllib.request.urlopen
        self.secrets = _secrets()

    def request(self, url: str, body: bytes, content_type: str, accept: str | None = None) -> bytes:
        headers = {**self.headers, "Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        where = self.scrub(redact(url.split("?", 1)[0]))
        try:
            with self.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise EndpointError(self.scrub(str(http_error(where, exc.code, exc.reason, exc.read())))) from None
        except UNREACHABLE as exc:
            raise EndpointError(self.scrub(str(unreachable_error(where, exc)))) from None

    def update(self, url: str, text: str) -> None:
        self.request(url, text.encode("utf-8"), "application/sparql-update")

    def select(self, url: str, text: str) -> list[dict[str, Any]]:
        # A form-encoded POST, which every SPARQL 1.1 store takes: Virtuoso 7 never
        # answers a POST of application/sparql-query (openlink/virtuoso-opensource#842).
        body = urllib.parse.urlencode({"query": text}).encode("ascii")
        answer = self.request(url, body, "application/x-www-form-urlencoded", "application/sparql-results+json")
        try:
            return json.loads(answer)["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise EndpointError(f"{redact(url)}: the answer is not SPARQL JSON results") from None

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _secrets() -> list[str]:
    values = [os.environ.get(n, "") for n in ("KG_ENDPOINT_TOKEN", "KG_ENDPOINT_PASSWORD")]
    values += [v.split(" ", 1)[1] for v in credentials("basic").values() if " " in v]
    return [v for v in values if len(v) >= 3]


# ----------------------------------------------------------------------- protocol


@dataclass
class LoadReport:
    graph: str
    staging: str
    triples: int
    target_triples: int
    chunks: int
    append: bool
    stale_dropped: list[str]
    seconds: float


def swap_hint(message: str) -> str:
    """What to do when the store refused the swap for its size."""
    if "SR325" in message:  # Virtuoso: the one transaction outgrew TransactionAfterImageLimit
        return ("; the swap is one transaction, and Virtuoso limits what one transaction may log: raise "
                "TransactionAfterImageLimit in [Parameters] of virtuoso.ini (bytes; default 50000000) "
                "or use the bulk loader (docs/loading.md); the target graph was not changed")
    return ""


def staging_prefix(target: str) -> str:
    """Prefix of the staging graphs of one target, so a run finds earlier leftovers."""
    return f"{STAGING_PREFIX}{hashlib.sha256(target.encode('utf-8')).hexdigest()[:16]}:"


def load(payload: Payload, plan: Plan, progress: Progress = NO_PROGRESS) -> LoadReport:
    """Load ``payload`` into ``plan.graph``; the target changes in one update or not at all.
    ``progress`` hears each step begin and the triples uploaded."""
    started = time.monotonic()
    client = _Client(plan)
    prefix = staging_prefix(plan.graph)
    staging = f"{prefix}{uuid.uuid4().hex[:16]}"

    progress.stage("preparing a staging graph")
    stale = _stale_staging_graphs(client, plan, prefix)
    # Also a first check that the update endpoint answers and accepts us.
    client.update(plan.update, ";\n".join(f"DROP SILENT GRAPH <{g}>" for g in [*stale, staging]))
    swapping = False
    try:
        chunks = _upload(client, plan, staging, payload, progress)
        progress.stage("counting the triples in the staging graph")
        held = _count(client, plan, staging)
        if held != payload.triples:
            raise EndpointError(
                f"{redact(plan.gsp or plan.update)}: the staging graph holds {held} triples, "
                f"{payload.triples} were sent; the target graph was not changed"
            )
        progress.stage("swapping the staging graph onto the target" if not plan.append
                       else "adding the staging graph to the target")
        swapping = True
        try:
            if plan.append:
                client.update(plan.update, f"ADD SILENT GRAPH <{staging}> TO GRAPH <{plan.graph}>")
                client.update(plan.update, f"DROP SILENT GRAPH <{staging}>")
            else:
                client.update(plan.update, f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{plan.graph}>")
        except EndpointError as exc:
            raise EndpointError(f"{exc}{swap_hint(str(exc))}") from None
    except KeyboardInterrupt:
        committed = _swapped(plan, staging, payload.triples) if swapping else False
        if not committed:
            _drop_quietly(plan, staging)
        raise _interrupted(plan, committed) from None
    except BaseException:
        _drop_quietly(plan, staging)
        raise
    try:
        progress.stage("counting the triples in the target graph")
        target_triples = _count(client, plan, plan.graph)
    except KeyboardInterrupt:
        raise _interrupted(plan, True) from None
    if not plan.append and target_triples != payload.triples:
        raise EndpointError(
            f"{redact(plan.query)}: after the swap the target graph holds {target_triples} triples, "
            f"expected {payload.triples}; does the store apply an update request atomically?"
        )
    return LoadReport(
        graph=plan.graph, staging=staging, triples=payload.triples, target_triples=target_triples,
        chunks=chunks, append=plan.append, stale_dropped=stale, seconds=time.monotonic() - started,
    )


def _stale_staging_graphs(client: _Client, plan: Plan, prefix: str) -> list[str]:
    # Not `GRAPH ?g {}`, which would skip the triples: Virtuoso answers it with
    # one row leaving ?g unbound, so its leftovers were never found.
    rows = client.select(
        plan.query,
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}',
    )
    return sorted(row["g"]["value"] for row in rows if "g" in row)


def _upload(client: _Client, plan: Plan, staging: str, payload: Payload, progress: Progress) -> int:
    chunks = 0
    progress.stage("uploading", total=payload.triples, unit="triples")
    for body, count in payload.chunks(plan.chunk_size):
        if plan.gsp:
            separator = "&" if "?" in plan.gsp else "?"
            params = _query_string({"graph": staging, **plan.upload_params})
            client.request(f"{plan.gsp}{separator}{params}", body, "application/n-triples")
        else:
            text = b"INSERT DATA { GRAPH <" + staging.encode() + b"> {\n" + body + b"} }"
            client.request(plan.update, text, "application/sparql-update")
        chunks += 1
        progress.advance(count, note=f"{chunks} chunk(s)")
    return chunks


def _query_string(params: dict[str, str]) -> str:
    """URL parameters; an empty value gives a bare flag such as Oxigraph's ``no_transaction``."""
    quote = lambda text: urllib.parse.quote(text, safe="")  # noqa: E731
    return "&".join(quote(k) + (f"={quote(v)}" if v else "") for k, v in params.items())


def _count(client: _Client, plan: Plan, graph: str) -> int:
    rows = client.select(plan.query, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    try:
        return int(rows[0]["n"]["value"])
    except (IndexError, KeyError, ValueError):
        raise EndpointError(f"{redact(plan.query)}: no count in the answer to a COUNT query") from None


def _swapped(plan: Plan, staging: str, triples: int) -> bool | None:
    """Whether an update interrupted on our side took effect on the server: the
    staging graph is gone and the target holds what was sent (None: cannot tell)."""
    client = _Client(plan, min(plan.timeout, 30.0))
    try:
        if plan.append:
            # ADD leaves the staging graph until the DROP; the target cannot tell us.
            return None
        return _count(client, plan, staging) == 0 and _count(client, plan, plan.graph) == triples
    except (EndpointError, KeyboardInterrupt):
        return None


def _interrupted(plan: Plan, committed: bool | None) -> Interrupted:
    where = f"graph <{plan.graph}> at {redact(plan.update)}"
    if committed:
        return Interrupted(f"interrupted after the new graph was committed to the {where}", committed=True)
    if committed is None:
        return Interrupted(f"interrupted during the swap; check the {where} (it holds either the old or the new graph)",
                           committed=None)
    return Interrupted(f"interrupted; the {where} is as it was", committed=False)


def _drop_quietly(plan: Plan, staging: str) -> None:
    """Best effort: a dead server keeps the staging graph until the next run drops it."""
    try:
        _Client(plan, min(plan.timeout, 30.0)).update(plan.update, f"DROP SILENT GRAPH <{staging}>")
    except EndpointError:
        pass
