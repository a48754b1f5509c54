"""The named-query registry: ``queries/*.rq``, their headers and typed parameters.

A named query is a ``.rq`` file whose name is its file stem. Its leading
comment lines are the header, so the file stays valid SPARQL::

    # title: Co-authors of an author
    # description: People who wrote at least one work with the author,
    #   with the number of shared works.
    # param: author iri required -- the person, e.g. https://w3id.org/kg/id/person/julie-repper
    # param: since integer optional default=2000 -- earliest year counted

In the query body a parameter is written with the ``$`` sigil (``$author``),
ordinary variables with ``?``; SPARQL treats both alike, so the marker costs
nothing and shows where each parameter is used (and so where its value is
bound). A query does not project its parameters: the caller knows their
values, so result columns are the answer only.

This module reads and validates: headers (:func:`kg.query.sparql.comment_header`
reads them) and parameter values (validated and turned into RDF terms here).
Binding the terms into a query and running it on an engine are in
:mod:`kg.query.run`. Updates are refused: a named query must parse as a query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from ..errors import UsageError
from ..resources import queries_dir
from ..vocab import PREFIXES, XSD
from .sparql import comment_header, parsed_form

PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "year")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None
    description: str

    def usage(self) -> str:
        flags = "required" if self.required else f"optional, default {self.default}" if self.default else "optional"
        return f"{self.name} ({self.type}, {flags}): {self.description}"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @cached_property
    def form(self) -> str:
        """``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE); refuses updates."""
        return query_form(self.text, self.name, str(self.path) if self.path else None)


# -- header ------------------------------------------------------------------

_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)\s+(?P<req>required|optional)"
    r"(?:\s+default=(?P<default>\S+))?\s+--\s+(?P<description>\S.*)$"
)


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; a malformed header is a usage error naming the line."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read query: {exc}") from None
    fields = comment_header(text, ("title", "description", "param"), prose=("title", "description"))
    params = [_parse_param(f.value, path, f.line) for f in fields if f.key == "param"]
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise UsageError(f"{path}: a parameter is declared twice")
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        title=" ".join(f.value for f in fields if f.key == "title"),
        description=" ".join(f.value for f in fields if f.key == "description"),
        parameters=tuple(params),
    )


def _parse_param(value: str, path: Path, number: int) -> Parameter:
    match = _PARAM.match(value.strip())
    if not match:
        raise UsageError(
            f"{path}:{number}: expected '# param: NAME TYPE required|optional [default=VALUE] -- description'"
        )
    if match["type"] not in PARAMETER_TYPES:
        raise UsageError(f"{path}:{number}: unknown parameter type {match['type']!r}; use one of {', '.join(PARAMETER_TYPES)}")
    parameter = Parameter(match["name"], match["type"], match["req"] == "required", match["default"], match["description"].strip())
    if parameter.default is not None:
        to_term(parameter, parameter.default)  # a bad default is the file's fault
    return parameter


def scan_queries(directory: Path | None = None) -> tuple[dict[str, NamedQuery], dict[str, UsageError]]:
    """The named queries in ``directory`` (not its subfolders) that read and
    parse, by name, and the error of each file that does not (a bad header,
    a SPARQL syntax error, an update), so one broken file hides only itself."""
    folder = Path(directory) if directory else queries_dir()
    if not folder.is_dir():
        raise UsageError(f"no query folder at {folder}")
    queries: dict[str, NamedQuery] = {}
    broken: dict[str, UsageError] = {}
    for path in sorted(folder.glob("*.rq")):
        if not path.is_file():
            continue
        try:
            named = parse_query_file(path)
            _ = named.form  # parses the SPARQL: an error names the file, line and column
        except UsageError as exc:
            broken[path.stem] = exc
        else:
            queries[path.stem] = named
    return queries, broken


def load_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    """The named queries in ``directory`` (not its subfolders), by name; the
    first broken file's error if any is broken."""
    queries, broken = scan_queries(directory)
    for error in broken.values():
        raise error
    return queries


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """The query ``name``; its own error when its file is broken, whatever the others."""
    queries, broken = scan_queries(directory)
    if name in broken:
        raise broken[name]
    if name not in queries:
        close = [n for n in queries if name in n or n in name]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; `kg query list` shows them"
        raise UsageError(f"no query named {name!r}{hint}")
    return queries[name]


# -- parsing ------------------------------------------------------------------


def query_form(text: str, name: str = "query", where: str | None = None) -> str:
    """Parse by evaluating on an empty in-memory store; refuse updates and bad
    syntax (``where``, the file, names the place of a syntax error)."""
    try:
        return parsed_form(text, where or name)
    except UsageError:
        if _parses_as_update(text):
            raise UsageError(f"{name} is a SPARQL update; kg query runs only SELECT, ASK, CONSTRUCT and DESCRIBE") from None
        raise


def _parses_as_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate  # slow import, error path only

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - any parse failure means "not an update"
        return False
    return True


# -- parameter values --------------------------------------------------------

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):([^/].*)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_YEAR = re.compile(r"^\d{4}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def expand_prefixed(value: str) -> str:
    """``kgc:recovery`` -> the full IRI, for kg's own prefixes only."""
    match = _PREFIXED.match(value)
    if match and match.group(1) in PREFIXES and "//" not in value:
        return PREFIXES[match.group(1)] + (match.group(2) or "")
    return value


def to_term(parameter: Parameter, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term for a parameter value, or a usage error saying why not."""
    kind, name = parameter.type, parameter.name
    if kind == "iri":
        iri = expand_prefixed(value.strip())
        bad = _IRI_FORBIDDEN.search(iri)
        if bad:
            raise UsageError(
                f"parameter {name}: {value!r} is not an IRI: it holds {bad.group()!r}; "
                'IRIs may not contain spaces, control characters or any of <>"{}|^`\\'
            )
        if not _SCHEME.match(iri):
            raise UsageError(f"parameter {name}: {value!r} is not an absolute IRI (no scheme such as https:)")
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise UsageError(f"parameter {name}: {value!r} is not an IRI: {exc}") from None
    if kind == "integer":
        if not _INTEGER.match(value.strip()):
            raise UsageError(f"parameter {name}: {value!r} is not an integer")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(f"{XSD}integer"))
    if kind == "decimal":
        if not _DECIMAL.match(value.strip()):
            raise UsageError(f"parameter {name}: {value!r} is not a decimal number")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(f"{XSD}decimal"))
    if kind == "year":
        if not _YEAR.match(value.strip()):
            raise UsageError(f"parameter {name}: {value!r} is not a four-digit year")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(f"{XSD}gYear"))
    if "\x00" in value:
        raise UsageError(f"parameter {name}: a NUL character cannot be part of a string")
    return ox.Literal(value)


def bind_parameters(query: NamedQuery, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Validated terms for every parameter that has a value (given or default)."""
    unknown = sorted(set(values) - {p.name for p in query.parameters})
    if unknown:
        takes = ", ".join(p.name for p in query.parameters) or "no parameters"
        raise UsageError(f"query {query.name} has no parameter {unknown[0]!r}; it takes {takes}")
    bound = {}
    for parameter in query.parameters:
        value = values.get(parameter.name, parameter.default)
        if value is None:
            if parameter.required:
                raise UsageError(f"query {query.name} needs -p {parameter.name} VALUE: {parameter.usage()}")
            continue
        bound[parameter.name] = to_term(parameter, value)
    return bound
