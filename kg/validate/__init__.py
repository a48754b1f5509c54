"""Validation: SHACL shapes (shapes/) and whole-graph SPARQL checks
(queries/checks/) into one typed :class:`~kg.validate.report.Report`, which
the renderers turn into text, JSON, Turtle, GitHub annotations or JUnit.

:func:`validate` is the stage's face.
"""

from .run import Target, validate

__all__ = ["Target", "validate"]
