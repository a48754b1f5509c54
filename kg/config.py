"""Settings: command-line flag > ``KG_*`` environment variable > config file > default.

The config file is ``kg.toml`` in the working directory, or the ``[tool.kg]``
table of ``pyproject.toml``. Credentials are never read from it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import UsageError
from .vocab import DEFAULT_BASE

DEFAULT_STORE = ".kg/store"
DEFAULT_CURATION = "curation.toml"


@dataclass(frozen=True)
class Config:
    base: str = DEFAULT_BASE
    """Base IRI under which kg mints every IRI; ends in / or #."""
    store: str = DEFAULT_STORE
    """Folder of the embedded Oxigraph store."""
    graph: str | None = None
    """Named graph that `kg load` writes and remote queries read."""
    endpoint: str | None = None
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Named endpoint profiles (see `kg load --profile`)."""
    sources: dict[str, str] = field(default_factory=dict)
    """Source labels: ``[sources]`` maps a label to the input file or folder
    whose records came from that database or search (see `kg build --source-label`)."""
    mailto: str | None = None
    """Contact address `kg enrich` sends to Crossref and OpenAlex (their polite pool)."""
    curation: str | None = None
    """The curation file whose rows win over every source (`kg build --curation`);
    unset: ``curation.toml`` in the working directory when there is one."""
    source: str | None = None
    """Where the settings came from, for messages."""


def _read_file(directory: Path) -> tuple[dict[str, Any], str | None]:
    kg_toml = directory / "kg.toml"
    pyproject = directory / "pyproject.toml"
    try:
        if kg_toml.is_file():
            return tomllib.loads(kg_toml.read_text("utf-8")), str(kg_toml)
        if pyproject.is_file():
            table = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get("kg")
            if table is not None:
                return table, f"{pyproject} [tool.kg]"
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{kg_toml if kg_toml.is_file() else pyproject}: {exc}") from exc
    return {}, None


def load_config(directory: Path | None = None, **overrides: Any) -> Config:
    """Settings for a command run in ``directory`` with flags ``overrides``."""
    values, source = _read_file(directory or Path.cwd())
    known = {f.name for f in fields(Config)} - {"source"}
    unknown = set(values) - known
    if unknown:
        raise UsageError(f"{source}: unknown setting(s): {', '.join(sorted(unknown))}")
    for name in known - {"profiles", "sources"}:
        env = os.environ.get(f"KG_{name.upper()}")
        if env:
            values[name] = env
    for name, value in values.items():
        wanted = dict if name in ("profiles", "sources") else str
        if not isinstance(value, wanted):
            kind = "a table" if wanted is dict else "a string"
            raise UsageError(f"{source}: `{name}` must be {kind}, not {value!r}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    config = Config(**values, source=source)
    check_base(config.base)
    return config


def check_base(base: str) -> None:
    """Refuse a base IRI that would mint invalid IRIs: it must be an absolute
    IRI (RFC 3987, as Oxigraph checks it) ending in ``/`` or ``#``."""
    try:
        ox.NamedNode(base)
    except ValueError as exc:
        raise UsageError(f"base IRI {base!r} is not an absolute IRI: {exc}") from None
    if not base.endswith(("/", "#")):
        raise UsageError(f"base IRI must end in '/' or '#': {base!r}")
