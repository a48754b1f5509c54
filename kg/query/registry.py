"""The named-query registry: ``queries/*.rq``, their headers and typed parameters.

A named query is a ``.rq`` file whose name is its file stem. Its leading
comment lines are the header, so the file stays valid SPARQL::

    # title: Co-authors of an author
    # description: People who wrote at least one work with the author,
    #   with the number of shared works.
    # param: author iri required -- the person, e.g. https://w3id.org/kg/id/person/julie-repper
    # param: since integer optional default=2000 -- earliest year counted
    # param: kind enum(all|work|person) optional default=all -- which merges

A ``# param:`` line is ``NAME TYPE required|optional [default=VALUE] --
description``. TYPE is one of :data:`PARAMETER_TYPES`:

- ``iri``: a full IRI (``https://…``, ``urn:…``, any ``scheme://…``), a CURIE
  with a vocabulary prefix of :data:`kg.vocab.PREFIXES` (``kgc:peer-support``,
  ``fabio:JournalArticle``) or one of kg's own (``person:julie-repper``,
  ``work:``, ``venue:``, ``source:``, relative to the configured base), or a
  path under the base (``person/julie-repper``); anything else (``foo:bar``)
  is refused rather than taken as an IRI of an unknown scheme;
- ``string``, ``integer``, ``decimal``, ``year`` (four digits, ``xsd:gYear``);
- ``doi``, ``issn``, ``orcid``: strings normalised as the readers normalise
  them (:mod:`kg.read.identifiers`), so a DOI link, an ISSN without its hyphen
  or an ORCID URL find what the graph holds; a value that is not one is refused;
- ``enum(a|b|c)``: one of the listed strings (case-insensitive), no spaces
  inside the parentheses; ``--help`` lists them and any other value is refused.

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

from ..config import load_config
from ..errors import UsageError
from ..read.identifiers import find_issns, normalise_doi, normalise_orcid
from ..resources import queries_dir
from ..vocab import BASE_PATHS, PREFIXES, XSD, base_prefixes
from .sparql import comment_header, parsed_form

PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "year", "doi", "issn", "orcid", "enum")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None
    description: str
    choices: tuple[str, ...] = ()
    """The allowed values of an ``enum`` parameter."""

    def usage(self) -> str:
        flags = "required" if self.required else f"optional, default {self.default}" if self.default else "optional"
        kind = f"one of {', '.join(self.choices)}" if self.choices else self.type
        return f"{self.name} ({kind}; {flags}): {self.description}"


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
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)(?:\((?P<choices>[^()\s]*)\))?\s+(?P<req>required|optional)"
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
    kind, listed = match["type"], match["choices"]
    if kind not in PARAMETER_TYPES:
        raise UsageError(f"{path}:{number}: unknown parameter type {kind!r}; use one of {', '.join(PARAMETER_TYPES)}")
    choices = tuple(listed.split("|")) if listed else ()
    if (kind == "enum") != bool(choices) or "" in choices or len({c.lower() for c in choices}) != len(choices):
        raise UsageError(f"{path}:{number}: an enum parameter lists its values once each, as enum(a|b|c); no other type takes a list")
    parameter = Parameter(
        match["name"], kind, match["req"] == "required", match["default"], match["description"].strip(), choices
    )
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
# Absolute IRIs: any scheme with an authority (``scheme://``), and the
# registered schemes without one that name graphs and things in practice.
_FULL_IRI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:urn|tag|info|mailto|did|ark):)", re.IGNORECASE)
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(.*)$", re.DOTALL)
_INTEGER = re.compile(r"^[+-]?\d+$")
_YEAR = re.compile(r"^\d{4}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def expand_iri(value: str, base: str | None = None) -> str | None:
    """The IRI a parameter value names: a full IRI as it is, a CURIE of a
    vocabulary prefix or of kg's own (``person:julie-repper``), or a path under
    the base (``person/julie-repper``); None for anything else. ``base`` is
    the configured one (``kg.toml``, ``KG_BASE``) unless given."""
    if _FULL_IRI.match(value):
        return value
    curie = _CURIE.match(value)
    if curie:
        prefix, local = curie.groups()
        if prefix in PREFIXES:
            return PREFIXES[prefix] + local
        if prefix in BASE_PATHS:
            return base_prefixes(base or load_config().base)[prefix] + local
        return None
    head, slash, rest = value.partition("/")
    if head in BASE_PATHS and slash and rest:
        return base_prefixes(base or load_config().base)[head] + rest
    return None


def _iri(parameter: Parameter, value: str, base: str | None) -> ox.NamedNode:
    name, iri = parameter.name, expand_iri(value.strip(), base)
    if iri is None:
        prefixes = ", ".join(f"{p}:" for p in (*BASE_PATHS, *PREFIXES))
        raise UsageError(
            f"parameter {name}: {value!r} is not an IRI kg knows: give a full IRI (https://...), "
            f"a CURIE with one of {prefixes} or a path under the base (person/julie-repper)"
        )
    bad = _IRI_FORBIDDEN.search(iri)
    if bad:
        raise UsageError(
            f"parameter {name}: {value!r} is not an IRI: it holds {bad.group()!r}; "
            'IRIs may not contain spaces, control characters or any of <>"{}|^`\\'
        )
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"parameter {name}: {value!r} is not an IRI: {exc}") from None


def _pasted(normalise, value: str):
    """What ``normalise`` makes of ``value``, else of it without white space
    (a DOI broken over two lines, an ISSN or ORCID in groups)."""
    return normalise(value) or normalise("".join(value.split()))


def _identifier(parameter: Parameter, value: str) -> ox.Literal:
    """The canonical DOI, ISSN or ORCID, as the readers write it into the graph."""
    if parameter.type == "doi":
        found, expected = _pasted(normalise_doi, value), "a DOI: 10.NNNN/suffix, bare, with doi: or as a https://doi.org/ link"
    elif parameter.type == "issn":
        issns = _pasted(find_issns, value)
        found = issns[0] if len(issns) == 1 else None
        expected = "one ISSN: NNNN-NNNC (hyphen optional) with a valid check digit"
    else:
        found = _pasted(normalise_orcid, value)
        expected = "an ORCID iD: 0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097, with a valid check digit"
    if found is None:
        raise UsageError(f"parameter {parameter.name}: {value!r} is not {expected}")
    return ox.Literal(found)


def _choice(parameter: Parameter, value: str) -> ox.Literal:
    wanted = value.strip().lower()
    chosen = next((c for c in parameter.choices if c.lower() == wanted), None)
    if chosen is None:
        raise UsageError(f"parameter {parameter.name}: {value!r} is not one of {', '.join(parameter.choices)}")
    return ox.Literal(chosen)


def to_term(parameter: Parameter, value: str, base: str | None = None) -> ox.NamedNode | ox.Literal:
    """The RDF term for a parameter value, or a usage error saying why not.
    ``base`` expands ``person:…`` and ``person/…`` (default: the configured base)."""
    kind, name = parameter.type, parameter.name
    if kind == "iri":
        return _iri(parameter, value, base)
    if kind in ("doi", "issn", "orcid"):
        return _identifier(parameter, value)
    if kind == "enum":
        return _choice(parameter, value)
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


def bind_parameters(
    query: NamedQuery, values: Mapping[str, str], base: str | None = None
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Validated terms for every parameter that has a value (given or default);
    ``base`` as for :func:`to_term`."""
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
        bound[parameter.name] = to_term(parameter, value, base)
    return bound
