"""The named-query registry: ``queries/*.rq``, typed parameters, safe execution.

A named query is a ``.rq`` file whose name is its file stem. Its leading
comment lines are the header, so the file stays valid SPARQL::

    # title: Co-authors of an author
    # description: People who wrote at least one work with the author,
    #   with the number of shared works.
    # param: author iri required -- the person, e.g. https://w3id.org/kg/id/person/julie-repper
    # param: since integer optional default=2000 -- earliest year counted

In the query body a parameter is written with the ``$`` sigil (``$author``),
ordinary variables with ``?``; SPARQL treats both alike, so the marker costs
nothing and lets the registry check that declared and used parameters agree.
A SELECT query projects its parameters, because SEP-0007 substitution (what
pyoxigraph implements) binds only projected variables.

Values are never pasted into the query text. They are validated, turned into
RDF terms, and bound: pyoxigraph ``substitutions`` on the embedded store,
rdflib ``initBindings`` on an rdflib graph, and for remote endpoints a
``VALUES`` block written from those validated terms at the top of the WHERE
group. Updates are refused: a named query must parse as a query.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from . import endpoint as remote
from .errors import KgError, UsageError
from .resources import queries_dir
from .vocab import PREFIXES, XSD

PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "year")
RESERVED_NAMES = ("list", "show")


class QueryTimeout(KgError):
    """A query ran longer than its time limit (a runtime condition, exit 3)."""

    exit_code = 3


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
        return query_form(self.text, self.name)


# -- header ------------------------------------------------------------------

_HEADER_KEY = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)\s+(?P<req>required|optional)"
    r"(?:\s+default=(?P<default>\S+))?\s+--\s+(?P<description>\S.*)$"
)


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; a malformed header is a usage error naming the line."""
    text = path.read_text("utf-8")
    values: dict[str, list[str]] = {"title": [], "description": []}
    params: list[Parameter] = []
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _HEADER_KEY.match(stripped)
        if match:
            key, value = match.groups()
            last = key
            if key == "param":
                params.append(_parse_param(value, path, number))
            else:
                values[key].append(value.strip())
        elif last in ("title", "description") and re.match(r"^#\s{2,}\S", line.lstrip()):
            values[last].append(stripped.lstrip("#").strip())  # continuation line
        else:
            last = None
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise UsageError(f"{path}: a parameter is declared twice")
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        title=" ".join(values["title"]),
        description=" ".join(values["description"]),
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


def load_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    """The named queries in ``directory`` (not its subfolders), by name."""
    folder = Path(directory) if directory else queries_dir()
    if not folder.is_dir():
        raise UsageError(f"no query folder at {folder}")
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob("*.rq")) if path.is_file()}


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    queries = load_queries(directory)
    if name not in queries:
        close = [n for n in queries if name in n or n in name]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; `kg query list` shows them"
        raise UsageError(f"no query named {name!r}{hint}")
    return queries[name]


# -- a small SPARQL lexer: enough to see parameters, groups and keywords ------

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_][\w.-]*:[\w.%-]*|[A-Za-z_]\w*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int  # brace depth before the token


def tokens(text: str) -> list[Token]:
    found, depth = [], 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comment" or (kind == "other" and match.group().isspace()):
            continue
        if kind == "close":
            depth -= 1
        found.append(Token(kind, match.group(), match.start(), depth))
        if kind == "open":
            depth += 1
    return found


def parameter_variables(text: str) -> set[str]:
    """Names written ``$name`` in the query body (not in comments, strings or IRIs)."""
    return {t.text[1:] for t in tokens(text) if t.kind == "var" and t.text.startswith("$")}


def where_group_start(text: str) -> int:
    """Offset just after the ``{`` that opens the query's outermost WHERE group."""
    toks = tokens(text)
    top_groups = [t for t in toks if t.kind == "open" and t.depth == 0]
    for i, token in enumerate(toks):
        if token.depth == 0 and token.kind == "word" and token.text.upper() == "WHERE":
            following = next((t for t in toks[i + 1 :] if t.kind == "open" and t.depth == 0), None)
            if following:
                return following.start + 1
    forms = [t.text.upper() for t in toks if t.depth == 0 and t.kind == "word"]
    index = 1 if "CONSTRUCT" in forms else 0  # CONSTRUCT {template} {pattern}
    if len(top_groups) <= index:
        raise UsageError("cannot find the WHERE clause of the query")
    return top_groups[index].start + 1


def has_top_level(text: str, keyword: str) -> bool:
    return any(t.depth == 0 and t.kind == "word" and t.text.upper() == keyword for t in tokens(text))


# -- checking the library ----------------------------------------------------


def query_form(text: str, name: str = "query") -> str:
    """Parse by evaluating on an empty in-memory store; refuse updates and bad syntax."""
    try:
        result = ox.Store().query(text)
    except SyntaxError as exc:
        if _parses_as_update(text):
            raise UsageError(f"{name} is a SPARQL update; kg query runs only SELECT, ASK, CONSTRUCT and DESCRIBE") from None
        raise UsageError(f"{name} is not valid SPARQL: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    if isinstance(result, ox.QueryTriples):
        return "graph"
    return "select"


def _parses_as_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate  # slow import, error path only

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - any parse failure means "not an update"
        return False
    return True


def lint(query: NamedQuery) -> list[str]:
    """What is wrong with a named query's header or its use of parameters."""
    problems = []
    if not query.title:
        problems.append("no '# title:' line")
    if not query.description:
        problems.append("no '# description:' line")
    if query.name in RESERVED_NAMES:
        problems.append(f"the name {query.name!r} is taken by a kg query subcommand")
    used = parameter_variables(query.text)
    declared = {p.name for p in query.parameters}
    problems += [f"parameter {n!r} is declared but not used as ${n}" for n in sorted(declared - used)]
    problems += [f"${n} is used but not declared as a parameter" for n in sorted(used - declared)]
    try:
        form = query.form
    except UsageError as exc:
        return problems + [str(exc)]
    problems += [
        f"optional parameter {p.name!r} needs a default: pyoxigraph evaluates BOUND() on a "
        "substituted variable as false, so queries must not test whether a parameter is bound"
        for p in query.parameters if not p.required and p.default is None
    ]
    problems += _substitution_problems(query)
    if not has_top_level(query.text, "ORDER") and form == "select":
        problems.append("no top-level ORDER BY, so row order would depend on the engine")
    return problems


def _substitution_problems(query: NamedQuery) -> list[str]:
    """Bind every parameter on an empty store: pyoxigraph refuses a parameter that is
    not in scope (for SELECT, not projected), which the embedded store needs."""
    dummy = {"iri": ox.NamedNode("https://example.org/x"), "year": ox.Literal("2000", datatype=ox.NamedNode(f"{XSD}gYear"))}
    substitutions = {ox.Variable(p.name): dummy.get(p.type, ox.Literal("1", datatype=ox.NamedNode(f"{XSD}integer"))) for p in query.parameters}
    try:
        ox.Store().query(query.text, substitutions=substitutions)
    except RuntimeError as exc:
        return [f"cannot bind its parameters on the embedded store: {exc}"]
    return []


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


def sparql_term(term: ox.NamedNode | ox.Literal) -> str:
    """SPARQL syntax for a validated term (IRIs were checked; strings are escaped)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    escaped = term.value.translate(_SPARQL_ESCAPES)
    if term.language:
        return f'"{escaped}"@{term.language}'
    if term.datatype.value == f"{XSD}string":
        return f'"{escaped}"'
    return f'"{escaped}"^^<{term.datatype.value}>'


_SPARQL_ESCAPES = {
    ord("\\"): "\\\\", ord('"'): '\\"', ord("'"): "\\'", ord("\n"): "\\n",
    ord("\r"): "\\r", ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f",
}


def with_values_block(text: str, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``VALUES (...) { (...) }`` opening its WHERE group."""
    if not bound:
        return text
    names = sorted(bound)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(sparql_term(bound[n]) for n in names)}) }}\n"
    at = where_group_start(text)
    return text[:at] + block + text[at:]


# -- results -----------------------------------------------------------------

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class QueryResult:
    """What a query returned, as pyoxigraph terms whatever engine ran it."""

    form: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False


def _finish(form: str, raw, limit: int | None) -> QueryResult:
    """Materialise up to ``limit`` rows (one more to know whether it was cut)."""
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    cap = None if limit is None else limit + 1
    if isinstance(raw, ox.QueryTriples):
        triples = _take(raw, cap)
        result = QueryResult("graph", triples=triples[:limit] if limit is not None else triples)
        result.truncated = limit is not None and len(triples) > limit
        result.triples.sort(key=str)
        return result
    variables = [v.value for v in raw.variables]
    rows = [tuple(solution[v] for v in variables) for solution in _take(raw, cap)]
    truncated = limit is not None and len(rows) > limit
    return QueryResult("select", variables, rows[:limit] if truncated else rows, truncated=truncated)


def _take(iterator, cap: int | None) -> list:
    out = []
    for item in iterator:
        if cap is not None and len(out) >= cap:
            break
        out.append(item)
    return out


def run_local(
    store: ox.Store,
    query: NamedQuery,
    values: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = None,
    graph: str | None = None,
) -> QueryResult:
    """Run a named query on a pyoxigraph store, parameters bound by substitution.

    The query runs in a worker thread (pyoxigraph releases the GIL) so that a
    timeout can stop waiting for it; the abandoned worker ends with the process.
    """
    form = query.form
    bound = bind_parameters(query, values or {})
    options = {"substitutions": {ox.Variable(k): v for k, v in bound.items()}}
    if graph:
        options["default_graph"] = [ox.NamedNode(to_term(Parameter("graph", "iri", True, None, ""), graph).value)]
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = _finish(form, store.query(query.text, **options), limit)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = exc

    if timeout is None:
        work()
    else:
        worker = threading.Thread(target=work, name=f"kg-query-{query.name}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryTimeout(f"query {query.name} did not finish within {timeout:g} s")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, (SyntaxError, RuntimeError, ValueError)):
            raise UsageError(f"query {query.name}: {error}") from None
        if isinstance(error, OSError):
            raise KgError(f"query {query.name}: store error: {error}") from None
        raise error  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def run_remote(
    endpoint_url: str,
    query: NamedQuery,
    values: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = None,
    graph: str | None = None,
) -> QueryResult:
    """Run a named query on a SPARQL 1.1 endpoint, parameters in a VALUES block."""
    form = query.form
    bound = bind_parameters(query, values or {})
    text = with_values_block(query.text, bound)
    if limit is not None and form != "ask" and not has_top_level(text, "LIMIT") and not _has_trailing_values(text):
        text = f"{text.rstrip()}\nLIMIT {limit + 1}\n"  # one more row tells us it was cut
    if form == "graph":
        data = remote.construct(endpoint_url, text, graph=graph, timeout=timeout)
        triples = sorted((q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)), key=str)
        truncated = limit is not None and len(triples) > limit
        return QueryResult("graph", triples=triples[:limit] if truncated else triples, truncated=truncated)
    answer = remote.select(endpoint_url, text, graph=graph, timeout=timeout)
    return from_sparql_json(answer, limit)


def _has_trailing_values(text: str) -> bool:
    return has_top_level(text, "VALUES")


def from_sparql_json(answer: Mapping, limit: int | None = None) -> QueryResult:
    """A QueryResult from W3C SPARQL 1.1 JSON results."""
    if "boolean" in answer:
        return QueryResult("ask", boolean=bool(answer["boolean"]))
    variables = list(answer.get("head", {}).get("vars", []))
    rows = [tuple(_json_term(b.get(v)) for v in variables) for b in answer.get("results", {}).get("bindings", [])]
    truncated = limit is not None and len(rows) > limit
    return QueryResult("select", variables, rows[:limit] if truncated else rows, truncated=truncated)


def _json_term(value: Mapping | None) -> Term | None:
    if value is None:
        return None
    kind, text = value.get("type"), value.get("value", "")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode(text) if re.match(r"^[A-Za-z0-9_]+$", text) else ox.BlankNode()
    if "xml:lang" in value:
        return ox.Literal(text, language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(text, datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(text)


def run_rdflib(graph, query: NamedQuery, values: Mapping[str, str] | None = None, *, limit: int | None = None) -> QueryResult:
    """Run a named query on an rdflib graph, parameters bound with ``initBindings``.

    rdflib's engine is slow on large graphs; this is for small graphs and for
    checking that the queries mean the same on a second, independent engine.
    """
    from rdflib import Literal as RLiteral, URIRef, Variable

    form = query.form
    bound = bind_parameters(query, values or {})
    bindings = {}
    for name, term in bound.items():
        if isinstance(term, ox.NamedNode):
            bindings[Variable(name)] = URIRef(term.value)
        else:
            bindings[Variable(name)] = RLiteral(term.value, datatype=None if term.datatype.value == f"{XSD}string" else URIRef(term.datatype.value))
    raw = graph.query(query.text, initBindings=bindings)
    if form == "ask":
        return QueryResult("ask", boolean=bool(raw.askAnswer))
    if form == "graph":
        triples = sorted((ox.Triple(*(from_rdflib(t) for t in triple)) for triple in raw), key=str)
        result = QueryResult("graph", triples=triples[:limit] if limit is not None else triples)
        result.truncated = limit is not None and len(triples) > limit
        return result
    variables = [str(v) for v in raw.vars]
    rows = [tuple(from_rdflib(row[i]) for i in range(len(variables))) for row in raw]
    truncated = limit is not None and len(rows) > limit
    return QueryResult("select", variables, rows[:limit] if truncated else rows, truncated=truncated)


def from_rdflib(term) -> Term | None:
    from rdflib import BNode, Literal as RLiteral, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode()
    if isinstance(term, RLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
