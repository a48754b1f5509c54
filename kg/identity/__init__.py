"""Identity: which records are the same work, which names the same person, which
venue entries the same journal; every IRI is minted here.

:func:`resolve` is the stage's face: records in, a :class:`kg.model.Corpus` out.
"""

from .resolve import resolve

__all__ = ["resolve"]
