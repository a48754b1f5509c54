"""Fast paths in the readers give the answer of the library they stand in for."""

from __future__ import annotations

import gc
import random

from exports import exports  # noqa: F401 - the fixture
from kg.gc_pause import paused_gc
from kg.read import read_bytes
from kg.read.bibtex import _LATEX, _LATEX_BEYOND_DASHES, decode_latex


def test_values_with_only_dashes_read_as_pylatexenc_reads_them():
    rng = random.Random(5)
    alphabet = list("ab1 -.,é:;()[]/'\"#^_!?`\t*") + ["--", "---", "\n"]
    compared = 0
    for _ in range(20000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        if "--" not in value or _LATEX_BEYOND_DASHES.search(value):
            continue
        compared += 1
        expected = " ".join(_LATEX.latex_to_text(value).split()) or None
        assert decode_latex(value) == expected, value
    assert compared > 5000


def test_dashes_beside_latex_still_go_to_pylatexenc():
    assert decode_latex("12--20") == "12–20"
    assert decode_latex("a----b") == "a—-b"
    assert decode_latex(r"\'e--\`a") == "é–à"
    assert decode_latex("50%--60%") == "50"  # a comment to pylatexenc, as before


def test_reading_a_file_frees_the_cycles_its_libraries_leave_while_the_build_pauses_the_collector(exports):
    """pylatexenc and nameparser leave reference cycles; under the build's
    paused collector they were never freed (a million records: about 3 GB).
    This Web of Science BibTeX export leaves 124,784 unreachable objects
    when nothing frees them."""
    path = exports / "bibtex" / "jiaweisophiafu-jcmc-osn__savedrecs.bib"
    gc.collect()
    with paused_gc():
        used, result = read_bytes(path.read_bytes(), str(path), path.name)
        left = gc.collect()
    assert (used, len(result.records)) == ("bibtex", 268)
    assert left == 0
