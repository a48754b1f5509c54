"""`kg site`: the whole static site from the store, written beside and switched in.

The site is built in a hidden folder next to the target and renamed into place
when complete, so a build that fails leaves the previous site. The same store
gives the same files, byte for byte (every list is sorted, layouts are seeded).
Pages are written by worker processes when there are many.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..model import NO_PROGRESS, Progress
from ..query.registry import get_query
from .data import QUERIES_USED, SiteData, read_site_data
from .home import curation_page, home_page, list_pages, query_page, search_index, search_page
from .pages import Pages, concept_page, person_page, venue_page, work_page
from .render import STATIC, static_file

PARALLEL_FROM = 3000
"""Entity pages from which the work is shared among worker processes."""
CHUNK = 250


@dataclass
class SiteSummary:
    folder: Path
    pages: int
    files: int
    bytes: int
    seconds: float
    kinds: dict[str, int]


def report_summary(report: dict) -> dict:
    """What the home page shows of a `kg validate --format json` report."""
    messages = Counter((r.get("severity", ""), r.get("message", "")) for r in report.get("results", []))
    top = sorted(messages.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return {
        "conforms": report.get("conforms"), "counts": dict(sorted(report.get("counts", {}).items())),
        "messages": [{"severity": s, "message": m, "n": n} for (s, m), n in top],
    }


def build_site(
    store: ox.Store, out: Path, base: str, *, report: dict | None = None, workers: int | None = None,
    progress: Progress = NO_PROGRESS,
) -> SiteSummary:
    """Write the site for ``store`` into ``out`` (replaced whole)."""
    started = time.perf_counter()
    out = Path(out)
    _check_target(out)
    data = read_site_data(store, progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".building", dir=out.parent))
    building.chmod(0o755)
    try:
        kinds, files, size = _write_all(data, building, base, report, workers, progress)
        _switch(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return SiteSummary(out, sum(kinds.values()), files, size, time.perf_counter() - started, kinds)


def _entities(data: SiteData) -> list[tuple[str, str]]:
    return ([("work", i) for i in sorted(data.works)] + [("person", i) for i in sorted(data.people)]
            + [("venue", i) for i in sorted(data.venues)] + [("concept", i) for i in sorted(data.concepts)])


BUILDERS: dict[str, Callable] = {"work": work_page, "person": person_page, "venue": venue_page, "concept": concept_page}

_shared: dict = {}


def _write_chunk(chunk: list[tuple[str, str]]) -> tuple[int, int]:
    pages, folder = _shared["pages"], _shared["folder"]
    size = 0
    for kind, iri in chunk:
        size += _write(folder, *BUILDERS[kind](pages, iri))
    return len(chunk), size


def _write(folder: Path, path: str, text: str | bytes) -> int:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    body = text.encode("utf-8") if isinstance(text, str) else text
    target.write_bytes(body)
    return len(body)


def _write_all(data: SiteData, folder: Path, base: str, report: dict | None, workers: int | None, progress: Progress):
    pages = Pages(data, base)
    entities = _entities(data)
    kinds = Counter(kind for kind, _ in entities)
    progress.stage("writing pages", total=len(entities), unit="pages")
    chunks = [entities[i:i + CHUNK] for i in range(0, len(entities), CHUNK)]
    size = 0
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    _shared.update(pages=pages, folder=folder)
    try:
        if workers > 1 and len(entities) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
            # Forked before any chart is drawn here: the workers inherit the values, not a converter.
            # Frozen, the collector leaves the inherited objects alone, so fewer pages are copied.
            gc.freeze()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for done, written in pool.imap_unordered(_write_chunk, chunks):
                    size += written
                    progress.advance(done)
        else:
            for chunk in chunks:
                done, written = _write_chunk(chunk)
                size += written
                progress.advance(done)
    finally:
        gc.unfreeze()
        _shared.clear()
    progress.stage("writing the home, lists and search", total=None)
    site_pages = [home_page(pages, report_summary(report) if report else None), curation_page(pages), search_page(pages),
                  *list_pages(pages), *(query_page(pages, get_query(name)) for name in sorted(set(QUERIES_USED)))]
    for path, text in site_pages:
        size += _write(folder, path, text)
    kinds.update(site=len(site_pages))
    size += _write(folder, "static/search-index.js", search_index(pages))
    for name in STATIC:
        size += _write(folder, f"static/{name}", static_file(name))
    files = sum(kinds.values()) + 1 + len(STATIC)
    return dict(sorted(kinds.items())), files, size


def _check_target(out: Path) -> None:
    """Refuse to replace a file, or a folder that is not a site (a user's own files)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"cannot write the site to {out}: it is a file")
    if out.exists() and any(out.iterdir()) and not (out / "index.html").exists():
        raise InputError(f"{out} is a folder that does not hold a kg site; name an empty or new folder")


def _switch(building: Path, out: Path) -> None:
    """Put the finished site at ``out``; an existing site there is replaced."""
    _check_target(out)
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(building, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
