"""Stable page paths from IRIs, and links between pages.

A page's path is its IRI's path below the base (``work/hodges-2007-0336e28305``
for ``<base>work/hodges-2007-0336e28305``), below the concept namespace for
concepts (``concept/peer-support``), with ``.html`` added. Characters outside
``A-Z a-z 0-9 . _ -`` become ``_`` and the segment gets a short hash of what it
was, so two IRIs never share a page and links need no escaping.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import urllib.parse

from ..vocab import CONCEPTS

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _segment(text: str) -> str:
    clean = _UNSAFE.sub("_", text)[:80]
    if clean != text or clean.startswith(".") or not clean:
        clean = f"{clean.lstrip('.')}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
    return clean


def page_path(iri: str, base: str) -> str:
    """The site-relative path of the page of ``iri``."""
    if iri.startswith(CONCEPTS):
        rest = "concept/" + iri[len(CONCEPTS):]
    elif iri.startswith(base):
        rest = iri[len(base):]
    else:
        split = urllib.parse.urlsplit(iri)
        rest = f"other/{split.netloc}{split.path}" + (f"/{split.query}" if split.query else "")
    segments = [_segment(urllib.parse.unquote(s)) for s in rest.strip("/").split("/") if s] or ["unnamed"]
    return "/".join(segments) + ".html"


def href(source: str, target: str) -> str:
    """A relative link from the page at ``source`` to the file at ``target``."""
    if source == target:
        return posixpath.basename(target)
    # Both are clean site paths (no "." or ".." segments): a prefix walk, much
    # cheaper than posixpath.relpath, which a site of 100k pages calls millions of times.
    here = source.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


def root(source: str) -> str:
    """The relative path from ``source`` to the site's top folder (``""`` at the top)."""
    depth = source.count("/")
    return "../" * depth
