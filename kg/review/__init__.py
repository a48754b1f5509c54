"""For systematic reviewers: where records came from (sources), the PRISMA 2020
flow diagram, screening decisions brought back, and deduplication measured.

Its chart, ``overlap`` (:func:`kg.review.overlap.overlap_svg`), is drawn with
the site's chart builders; `kg plot` lists it beside the site's charts
(:func:`kg.cli.site.charts`).
"""
