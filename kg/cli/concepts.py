"""`kg concepts`: browse the scheme, tag records, evaluate the tagger, suggest concepts.

Click stays here; the work is done by the :mod:`kg.concepts` package.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from ..concepts.evaluation import (
    SPLITS,
    evaluate,
    gold_files,
    load_gold,
    predict,
    record_key,
    select_split,
    suggest,
)
from ..concepts.scheme import hierarchy, load_scheme
from ..concepts.tagger import Tagger
from ..errors import UsageError
from ..text import visible
from ..read.inputs import expand_inputs, read_inputs
from ..vocab import prefixed_name


def _slug(iri: str) -> str:
    """A concept for text people read: ``kgc:peer-support`` (JSON and CSV keep full IRIs)."""
    return prefixed_name(iri) or iri


def scheme_option(fn):
    return click.option(
        "--scheme", "scheme_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="SKOS concept scheme (Turtle) to use [default: the packaged ontology/concepts.ttl].",
    )(fn)


def input_format_option(fn):
    return click.option(
        "--input-format", metavar="NAME",
        help="Read every input as this format instead of detecting it (as `kg build --format`).",
    )(fn)


def _read(inputs, input_format):
    """Records of the input files or folders, plus the read problems."""
    result, _ = read_inputs(expand_inputs(inputs), input_format)
    return result


def _warn_problems(result) -> None:
    skipped = len(result.skipped)
    if skipped:
        click.echo(f"kg: warning: {skipped} record(s) could not be read (see `kg build`)", err=True)


@click.group()
def concepts() -> None:
    """Browse the concept scheme, tag records, evaluate the tagger, find missing concepts.

    \b
    kg concepts list                                  the concept hierarchy
    kg concepts tag examples/peer-support/            what the tagger assigns, and why
    kg concepts eval --gold gold.csv --inputs DIR     precision, recall and F1 against a gold file
    kg concepts suggest examples/peer-support/        frequent phrases no concept covers
    """


# -- list ----------------------------------------------------------------------


def _tree_json(node) -> dict:
    return {"concept": node.concept, "label": node.label, "children": [_tree_json(c) for c in node.children]}


@concepts.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: an indented tree; json: nested objects with concept, label and children.")
@scheme_option
def list_concepts(fmt, scheme_path):
    """Show the concept hierarchy, from the top concepts down.

    A concept with two broader concepts appears under both. Grouping concepts
    (never assigned by the tagger) are marked with `*`.

    \b
    kg concepts list
    kg concepts list --format json
    """
    scheme = load_scheme(scheme_path)
    tree = hierarchy(scheme)
    if fmt == "json":
        click.echo(json.dumps([_tree_json(n) for n in tree], indent=2, ensure_ascii=False))
        return

    def show(node, depth: int) -> None:
        mark = "" if scheme.concepts[node.concept].taggable else " *"
        click.echo(f"{'  ' * depth}{node.label}{mark}  ({_slug(node.concept)})")
        for child in node.children:
            show(child, depth + 1)

    for node in tree:
        show(node, 0)


# -- tag -----------------------------------------------------------------------

TAG_COLUMNS = ("key", "concept", "label", "score", "method", "field", "matched")


@concepts.command("tag")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text: one block per record; json: a list of records with their assignments; "
                   "csv: one row per assignment (" + ", ".join(TAG_COLUMNS) + ").")
@input_format_option
@scheme_option
def tag(inputs, fmt, input_format, scheme_path):
    """Show the concepts the tagger assigns to each record of FILE... (files or folders, any format kg reads).

    For each record: its key (as in a gold file), and per concept the label,
    the score, the field the best evidence is in (title, abstract, keywords)
    and the text that matched there.

    \b
    kg concepts tag examples/peer-support/
    kg concepts tag refs.ris --format csv > tags.csv
    """
    tagger = Tagger(load_scheme(scheme_path))
    result = _read(inputs, input_format)
    _warn_problems(result)
    tagged = [(record, record_key(record), tagger.tag_record(record)) for record in result.records]
    if fmt == "json":
        data = [
            {
                "key": key,
                "source": f"{record.source.file}:{record.source.line}",
                "title": record.title,
                "assignments": [
                    {"concept": a.concept, "label": a.label, "score": a.score, "method": a.method,
                     "field": a.field, "matched": a.matched, "evidence": a.evidence}
                    for a in assignments
                ],
            }
            for record, key, assignments in tagged
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TAG_COLUMNS)
        for _, key, assignments in tagged:
            for a in assignments:
                writer.writerow([key, a.concept, a.label, f"{a.score:.3f}", a.method, a.field, a.matched])
        click.echo(out.getvalue(), nl=False)
    else:
        for record, key, assignments in tagged:
            click.echo(visible(f"{key}  [{record.source.file}:{record.source.line}]"))
            if not assignments:
                click.echo("  (no concept)")
            width = max((len(a.label) for a in assignments), default=0)
            for a in assignments:
                matched = " ".join(visible(a.matched).split())
                click.echo(f"  {a.label:<{width}}  {a.score:.3f}  {a.field:<8}  \"{matched}\"")


# -- eval ----------------------------------------------------------------------


def _scores_json(s) -> dict:
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4)}


@concepts.command("eval")
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Gold file: CSV with columns key and concepts (kgc:slugs separated by spaces).")
@click.option("--inputs", "inputs", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="A file or folder holding the records the gold keys name (repeatable); only files whose "
                   "names occur in the gold keys are read [default: those files in the gold file's folder].")
@click.option("--split", type=click.Choice(SPLITS), default="all", show_default=True,
              help="Judge only the dev half of the gold keys, the held-out half, or all (halves are fixed "
                   "by a hash of the key: tune on dev, report held-out).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: tables and lists; json: the same figures as one object.")
@input_format_option
@scheme_option
def eval_command(gold_path, inputs, split, fmt, input_format, scheme_path):
    """Compare the tagger with a gold file: per-concept and micro/macro precision, recall and F1.

    Lists the false positives (assigned, not in the gold file) and false
    negatives (in the gold file, not assigned) per record. Records of the
    inputs that the gold file does not list are not judged; a gold key with
    no record among the inputs counts as untagged. Exits 0 with a report,
    2 for a bad gold file.

    \b
    kg concepts eval --gold tests/data/concepts-gold.csv --inputs examples/peer-support
    kg concepts eval --gold gold.csv --inputs exports/ --split held-out --format json
    """
    gold = select_split(load_gold(gold_path), split)
    names = gold_files(gold)
    candidates = expand_inputs(inputs) if inputs else [
        p for p in sorted(gold_path.parent.iterdir()) if p.is_file() and p.name in names
    ] if gold_path.parent.is_dir() else []
    files = [p for p in candidates if p.name in names]
    tagger = Tagger(load_scheme(scheme_path))
    predicted: dict[str, frozenset[str]] = {}
    if files:
        result, _ = read_inputs(files, input_format)
        _warn_problems(result)
        predicted = predict(result.records, tagger, gold)
    missing = sorted(set(gold) - set(predicted))
    if gold and len(missing) == len(gold):
        raise UsageError(
            f"none of the {len(gold)} records the gold file names were found; "
            "pass the files or folders that hold them with --inputs"
        )
    if missing:
        click.echo(f"kg: warning: {len(missing)} gold key(s) have no record among the inputs, "
                   f"e.g. {missing[0]}", err=True)
    report = evaluate(gold, predicted)
    if fmt == "json":
        click.echo(json.dumps({
            "gold": str(gold_path),
            "split": split,
            "records": len(gold),
            "missing": missing,
            "micro": _scores_json(report.micro),
            "macro": _scores_json(report.macro),
            "per_concept": [
                {"concept": c.concept, "label": tagger.scheme.concepts[c.concept].pref_label
                 if c.concept in tagger.scheme.concepts else None,
                 "support": c.support, "tp": c.true_positives, "fp": c.false_positives,
                 "fn": c.false_negatives, **_scores_json(c.scores)}
                for c in report.per_concept.values()
            ],
            "false_positives": {k: sorted(v) for k, v in report.false_positives.items()},
            "false_negatives": {k: sorted(v) for k, v in report.false_negatives.items()},
        }, indent=2, ensure_ascii=False))
        return
    rows = [(_slug(c.concept), c.support, c.true_positives, c.false_positives, c.false_negatives,
             c.scores.precision, c.scores.recall, c.scores.f1) for c in report.per_concept.values()]
    width = max([len("concept")] + [len(r[0]) for r in rows])
    click.echo(f"{'concept':<{width}}  support   tp   fp   fn  precision  recall     f1")
    for name, support, tp, fp, fn, p, r, f in rows:
        click.echo(f"{name:<{width}}  {support:>7} {tp:>4} {fp:>4} {fn:>4}  {p:>9.3f}  {r:>6.3f}  {f:>5.3f}")
    click.echo("")
    click.echo(f"records judged: {len(gold)} ({split})")
    for name, s in (("micro", report.micro), ("macro", report.macro)):
        click.echo(f"{name}: precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
    for title, listing in (("false positives", report.false_positives),
                           ("false negatives", report.false_negatives)):
        click.echo("")
        click.echo(f"{title} ({sum(len(v) for v in listing.values())}):")
        for key, concepts_ in listing.items():
            click.echo(f"  {key}: {' '.join(sorted(_slug(c) for c in concepts_))}")


# -- suggest -------------------------------------------------------------------


@concepts.command("suggest")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many phrases to list.")
@click.option("--max-words", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest phrase, in content words.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: count and phrase per line; json: a list of {phrase, records}.")
@input_format_option
@scheme_option
def suggest_command(inputs, top, max_words, fmt, input_format, scheme_path):
    """List frequent phrases of INPUT... that no concept label covers, to extend the scheme.

    Phrases are runs of one to --max-words content words between stop words
    and punctuation in titles, abstracts and keywords, ranked by the number of
    records that use them.

    \b
    kg concepts suggest examples/peer-support/
    kg concepts suggest refs.ris --top 20 --max-words 3
    """
    tagger = Tagger(load_scheme(scheme_path))
    result = _read(inputs, input_format)
    _warn_problems(result)
    ranked = suggest(result.records, tagger, top=top, max_words=max_words)
    if fmt == "json":
        click.echo(json.dumps([{"phrase": p, "records": n} for p, n in ranked], indent=2, ensure_ascii=False))
        return
    for phrase, count in ranked:
        click.echo(f"{count:>6}  {phrase}")
