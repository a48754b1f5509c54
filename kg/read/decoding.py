"""Bytes to text: byte order marks, binary files, and UTF-8 judged line by line.

A UTF-8, UTF-16 or UTF-32 byte order mark (either byte order) decides the
encoding. Without one the file is UTF-8, except the lines that are not valid
UTF-8: those alone are read as cp1252, so one stray Latin-1 byte does not turn
every "Müller" of the file into "MÃ¼ller"; :attr:`Decoded.fallback_lines`
names them. A file whose first 8 KB hold a NUL, or mostly control characters,
is not text (:attr:`Decoded.binary`): an image, an archive, or UTF-16 without
its byte order mark. Line breaks become ``\\n`` in every case.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError

# UTF-32 LE before UTF-16 LE: its mark begins with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
FALLBACK = "cp1252"
SNIFF_CHARS = 8192
MAX_CONTROL_SHARE = 0.10
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# C0 controls other than tab, line feed and form feed (carriage returns are
# gone by the time this looks), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class Decoded:
    text: str
    encoding: str
    """``utf-8``, or the encoding a byte order mark named."""
    fallback_lines: list[int] = field(default_factory=list)
    """1-based lines that were not valid in ``encoding`` and were read as
    cp1252 (UTF-8) or with replacement characters (UTF-16, UTF-32)."""
    binary: str | None = None
    """Why the bytes are not text, or None when they are."""


def split_bom(data: bytes) -> tuple[str, bytes]:
    """(encoding, the bytes after the mark); UTF-8 when there is no mark."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom):]
    return "utf-8", data


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf8_by_line(body: bytes) -> tuple[str, list[int]]:
    try:
        return _newlines(body.decode("utf-8")), []
    except UnicodeDecodeError:
        pass
    lines, fallback = [], []
    for number, raw in enumerate(_LINE_BREAK.split(body), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode(FALLBACK, errors="replace"))
            fallback.append(number)
    return "\n".join(lines), fallback


def _wide(body: bytes, encoding: str) -> tuple[str, list[int]]:
    """UTF-16/32 text; the lines holding undecodable units get U+FFFD."""
    try:
        return _newlines(body.decode(encoding)), []
    except UnicodeDecodeError:
        text = _newlines(body.decode(encoding, errors="replace"))
    return text, [n for n, line in enumerate(text.split("\n"), start=1) if "\ufffd" in line]


def binary_reason(text: str) -> str | None:
    """Why decoded ``text`` is not text (judged on its start), or None."""
    head = text[:SNIFF_CHARS]
    if "\x00" in head:
        return "binary file with NUL bytes, not text"
    if head and len(_CONTROL.findall(head)) > MAX_CONTROL_SHARE * len(head):
        return "binary file of control characters, not text"
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes; see the module docstring."""
    encoding, body = split_bom(data)
    text, fallback = _utf8_by_line(body) if encoding == "utf-8" else _wide(body, encoding)
    return Decoded(text, encoding, fallback, binary_reason(text))


def decode(data: bytes) -> str:
    """The text of ``data`` (BOM out, newlines ``\\n``), binary or not."""
    return decode_bytes(data).text


def read_user_text(path: Path, what: str) -> str:
    """The text of a small file a person wrote (a curated CSV, a gold file).

    Strict, unlike input files: :class:`~kg.errors.UsageError` names the file
    (and the line) when it cannot be read, is binary, is not valid in its
    encoding, or holds a NUL.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read {what}: {exc.strerror or exc}") from exc
    decoded = decode_bytes(data)
    if decoded.binary:
        raise UsageError(f"{path}: cannot read {what}: {decoded.binary}")
    if decoded.fallback_lines:
        line = decoded.fallback_lines[0]
        raise UsageError(f"{path}:{line}: cannot read {what}: line is not valid {decoded.encoding.upper()}")
    if "\x00" in decoded.text:
        line = decoded.text.count("\n", 0, decoded.text.index("\x00")) + 1
        raise UsageError(f"{path}:{line}: cannot read {what}: the line holds a NUL byte")
    return decoded.text
