"""A link checker for a built site: every internal link and fragment resolves.

Links into ``run/`` are the named queries `kg serve` runs; they exist only when
the site is served, so they are returned apart (``dynamic``), as are links
that leave the site (``external``: the DOI links).
"""

from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        wanted = LINK_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted) is not None:
            self.links.append(values[wanted])


@dataclass
class LinkReport:
    pages: int = 0
    links: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)
    """(page, link) pairs whose target file or fragment is missing."""
    external: set[str] = field(default_factory=set)
    dynamic: set[str] = field(default_factory=set)


def read_page(path: Path) -> tuple[list[str], set[str]]:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.links, collector.ids


def check_links(folder: Path) -> LinkReport:
    """Check every link of every page under ``folder``."""
    folder = Path(folder)
    pages = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*.html"))}
    parsed = {name: read_page(path) for name, path in pages.items()}
    report = LinkReport(pages=len(pages))
    for name, (links, ids) in parsed.items():
        for link in links:
            report.links += 1
            split = urllib.parse.urlsplit(link)
            if split.scheme or split.netloc:
                report.external.add(link)
                continue
            if not split.path:
                if split.fragment and split.fragment not in ids:
                    report.broken.append((name, link))
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), urllib.parse.unquote(split.path)))
            if target.startswith("run/"):
                report.dynamic.add(target + ("?" + split.query if split.query else ""))
                continue
            missing = target.startswith("../") or not (folder / target).is_file()
            if missing or (split.fragment and split.fragment not in parsed.get(target, ([], set()))[1]):
                report.broken.append((name, link))
    return report
