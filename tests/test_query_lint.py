"""The named-query library's own checks: every query in queries/ is well formed.

:func:`lint` checks a library query: header, parameters declared, used and
bindable, parameters not projected, a stable row order.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.cli.query import FIXED_COMMANDS
from kg.errors import UsageError
from kg.query.registry import NamedQuery, load_queries, parse_query_file, to_term
from kg.query.run import parameter_groups, with_values_block
from kg.query.sparql import has_top_level, tokens


def lint(query: NamedQuery) -> list[str]:
    """What is wrong with a named query's header or its use of parameters."""
    problems = []
    if not query.title:
        problems.append("no '# title:' line")
    if not query.description:
        problems.append("no '# description:' line")
    if query.name in FIXED_COMMANDS:
        problems.append(f"the name {query.name!r} is taken by a kg query subcommand")
    used = {t.text[1:] for t in tokens(query.text) if t.kind == "var" and t.text.startswith("$")}
    declared = {p.name for p in query.parameters}
    problems += [f"parameter {n!r} is declared but not used as ${n}" for n in sorted(declared - used)]
    problems += [f"${n} is used but not declared as a parameter" for n in sorted(used - declared)]
    try:
        form = query.form
    except UsageError as exc:
        return problems + [str(exc)]
    problems += [
        f"optional parameter {p.name!r} needs a default, so that every parameter is always bound "
        "and no query depends on an unbound one"
        for p in query.parameters if not p.required and p.default is None
    ]
    problems += _binding_problems(query)
    if not has_top_level(query.text, "ORDER") and form == "select":
        problems.append("no top-level ORDER BY, so row order would depend on the engine")
    return problems


_SAMPLE_VALUES = {
    "iri": "https://example.org/x", "string": "x", "integer": "1", "decimal": "1.5", "year": "2000",
    "doi": "10.1000/x", "issn": "0006-4971", "orcid": "0000-0002-1825-0097",
}


def _binding_problems(query: NamedQuery) -> list[str]:
    """Bind every parameter with VALUES blocks and run the query on an empty store."""
    problems = [
        f"${n} is used outside the WHERE patterns (in a projection, GROUP BY, HAVING or ORDER BY), "
        "where no VALUES block binds it; use it in a pattern or FILTER"
        for n in sorted(set(parameter_groups(query.text)[1]))
    ]
    bound = {p.name: to_term(p, p.default or _SAMPLE_VALUES[p.type]) for p in query.parameters}
    try:
        result = ox.Store().query(with_values_block(query.text, bound))
    except (SyntaxError, RuntimeError, ValueError, UsageError) as exc:
        return problems + [f"cannot bind its parameters with VALUES blocks: {exc}"]
    if isinstance(result, ox.QuerySolutions):
        projected = sorted({v.value for v in result.variables} & set(bound))
        problems += [
            f"parameter {n!r} is projected: result columns should be the answer only (the caller knows the value)"
            for n in projected
        ]
    return problems


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_library_query_is_well_formed(name):
    assert lint(load_queries()[name]) == []


def lint_text(tmp_path, text):
    path = tmp_path / "q.rq"
    path.write_text(text, "utf-8")
    return lint(parse_query_file(path))


def test_lint_catches_a_missing_title(tmp_path):
    assert "no '# title:' line" in lint_text(tmp_path, "# description: d\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n")


def test_lint_catches_a_declared_but_unused_parameter(tmp_path):
    problems = lint_text(tmp_path, "# title: t\n# description: d\n# param: who iri required -- w\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n")
    assert "parameter 'who' is declared but not used as $who" in problems


def test_lint_catches_an_undeclared_parameter(tmp_path):
    problems = lint_text(tmp_path, "# title: t\n# description: d\nSELECT $who ?s WHERE { ?s ?p $who } ORDER BY ?s\n")
    assert "$who is used but not declared as a parameter" in problems


def test_lint_ignores_dollars_in_strings_comments_and_iris(tmp_path):
    text = '# title: t\n# description: d\nSELECT ?s WHERE { ?s <http://x/$a> "$b" } # $c\nORDER BY ?s\n'
    assert lint_text(tmp_path, text) == []


def test_lint_catches_a_projected_parameter_and_a_missing_order(tmp_path):
    problems = lint_text(tmp_path, "# title: t\n# description: d\n# param: who iri required -- w\nSELECT $who ?s WHERE { ?s ?p $who }\n")
    assert any("parameter 'who' is projected" in p for p in problems)
    assert any("ORDER BY" in p for p in problems)
    assert lint_text(tmp_path, "# title: t\n# description: d\n# param: who iri required -- w\nSELECT ?s WHERE { ?s ?p $who } ORDER BY ?s\n") == []


def test_lint_catches_a_parameter_outside_the_patterns(tmp_path):
    text = ("# title: t\n# description: d\n# param: min integer required -- m\n"
            "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(?o) >= $min) ORDER BY ?s\n")
    assert any(p.startswith("$min is used outside the WHERE patterns") for p in lint_text(tmp_path, text))
