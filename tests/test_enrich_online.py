"""`kg enrich --source crossref|openalex` against a local HTTP server on 127.0.0.1.

The server replays real answers: the Crossref REST responses and OpenAlex works
of ``../shared/corpus/exports`` (a work by DOI, a list whose items are the
real works), and can answer a path with 429 + Retry-After, 500, or too late.
The listing it completes is those same works printed as ScienceGate listing
records without title, venue or DOI.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner
from conftest import free_port
from exports import exports  # noqa: F401 - the fixture

from benchmarks.listing_render import render
from kg.cli import cli
from kg.read import read_path
from kg.text import fold

MAILTO = "curator@example.org"


def crossref_answers(exports: Path) -> tuple[dict[str, dict], list[dict]]:
    """Real Crossref works by DOI (single-work answers kept whole) and all the works."""
    by_doi: dict[str, dict] = {}
    works: list[dict] = []
    for path in sorted((exports / "crossref_json").glob("*.json")):
        body = json.loads(path.read_text("utf-8"))
        message = body["message"]
        for item in message.get("items", [message]):
            works.append(item)
            by_doi[item["DOI"].lower()] = body if "items" not in message else {"status": "ok", "message": item}
    return by_doi, works


class Replay(ThreadingHTTPServer):
    """Answers from real works; ``faults`` maps a path prefix to ``429``, ``500`` or ``slow``."""

    daemon_threads = True

    def __init__(self, port: int, crossref: tuple[dict, list], openalex: list[dict]) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.crossref_by_doi, self.crossref_works = crossref
        self.openalex = openalex
        self.requests: list[tuple[float, str, dict, str]] = []
        self.faults: dict[str, str] = {}
        self.seen_faults: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Replay

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, params = unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.requests.append((time.monotonic(), path, params, self.headers.get("User-Agent", "")))
        for prefix, fault in self.server.faults.items():
            if path.startswith(prefix):
                if fault == "429-once" and prefix not in self.server.seen_faults:
                    self.server.seen_faults.add(prefix)
                    return self.answer(429, {"message": "slow down"}, {"Retry-After": "1"})
                if fault == "500":
                    return self.answer(500, {"message": "broken"})
                if fault == "slow":
                    time.sleep(1.5)
        if path.startswith("/crossref/works/"):
            body = self.server.crossref_by_doi.get(path.removeprefix("/crossref/works/").lower())
            return self.answer(200, body) if body else self.answer(404, {"message": "Resource not found."})
        if path == "/crossref/works":
            year = params["filter"].split(",")[0].removeprefix("from-pub-date:")
            words = set(fold(params["query.bibliographic"]).split())
            items = [w for w in self.server.crossref_works
                     if str(w.get("issued", {}).get("date-parts", [[None]])[0][0]) == year
                     and words & {word for a in w.get("author", []) for word in fold(a.get("family", "")).split()}]
            return self.answer(200, {"status": "ok", "message-type": "work-list",
                                     "message": {"items": items[: int(params["rows"])]}},
                               {"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"})
        if path.startswith("/openalex/works/doi:"):
            doi = "https://doi.org/" + path.removeprefix("/openalex/works/doi:").lower()
            work = next((w for w in self.server.openalex if (w.get("doi") or "").lower() == doi), None)
            return self.answer(200, work) if work else self.answer(404, {"error": "not found"})
        if path == "/openalex/works":
            wanted = dict(f.split(":", 1) for f in params["filter"].split(","))
            results = [w for w in self.server.openalex
                       if str(w["publication_year"]) == wanted["publication_year"]
                       and all(w["biblio"].get(k.removeprefix("biblio.")) == v for k, v in wanted.items() if k.startswith("biblio."))]
            return self.answer(200, {"meta": {"count": len(results)}, "results": results[: int(params["per-page"])]})
        return self.answer(404, {"error": "no such path"})

    def answer(self, status: int, body: object, headers: dict | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server(exports):  # noqa: F811
    openalex = json.loads((exports / "openalex_json/synergy-dataset__Oud_2018__works_1.zip__works_0_25.json").read_text("utf-8"))
    replay = Replay(free_port(), crossref_answers(exports), openalex)
    thread = threading.Thread(target=replay.serve_forever, daemon=True)
    thread.start()
    yield replay
    replay.shutdown()
    replay.server_close()


def listing_of(folder: Path, files: list[Path]) -> Path:
    records = [r for path in files for r in read_path(path, path.name)[1].records]
    text, _ = render([replace(r, title=None) for r in records], random.Random(0))
    listing = folder / "listing.txt"
    listing.write_text(text, "utf-8")
    return listing


def kg(*args: str):
    return CliRunner().invoke(cli, list(args))


def built(tmp_path: Path, files: list[Path]) -> str:
    store = str(tmp_path / ".kg" / "store")
    result = kg("build", str(listing_of(tmp_path, files)), "--store", store, "-q", "--no-tag")
    assert result.exit_code == 0, result.output
    return store


def enrich(store: str, server: Replay, source: str, *more: str):
    return kg("enrich", "--store", store, "--source", source, "--base-url", f"{server.url}/{source}",
              "--mailto", MAILTO, "--format", "json", "--backoff", "0", *more)


def test_crossref_requests_carry_the_query_filter_and_mailto_and_fill_the_works(tmp_path, server, exports):
    store = built(tmp_path, sorted((exports / "crossref_json").glob("*.json")))
    result = enrich(store, server, "crossref")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["looked_up"], report["matched"], report["not_found"], report["failed"]) == (10, 8, 0, [])
    # the two Oxford Bibliographies entries have no volume or pages: found, never merged
    assert [(r["candidate"], r["evidence"][-1]) for r in report["needs_review"]] == [
        ("https://doi.org/10.1093/obo/9780199830060-0023", "year, volume, first page and first author not all present on both"),
        ("https://doi.org/10.1093/obo/9780199830060-0202", "year, volume, first page and first author not all present on both"),
    ]
    assert report["filled"] == {"title": 8, "venue": 8, "doi": 8, "authors": 4, "abstract": 1}
    assert len(server.requests) == 10
    for _, path, params, agent in server.requests:
        assert path == "/crossref/works"
        assert sorted(params) == ["filter", "mailto", "query.bibliographic", "rows"]
        year = params["filter"].removeprefix("from-pub-date:").split(",")[0]
        assert params["filter"] == f"from-pub-date:{year},until-pub-date:{year}"
        assert params["mailto"] == MAILTO and params["rows"] == "5"
        assert agent.startswith("kg/") and f"mailto:{MAILTO}" in agent
    exported = kg("export", "--store", store, "-o", str(tmp_path / "graph.nt"))
    assert exported.exit_code == 0, exported.output
    graph = (tmp_path / "graph.nt").read_text("utf-8")
    assert '<http://prismstandard.org/namespaces/basic/2.0/doi> "10.1371/journal.pone.0033693"' in graph
    assert "<https://w3id.org/kg/ns#retrievedFrom> <https://doi.org/10.1371/journal.pone.0033693>" in graph

    # --all asks again for every work, by DOI where one is now known
    server.requests.clear()
    again = enrich(store, server, "crossref", "--all")
    assert again.exit_code == 0, again.output
    by_doi = sorted(path for _, path, _, _ in server.requests if path != "/crossref/works")
    assert by_doi == sorted(f"/crossref/works/{d}" for d in (
        "10.1155/2018/3687839", "10.1155/2012/574971", "10.1155/2021/3601897", "10.1155/2014/802347",
        "10.1155/dte.4.9", "10.1002/jor.1100150407", "10.1016/j.neurobiolaging.2010.03.024",
        "10.1371/journal.pone.0033693"))
    assert json.loads(again.stdout)["matched"] == 8


def test_the_second_run_is_answered_from_the_cache(tmp_path, server, exports):
    store = built(tmp_path, sorted((exports / "crossref_json").glob("*.json")))
    assert enrich(store, server, "crossref").exit_code == 0
    first = len(server.requests)
    (tmp_path / ".kg" / "enrich" / "matched.jsonl").unlink()  # forget the matches, keep the cache
    assert kg("build", str(tmp_path / "listing.txt"), "--store", store, "-q", "--no-tag").exit_code == 0
    second = enrich(store, server, "crossref")
    assert second.exit_code == 0, second.output
    assert len(server.requests) == first == 10
    report = json.loads(second.stdout)
    assert (report["matched"], report["requests"]) == (8, 0)


def test_offline_with_an_empty_cache_asks_nothing_and_changes_nothing(tmp_path, server, exports):
    store = built(tmp_path, sorted((exports / "crossref_json").glob("*.json")))
    result = enrich(store, server, "crossref", "--offline")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["looked_up"], report["matched"], report["not_in_cache"], report["not_found"]) == (10, 0, 10, 0)
    assert server.requests == []


def test_openalex_requests_filter_on_year_volume_first_page_then_doi(tmp_path, server, exports, monkeypatch):
    store = built(tmp_path, [exports / "openalex_json/synergy-dataset__Oud_2018__works_1.zip__works_0_25.json"])
    result = enrich(store, server, "openalex")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["looked_up"], report["matched"]) == (25, 21)
    for _, path, params, agent in server.requests:
        assert path == "/openalex/works" and params["mailto"] == MAILTO and params["per-page"] == "5"
        assert params["filter"].startswith("publication_year:")
        assert f"mailto:{MAILTO}" in agent
    with_pages = [p for _, _, p, _ in server.requests if "biblio.first_page:" in p["filter"]]
    assert len(with_pages) == 21 and all("biblio.volume:" in p["filter"] for p in with_pages)

    # --all asks again by DOI where one is now known, with the API key from the environment only
    server.requests.clear()
    monkeypatch.setenv("KG_OPENALEX_API_KEY", "secret-key-1")
    again = enrich(store, server, "openalex", "--all")
    assert again.exit_code == 0, again.output
    by_doi = [(path, params) for _, path, params, _ in server.requests if path.startswith("/openalex/works/doi:")]
    assert len(by_doi) == 21 and all(params == {"mailto": MAILTO, "api_key": "secret-key-1"} for _, params in by_doi)
    cached = "".join(p.read_text("utf-8") for p in (tmp_path / ".kg" / "enrich" / "cache").rglob("*.json"))
    assert "secret-key-1" not in cached and MAILTO not in cached and "secret-key-1" not in again.output


def test_429_with_retry_after_is_waited_out_then_answered(tmp_path, server, exports):
    store = built(tmp_path, [exports / "crossref_json/habanero-cassette-body__works__10.1371_journal.pone.0033693.json"])
    server.faults["/crossref/works"] = "429-once"
    result = enrich(store, server, "crossref")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["matched"] == 1
    (t1, *_), (t2, *_) = server.requests
    assert len(server.requests) == 2 and t2 - t1 >= 1.0  # Retry-After: 1, with no backoff of our own


def test_500_is_retried_then_reported(tmp_path, server, exports):
    store = built(tmp_path, [exports / "crossref_json/habanero-cassette-body__works__10.1371_journal.pone.0033693.json"])
    server.faults["/crossref/works"] = "500"
    result = enrich(store, server, "crossref", "--retries", "2")
    assert result.exit_code == 3
    assert len(server.requests) == 3
    report = json.loads(result.stdout)
    [failed] = report["failed"]
    assert failed.startswith(f"listing.txt:3: {server.url}/crossref/works?filter=from-pub-date%3A2012%2Cuntil-pub-date%3A2012&")
    assert failed.endswith("&rows=5: HTTP 500 after 3 tries")
    assert "1 lookup(s) failed" in result.stderr
    assert not (tmp_path / ".kg" / "enrich" / "cache" / "crossref").exists()  # a failure is not cached


def test_an_answer_that_comes_too_late_is_a_timeout(tmp_path, server, exports):
    store = built(tmp_path, [exports / "crossref_json/habanero-cassette-body__works__10.1371_journal.pone.0033693.json"])
    server.faults["/crossref/works"] = "slow"
    result = enrich(store, server, "crossref", "--timeout", "0.3", "--retries", "1")
    assert result.exit_code == 3
    [failed] = json.loads(result.stdout)["failed"]
    assert failed.endswith("no answer within 0.3s after 2 tries")


def test_enrich_needs_a_mailto_to_go_online(tmp_path, server, exports, monkeypatch):
    monkeypatch.delenv("KG_MAILTO", raising=False)
    monkeypatch.chdir(tmp_path)
    store = built(tmp_path, [exports / "crossref_json/habanero-cassette-body__works__10.1371_journal.pone.0033693.json"])
    result = kg("enrich", "--store", store, "--source", "crossref", "--base-url", server.url)
    assert result.exit_code == 2 and "needs --mailto" in result.stderr
    monkeypatch.setenv("KG_MAILTO", MAILTO)
    result = kg("enrich", "--store", store, "--source", "crossref", "--base-url", f"{server.url}/crossref", "-q")
    assert result.exit_code == 0, result.output
    assert server.requests[0][2]["mailto"] == MAILTO


@pytest.mark.parametrize(("limit", "interval", "expected"), [
    ("50", "1s", 0.1),  # the polite pool's 50 a second: our own 10 a second stays
    ("2", "1s", 0.5),
    ("30", "1m", 2.0),
    ("garbage", "1s", 0.1),
])
def test_the_rate_limit_follows_crossref_headers_down_never_up(limit, interval, expected):
    import httpx

    from kg.enrich.http import RateLimit

    rate = RateLimit(10)
    rate.follow(httpx.Headers({"X-Rate-Limit-Limit": limit, "X-Rate-Limit-Interval": interval}))
    assert rate.interval == pytest.approx(expected)


def test_retry_after_in_seconds_or_as_a_date_and_capped():
    import email.utils

    import httpx

    from kg.enrich.http import MAX_RETRY_AFTER, retry_after

    assert retry_after(httpx.Headers({"Retry-After": "7"})) == 7.0
    assert retry_after(httpx.Headers({"Retry-After": "86400"})) == MAX_RETRY_AFTER
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after(httpx.Headers({"Retry-After": later})) <= 30
    assert retry_after(httpx.Headers({})) is None
