"""The PRISMA 2020 flow diagram: identification, and screening when decisions are given.

Counts come from :class:`~kg.review.sources.SourceReport` (records identified
per database, duplicates removed, records screened = works) and, with a
screening file, from :class:`~kg.review.screening.Screening`. The SVG is filled
from the templates beside this module (``prisma.svg``, ``prisma-screening.svg``);
only the variable lines (one per database, one per exclusion reason) are made
here.
"""

from __future__ import annotations

from pathlib import Path
from string import Template
from xml.sax.saxutils import escape

from .screening import Screening
from .sources import SourceReport

TEMPLATES = Path(__file__).resolve().parent
LINE = 18
"""Height of a line of text in the boxes, in SVG units."""


def prisma_counts(report: SourceReport, screening: Screening | None = None) -> dict:
    """The numbers of the diagram as a JSON-ready object (``kg prisma --format json``)."""
    data: dict = {
        "identification": {
            "databases": [{"name": s.name, "records": s.records} for s in report.sources],
            "records_identified": report.records_identified,
            "duplicates_removed": report.duplicates_removed,
        },
        "records_screened": report.works,
    }
    if screening is not None:
        data["screening"] = screening.counts(report.works)
    return data


def _lines(texts: list[str], x: int) -> str:
    return "".join(f'<tspan x="{x}" dy="{LINE}">{escape(t)}</tspan>' for t in texts)


def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text("utf-8"))


def prisma_svg(counts: dict) -> str:
    """The diagram as SVG text; the same counts give the same bytes."""
    ident = counts["identification"]
    databases = [f"{d['name']} (n = {d['records']})" for d in ident["databases"]]
    identified_height = 60 + LINE * len(databases)
    screened_y = 20 + identified_height + 40
    values: dict[str, object] = {
        "identified": ident["records_identified"],
        "duplicates": ident["duplicates_removed"],
        "screened": counts["records_screened"],
        "database_lines": _lines(databases, 84),
        "identified_height": identified_height,
        "id_height": identified_height,
        "id_middle": 20 + identified_height // 2,
        "arrow_right_y": 20 + identified_height // 2,
        "arrow_down_from": 20 + identified_height,
        "screened_y": screened_y,
        "screened_text_y": screened_y + 22,
        "title_suffix": "",
        "screening": "",
    }
    screen_height = 50
    bottom = screened_y + 50
    screening = counts.get("screening")
    if screening is not None:
        reasons = [f"{reason} (n = {n})" for reason, n in screening["exclusion_reasons"].items()]
        excluded_height = max(50, 42 + LINE * len(reasons) + 8)
        included_y = screened_y + excluded_height + 40
        undecided = screening["undecided"]
        included_height = 70
        values["screening"] = _template("prisma-screening.svg").substitute(
            screened_y=screened_y,
            screened_text_y=screened_y + 22,
            excluded=screening["excluded"],
            excluded_height=excluded_height,
            reason_lines=_lines(reasons, 484),
            arrow_excluded_y=screened_y + 25,
            arrow_included_from=screened_y + 50,
            included_y=included_y,
            included_height=included_height,
            included_middle=included_y + included_height // 2,
            included_text_y=included_y + 22,
            undecided_y=included_y + 22 - LINE,
            included=screening["included"],
            undecided_line=_lines(["Records not yet decided", f"(n = {undecided})"], 472) if undecided else "",
        )
        values["title_suffix"] = " and screening"
        screen_height = excluded_height
        bottom = included_y + included_height
    values["screen_height"] = screen_height
    values["screen_middle"] = screened_y + screen_height // 2
    values["height"] = bottom + 20
    return _template("prisma.svg").substitute(values)
