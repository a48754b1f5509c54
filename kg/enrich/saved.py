"""What enrichment keeps on disk, so that it survives rebuilds.

Beside the store (``.kg/store`` -> ``.kg/enrich/``)::

    .kg/enrich/build.json      the inputs and settings of the last `kg build`
    .kg/enrich/matched.jsonl   the works found and accepted, one per line, sorted
    .kg/enrich/cache/          every API response, one file per request

``matched.jsonl`` names, for each accepted work, the source record it joins
(file and line, as the build names them), its year and first author as a
guard, the evidence, when it was retrieved, and the raw JSON. `kg build` reads
it as one more input: each saved work becomes a source record of its own and
joins the work of the record it names, so the same inputs and the same file
give the same graph, byte for byte, without the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError
from ..identity.works import family_key
from ..model import Problem, Record, SourceRef
from ..sinks.files import atomic_output
from .found import Found, as_source_record

MATCHED = "matched.jsonl"
MANIFEST = "build.json"


def enrich_dir(store: str | Path) -> Path:
    """The enrichment folder of the store at ``store``: ``enrich`` beside it."""
    return Path(store).absolute().parent / "enrich"


@dataclass(frozen=True)
class Saved:
    """One accepted work and the source record it joins."""

    file: str
    line: int
    year: int | None
    family: str
    source: str
    ident: str
    retrieved: str
    evidence: tuple[str, ...]
    work: dict

    def to_json(self) -> str:
        target = {"file": self.file, "line": self.line, "year": self.year, "family": self.family}
        value = {"target": target, "source": self.source, "id": self.ident, "retrieved": self.retrieved,
                 "evidence": list(self.evidence), "work": self.work}
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    @property
    def key(self) -> tuple:
        return (self.file, self.line, self.source, self.ident)


def saved_of(target: SourceRef, record: Record, found: Found, evidence: tuple[str, ...]) -> Saved:
    first = record.authors[0] if record.authors else None
    family = family_key((first.family or first.name) if first else None)
    return Saved(target.file, target.line, record.year, family, found.source, found.ident, found.retrieved,
                 evidence, found.work)


def load_saved(folder: Path) -> list[Saved]:
    path = folder / MATCHED
    if not path.is_file():
        return []
    saved = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        try:
            value = json.loads(line)
            target = value["target"]
            saved.append(Saved(target["file"], target["line"], target["year"], target["family"], value["source"],
                               value["id"], value["retrieved"], tuple(value["evidence"]), value["work"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: not an enrichment record ({exc}); remove the line or the file") from None
    return saved


def write_saved(folder: Path, saved: list[Saved]) -> None:
    """Replace ``matched.jsonl`` with ``saved`` (one per key, sorted)."""
    unique = {s.key: s for s in saved}
    with atomic_output(folder / MATCHED) as out:
        for key in sorted(unique):
            out.write((unique[key].to_json() + "\n").encode("utf-8"))


def merge_saved(old: list[Saved], new: list[Saved]) -> list[Saved]:
    """``old`` with ``new`` taking the place of the entries for the same source records."""
    replaced = {(s.file, s.line, s.source) for s in new}
    return [s for s in old if (s.file, s.line, s.source) not in replaced] + new


@dataclass
class Applied:
    """What a build takes from the saved works."""

    records: list[Record]
    same: list[tuple[SourceRef, SourceRef, str]]
    """(input record, saved record, evidence): pairs that are one work."""
    problems: list[Problem]


def apply_saved(folder: Path, records: list[Record]) -> Applied:
    """The saved works of ``folder`` as records, each paired with the input
    record it was matched with; a saved work whose record is not among
    ``records`` (the inputs changed) is reported and left out."""
    by_place = {(r.source.file, r.source.line): r for r in records}
    applied = Applied([], [], [])
    added: dict[str, Record] = {}
    name = str(folder / MATCHED)
    for number, saved in enumerate(sorted({s.key: s for s in load_saved(folder)}.values(), key=lambda s: s.key), 1):
        target = by_place.get((saved.file, saved.line))
        first = target.authors[0] if target and target.authors else None
        family = family_key((first.family or first.name) if first else None)
        if target is None or target.year != saved.year or family != saved.family:
            applied.problems.append(Problem(
                name, number, f"saved enrichment for {saved.file}:{saved.line} names no record of this build; not used"))
            continue
        record = added.get(saved.ident) or as_source_record(saved.work, saved.ident, saved.retrieved)
        if saved.ident not in added:
            added[saved.ident] = record
            applied.records.append(record)
        evidence = f"enriched from {saved.source} {saved.ident}: " + "; ".join(saved.evidence)
        applied.same.append((target.source, record.source, evidence))
    return applied


def write_manifest(folder: Path, inputs: list[str], **settings: object) -> None:
    """Remember what `kg build` read, so `kg enrich` can build the same graph again."""
    value = {"inputs": [str(Path(i).absolute()) for i in inputs], **settings}
    with atomic_output(folder / MANIFEST) as out:
        out.write((json.dumps(value, sort_keys=True, indent=1) + "\n").encode("utf-8"))


def build_settings(manifest: dict) -> dict:
    """The keyword arguments of :func:`kg.pipeline.build_graph` the recorded build used."""
    paths = {name: Path(manifest[name]) if manifest.get(name) else None for name in ("curated", "curation")}
    return {"format": manifest.get("format"), "tag": manifest.get("tag", True), "labels": manifest.get("labels") or None,
            **paths}


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:

        raise UsageError(f"no build recorded in {folder}: run `kg build INPUT --store ...` first") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
