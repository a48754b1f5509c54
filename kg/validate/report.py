"""The validation report: typed results that every renderer reads.

Plain values only (no rdflib, no click), so renderers, the CLI and tests share
one model. Terms are kept as N-Triples text (``<iri>``, ``"5"^^<...>``) so a
result can be printed, compared and sorted without an RDF library.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum

from ..vocab import SH


class Severity(IntEnum):
    """SHACL severities, ordered: violation > warning > info."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def iri(self) -> str:
        return f"{SH}{self.name.capitalize()}"

    @classmethod
    def from_iri(cls, iri: str) -> "Severity":
        """sh:Violation, sh:Warning, sh:Info; anything else counts as a violation,
        as SHACL says of unknown severities' effect on conformance."""
        name = iri.removeprefix(SH).upper()
        return cls[name] if name in cls.__members__ else cls.VIOLATION

    @classmethod
    def from_name(cls, name: str) -> "Severity":
        """Names used in check headers and flags: error/violation, warn(ing), info."""
        key = name.strip().lower()
        aliases = {"error": "violation", "warn": "warning", "information": "info"}
        key = aliases.get(key, key)
        try:
            return cls[key.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r}; use violation (error), warning or info") from None


@dataclass(frozen=True)
class Result:
    """One problem: what is wrong (message), where in the graph (focus, path,
    value), which rule said so (source), and where in the input (file, line)."""

    severity: Severity
    focus: str
    """The focus node in N-Triples form (``<iri>`` or ``_:b``)."""
    message: str
    source: str
    """The shape IRI (``<...>``) or ``check:<name>`` for a SPARQL check."""
    path: str | None = None
    """The property IRI, or a SPARQL property path such as ``^<iri>``."""
    value: str | None = None
    component: str | None = None
    """The SHACL constraint component IRI, or None for checks."""
    file: str | None = None
    line: int | None = None

    @property
    def is_check(self) -> bool:
        return self.source.startswith("check:")

    @property
    def location(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else self.file

    def sort_key(self) -> tuple:
        """Input order first (file, line), then the rule; never hash order."""
        return (
            self.file is None,
            self.file or "",
            self.line or 0,
            self.focus,
            -self.severity,
            self.source,
            self.path or "",
            self.value or "",
            self.message,
        )


@dataclass(frozen=True)
class Report:
    """All results of one validation run, sorted, and the rules that ran."""

    results: tuple[Result, ...]
    rules: tuple[str, ...] = ()
    """Every shape and check that ran, so renderers can list passing ones."""
    target: str = ""
    """What was validated (store folder, files, endpoint), for headers."""
    engines: tuple[tuple[str, str], ...] = ()
    """(shape, engine that checked it), for ``kg validate --verbose``."""
    counts: dict[Severity, int] = field(init=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(set(self.results), key=Result.sort_key))
        object.__setattr__(self, "results", ordered)
        object.__setattr__(self, "rules", tuple(sorted(set(self.rules))))
        counted = Counter(r.severity for r in ordered)
        object.__setattr__(self, "counts", {s: counted.get(s, 0) for s in sorted(Severity, reverse=True)})

    def failing(self, fail_on: Severity | None) -> tuple[Result, ...]:
        """Results at or above ``fail_on`` (None: nothing fails)."""
        if fail_on is None:
            return ()
        return tuple(r for r in self.results if r.severity >= fail_on)

    @property
    def conforms(self) -> bool:
        """SHACL's ``sh:conforms`` (3.6.1): true only when there is no result
        at all, whatever its severity; --fail-on does not change it."""
        return not self.results

    def passes(self, fail_on: Severity | None = Severity.VIOLATION) -> bool:
        """No result at or above ``fail_on``: what the exit code says."""
        return not self.failing(fail_on)

    def verdict(self, fail_on: Severity | None = Severity.VIOLATION) -> str:
        """Conformance and the exit it gives, told apart, for a summary line."""
        level = fail_on.label if fail_on else "none"
        status = "PASS (exit 0)" if self.passes(fail_on) else "FAIL (exit 1)"
        shacl = "true" if self.conforms else "false (SHACL: false on any result)"
        return f"fail on {level}: {status}; sh:conforms {shacl}"

    def summary(self) -> str:
        """One line in the spirit of ROBOT report's per-level summary."""
        levels = ", ".join(f"{s.label}: {n}" for s, n in self.counts.items())
        return f"Results: {len(self.results)} ({levels})"


def parse_fail_on(value: str) -> Severity | None:
    """``violation|warning|info|none`` (``error`` accepted for violation)."""
    if value.strip().lower() == "none":
        return None
    return Severity.from_name(value)
