"""The pySHACL speed-ups apply only while kg runs pySHACL, never on import."""

from __future__ import annotations

from pathlib import Path

from kg.validate import pyshacl_patches, shacl
from kg.validate.run import Target, validate
from kg.vocab import DEFAULT_BASE

CASES = Path(__file__).resolve().parent / "data" / "validation"


def patched() -> tuple[bool, bool]:
    from pyshacl import shape
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    memoised = SPARQLProcessor.query.__module__ == pyshacl_patches.__name__
    set_lookup = isinstance(getattr(shape, "CONSTRAINT_PARAMS", (None,))[0], pyshacl_patches._SetList)
    return memoised, set_lookup


def test_the_patches_last_as_long_as_the_with_block():
    assert patched() == (False, False)
    with pyshacl_patches.applied():
        assert patched() == (True, True)
    assert patched() == (False, False)


def test_an_in_process_validation_leaves_rdflib_and_pyshacl_as_they_were():
    files = (CASES / "paper-page-order" / "broken.ttl",)
    report = validate(Target(files=files), DEFAULT_BASE, jobs=1, partition_size=None)
    assert report.results
    assert patched() == (False, False)
    assert shacl._VALIDATOR is None
