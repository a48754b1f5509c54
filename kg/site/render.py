"""The one Jinja2 environment: the page and picture templates in templates/."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = ("site.css", "search.js", "favicon.svg")
"""Files copied as they are into the site's ``static/`` folder."""


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(("html", "svg", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def static_file(name: str) -> bytes:
    return (TEMPLATES / name).read_bytes()
