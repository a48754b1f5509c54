"""Whole-graph checks: SPARQL SELECT files in queries/checks/ that must return no
rows (ROBOT ``verify`` style), each with a severity and a Problem/Solution header."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..query.sparql import comment_header, parsed_form
from ..resources import queries_dir
from .report import Result, Severity

Select = Callable[[str], list[dict[str, str]]]
"""Runs a SELECT query; rows map variable names to terms in N-Triples form."""


@dataclass(frozen=True)
class Check:
    """A SPARQL SELECT in queries/checks/ that must return no rows.

    Rows bind ``?entity`` (the focus node), optionally ``?property`` and
    ``?value``; ``message`` may name any projected variable as ``{?var}``.
    """

    name: str
    query: str
    severity: Severity
    title: str
    problem: str = ""
    solution: str = ""
    message: str = ""

    @property
    def source(self) -> str:
        return f"check:{self.name}"


_CHECK_KEYS = ("title", "severity", "problem", "solution", "message")
_CHECK_PROSE = ("title", "problem", "solution", "message")


def parse_check(path: Path) -> Check:
    """A check from its file; the comment header holds its metadata (a key
    given twice: the last one counts)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read check: {exc}") from None
    parsed_form(text, str(path))  # a syntax error is the file's, found before any data work
    meta = {field.key: field.value for field in comment_header(text, _CHECK_KEYS, prose=_CHECK_PROSE)}
    try:
        severity = Severity.from_name(meta.get("severity", "error"))
    except ValueError as exc:
        raise UsageError(f"{path}:1: {exc}") from None
    return Check(
        name=path.stem,
        query=text,
        severity=severity,
        title=meta.get("title", path.stem),
        problem=meta.get("problem", ""),
        solution=meta.get("solution", ""),
        message=meta.get("message", ""),
    )


def load_checks(directory: Path | None = None) -> list[Check]:
    folder = directory or queries_dir() / "checks"
    return [parse_check(p) for p in sorted(folder.glob("*.rq"))] if folder.is_dir() else []


def display_term(term: str | None) -> str:
    """A term for people: an IRI without brackets, a literal's text."""
    if term is None:
        return ""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    found = re.match(r'^"(.*)"(?:\^\^<[^>]*>|@[\w-]+)?$', term, re.DOTALL)
    return found.group(1) if found else term


def run_check(check: Check, select: Select) -> list[Result]:
    results = []
    for row in select(check.query):
        focus = row.get("entity")
        if focus is None:
            continue
        template = check.message or check.title
        message = re.sub(r"\{\?(\w+)\}", lambda m: display_term(row.get(m.group(1))), template)
        path = row.get("property")
        results.append(Result(
            severity=check.severity, focus=focus, message=message, source=check.source,
            path=display_term(path) if path else None, value=row.get("value"),
        ))
    return results
