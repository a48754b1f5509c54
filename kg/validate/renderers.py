"""Render a :class:`kg.validate.report.Report` as text, JSON, Turtle, GitHub annotations
or JUnit XML. Each renderer is a pure function: Report in, text out.

IRIs follow kg's one rule: what people read (text, and the GitHub annotations and
JUnit cases a CI page shows) has CURIEs where kg knows the prefix
(``work:hodges-2007-0336e28305``, ``kgsh:paper-title``); JSON has full IRIs as
plain strings; Turtle has RDF terms."""

from __future__ import annotations

import json
import re
from itertools import groupby
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..text import visible
from ..vocab import DEFAULT_BASE, SH, XSD, XSD_STRING, prefixed_name
from .report import Report, Result, Severity

_DATATYPE = re.compile(r"\^\^<([^<>]*)>$")


def compact(term: str | None, base: str = DEFAULT_BASE) -> str:
    """A term (N-Triples text, or a bare IRI) shortened with kg's prefixes, for people
    to read; a literal keeps its quotes, its datatype shortened too (``"5"^^xsd:integer``)."""
    if not term:
        return ""
    if term.startswith('"'):
        found = _DATATYPE.search(term)
        name = found and prefixed_name(found.group(1), base)
        return term[: found.start()] + "^^" + name if name else term
    if term.startswith("^<"):  # an inverse path
        return "^" + compact(term[1:], base)
    bare = term[1:-1] if term.startswith("<") and term.endswith(">") else term
    name = prefixed_name(bare, base)
    if name:
        return name
    return term if term.startswith(("<", "_:", "check:", "^", "(")) else f"<{bare}>"


def rule_name(result: Result, base: str = DEFAULT_BASE) -> str:
    return result.source if result.is_check else compact(result.source, base)


# --------------------------------------------------------------------------- text


def render_text(report: Report, fail_on: Severity | None = Severity.VIOLATION, base: str = DEFAULT_BASE) -> str:
    """Grouped by input file and record, so a curator can work through the inputs;
    ``base`` is the base IRI in use, for ``work:``/``person:`` CURIEs."""
    out = [f"kg validate: {report.target}"] if report.target else []
    for location, group in groupby(report.results, key=lambda r: (r.file, r.line)):
        file, line = location
        out.append("")
        out.append(f"{file}:{line}" if file else "(not traced to an input record)")
        for focus, results in groupby(group, key=lambda r: r.focus):
            out.append(f"  {compact(focus, base)}")
            for r in results:
                where = f" {compact(r.path, base)}" if r.path else ""
                value = f" = {compact(r.value, base)}" if r.value else ""
                out.append(f"    {r.severity.label:<9} {visible(r.message)}  [{rule_name(r, base)}{where}{visible(value)}]")
    out.append("")
    out.append(f"{report.summary()}; {report.verdict(fail_on)}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- JSON


def plain_iri(term: str | None) -> str | None:
    """``<iri>`` as the bare IRI; anything else (``check:name``, ``_:b``, a property
    path such as ``^<iri>``) as it is."""
    if term and term.startswith("<") and term.endswith(">") and ">" not in term[1:-1]:
        return term[1:-1]
    return term


def plain_value(term: str | None) -> tuple[str | None, str | None, str | None]:
    """An N-Triples (or Turtle) term as (value, datatype, language): an IRI as
    itself, a literal as its text with its datatype IRI (none for a plain or
    language-tagged string) and language tag."""
    if not term or not term.startswith('"'):
        return plain_iri(term), None, None
    try:
        literal = next(iter(ox.parse(f"<x:s> <x:p> {term} .", format=ox.RdfFormat.TURTLE))).object
    except (SyntaxError, ValueError, StopIteration):
        return term, None, None
    if literal.language:
        return literal.value, None, literal.language
    datatype = literal.datatype.value
    return literal.value, None if datatype == XSD_STRING else datatype, None


def result_dict(result: Result) -> dict:
    """One result with plain values: full IRIs without angle brackets, a
    literal value as its text beside its datatype and language."""
    value, datatype, language = plain_value(result.value)
    return {
        "severity": result.severity.label,
        "focus": plain_iri(result.focus),
        "path": plain_iri(result.path),
        "value": value,
        "value_datatype": datatype,
        "value_language": language,
        "message": result.message,
        "source": plain_iri(result.source),
        "component": result.component,
        "file": result.file,
        "line": result.line,
    }


def render_json(report: Report, fail_on: Severity | None = Severity.VIOLATION) -> str:
    document = {
        "target": report.target,
        "conforms": report.conforms,
        "fail_on": fail_on.label if fail_on else "none",
        "failing": len(report.failing(fail_on)),
        "counts": {s.label: n for s, n in report.counts.items()},
        "rules": [plain_iri(rule) for rule in report.rules],
        "results": [result_dict(r) for r in report.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- Turtle


def _turtle_path(path: str) -> str:
    """A result path as a Turtle term: an IRI, or a SHACL path node for ^p."""
    if path.startswith("^"):
        return f"[ sh:inversePath {_turtle_path(path[1:])} ]"
    if path.startswith("<"):
        return path
    if path.startswith("("):
        return f'"{path}"'  # other complex paths: kept readable, not as SHACL lists
    return f"<{path}>"


def _turtle_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_turtle(report: Report, fail_on: Severity | None = Severity.VIOLATION) -> str:
    """The standard SHACL validation report graph (sh:ValidationReport).

    sh:conforms is false whenever there is a result, of any severity (SHACL
    3.6.1); --fail-on sets only the exit code. Checks appear as results whose
    sh:sourceShape is ``urn:kg:check:<name>``. Written as text in result
    order, so the output is byte-stable.
    """
    lines = [
        f"@prefix sh: <{SH}> .",
        f"@prefix xsd: <{XSD}> .",
        "",
        "[] a sh:ValidationReport ;",
        f"    sh:conforms {'true' if report.conforms else 'false'}",
    ]
    for result in report.results:
        parts = [
            "a sh:ValidationResult",
            f"sh:resultSeverity <{result.severity.iri}>",
            f"sh:focusNode {result.focus}",
            f"sh:resultMessage {_turtle_string(result.message)}",
            f"sh:sourceShape {'<urn:kg:' + result.source + '>' if result.is_check else result.source}",
            f"sh:sourceConstraintComponent <{result.component or SH + 'SPARQLConstraintComponent'}>",
        ]
        if result.path:
            parts.append(f"sh:resultPath {_turtle_path(result.path)}")
        if result.value:
            parts.append(f"sh:value {result.value}")
        lines[-1] += " ;"
        lines.append("    sh:result [ " + " ;\n        ".join(parts) + " ]")
    lines[-1] += " ."
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- GitHub


_LEVEL = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, fail_on: Severity | None = Severity.VIOLATION, source_root: str = "",
                  base: str = DEFAULT_BASE) -> str:
    """GitHub Actions workflow commands: one annotation per result, pointing at
    the input file and line when known (``source_root`` prefixes the file, as
    the graph records input names relative to what `kg build` was given)."""
    out = []
    for r in report.results:
        props = [f"title={_gh_property(f'{r.severity.label}: {rule_name(r, base)}')}"]
        if r.file:
            props.insert(0, f"file={_gh_property(_joined(source_root, r.file))}")
            if r.line:
                props.insert(1, f"line={r.line}")
        text = f"{visible(r.message)} ({compact(r.focus, base)}{' ' + compact(r.path, base) if r.path else ''})"
        out.append(f"::{_LEVEL[r.severity]} {','.join(props)}::{_gh_data(text)}")
    out.append(report.summary())
    return "\n".join(out) + "\n"


def _joined(root: str, file: str) -> str:
    return f"{root.rstrip('/')}/{file}" if root else file


# --------------------------------------------------------------------------- JUnit


def render_junit(report: Report, fail_on: Severity | None = Severity.VIOLATION, source_root: str = "",
                 base: str = DEFAULT_BASE) -> str:
    """JUnit XML for GitLab, Jenkins and friends: one test suite per rule, one
    test case per result (a failure when at or above ``fail_on``), and one
    passing case for every rule without results."""
    by_rule: dict[str, list[Result]] = {rule: [] for rule in report.rules}
    for r in report.results:
        by_rule.setdefault(r.source, []).append(r)
    failing = set(report.failing(fail_on))
    suites = []
    total = failures = 0
    for rule in sorted(by_rule):
        results = by_rule[rule]
        name = rule if rule.startswith("check:") else compact(rule, base)
        cases = []
        if not results:
            cases.append(f'    <testcase classname={quoteattr(name)} name="no results"/>')
        for r in results:
            focus = compact(r.focus, base)
            where = _joined(source_root, r.location) if r.location else focus
            body = escape(f"{r.severity.label}: {r.message}\nfocus: {focus}\npath: {compact(r.path, base)}\n"
                          f"value: {compact(r.value, base)}")
            case = f"    <testcase classname={quoteattr(name)} name={quoteattr(where + ' ' + focus)}"
            if r in failing:
                cases.append(f"{case}>\n      <failure type={quoteattr(r.severity.label)} message={quoteattr(r.message)}>{body}</failure>\n    </testcase>")
            else:
                cases.append(f"{case}>\n      <system-out>{body}</system-out>\n    </testcase>")
        count = max(1, len(results))
        fails = sum(1 for r in results if r in failing)
        total += count
        failures += fails
        suites.append(f'  <testsuite name={quoteattr(name)} tests="{count}" failures="{fails}" errors="0">\n' + "\n".join(cases) + "\n  </testsuite>")
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kg validate" tests="{total}" failures="{failures}" errors="0">'
    return "\n".join([head, *suites, "</testsuites>"]) + "\n"


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "turtle": render_turtle,
    "github": render_github,
    "junit": render_junit,
}
