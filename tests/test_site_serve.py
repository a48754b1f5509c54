"""`kg serve --site`: the pages beside the read-only endpoint, and the pages'
"run on kg serve" links running the named queries."""

from __future__ import annotations

import urllib.parse

import pytest

from serving import answer, form, kg_serve, store_copy
from kg.site import build_site
from kg.sinks.store import open_store
from kg.vocab import DEFAULT_BASE

REPPER = f"{DEFAULT_BASE}person/julie-repper"


@pytest.fixture(scope="module")
def served_site(tmp_path_factory, example_build):
    store = store_copy(tmp_path_factory, example_build)
    site = tmp_path_factory.mktemp("served") / "site"
    build_site(open_store(example_build.store), site, DEFAULT_BASE, workers=1)
    with kg_serve(store, "--site", str(site)) as server:
        yield server.url, site


def test_pages_are_served_from_the_top(served_site):
    url, site = served_site
    status, kind, body = answer(f"{url}/")
    assert (status, kind) == (200, "text/html; charset=utf-8") and body == (site / "index.html").read_bytes()
    status, kind, body = answer(f"{url}/person/julie-repper.html")
    assert status == 200 and b"Julie Repper" in body
    assert answer(f"{url}/static/site.css")[1] == "text/css; charset=utf-8"
    assert answer(f"{url}/static/search-index.js")[1] == "text/javascript; charset=utf-8"


def test_nothing_outside_the_site_folder_is_served(served_site):
    url, _ = served_site
    for path in ("/nope.html", "/../store/x", "/%2e%2e/%2e%2e/etc/passwd", "/static/../../etc/passwd"):
        assert answer(url + path)[0] == 404, path


def test_run_links_run_the_named_query(served_site):
    url, site = served_site
    page = (site / "person/julie-repper.html").read_text()
    link = "/run/author-works?" + urllib.parse.urlencode({"author": REPPER})
    assert f'href="..{link}"' in page
    status, kind, body = answer(url + link, accept="text/html")
    assert (status, kind) == (200, "text/plain; charset=utf-8")
    lines = body.decode().splitlines()
    assert lines[0].startswith("work,year,title,position") and len(lines) == 3
    assert {line.split(",")[0] for line in lines[1:]} == {
        f"{DEFAULT_BASE}work/puschner-2019-6f1efec9f9", f"{DEFAULT_BASE}work/conchar-2014-6fe40b3397",
    }
    status, kind, _ = answer(url + link, accept="application/sparql-results+json")
    assert (status, kind) == (200, "application/sparql-results+json")
    assert answer(f"{url}/run/no-such-query")[0] == 404
    assert answer(f"{url}/run/author-works")[0] == 400  # the required parameter is missing


def test_updates_stay_refused_with_a_site(served_site):
    url, _ = served_site
    assert answer(f"{url}/update", data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                  content_type="application/sparql-update")[0] == 403
    assert answer(f"{url}/index.html", data=b"x", content_type="text/plain", method="POST")[0] in (403, 404)
    assert answer(f"{url}/query", **form("ASK { }"))[0] == 200
