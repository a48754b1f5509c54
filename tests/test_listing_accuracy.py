"""The listing reader's accuracy on real records rendered as a listing.

Renders the real exports in the ScienceGate layout with a fixed seed (see
benchmarks/listing_render.py) and holds the figure reached: every record found,
at most 0.5% of fields wrong.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from tests.exports import exports  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from listing_render import FIELDS, load_records, measure, render


def test_rendered_real_records_read_back_accurately(exports):  # noqa: F811
    result = measure(exports, seed=0, limit=400)
    assert result.records == 400
    assert result.recall == 1.0
    wrong = {name: result.wrong[name][:2] for name in FIELDS if result.wrong[name]}
    assert result.accuracy >= 0.995, wrong


def test_rendering_is_stable_for_a_seed(exports):  # noqa: F811
    records = load_records(exports)[:50]
    assert render(records, random.Random(3)) == render(records, random.Random(3))


def test_accuracy_script_help():
    import subprocess

    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "listing_accuracy.py"), "--help"],
        capture_output=True, text=True, check=True,
    )
    assert "--seed" in run.stdout and "--limit" in run.stdout
