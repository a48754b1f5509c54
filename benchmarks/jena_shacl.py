"""Apache Jena SHACL (Debian's ``libapache-jena-java``, 4.5) on a graph, as the
benchmark peer of ``kg validate``: Jena is not a dependency of kg.

    python benchmarks/jena_shacl.py GRAPH.nt [--xmx 12g] [--report OUT.ttl]

The shapes are kg's (``shapes/*.ttl`` plus the run-time base pattern, as
kg.validate.run.load_shapes makes them), written once as N-Triples. Jena runs
its own command line (``shacl.shacl validate``, in jena-cmds) in one JVM:
parse the data into memory, validate, print the report as Turtle. The
classpath is the one tests/engines/jena.py builds from the Debian poms.
Prints one JSON line: seconds, peak RSS of the JVM (from ``/usr/bin/time``),
the number of results and the exit status.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def shapes_file(folder: Path) -> Path:
    from kg.validate.run import load_shapes
    from kg.vocab import DEFAULT_BASE

    path = folder / "kg-shapes.nt"
    path.write_text(load_shapes(DEFAULT_BASE).serialize(format="nt"), "utf-8")
    return path


def run_jena(graph: Path, xmx: str = "12g", report: Path | None = None) -> dict:
    from engines.jena import Jena, available

    why = available()
    if why is not None:
        raise SystemExit(why)
    with tempfile.TemporaryDirectory(prefix="kg-jena-") as tmp:
        cp = Jena(Path(tmp)).classpath  # with the Xerces resources Debian's jars need
        shapes = shapes_file(Path(tmp))
        out = report or Path(tmp) / "report.ttl"
        command = ["/usr/bin/time", "-v", "java", f"-Xmx{xmx}", "-cp", cp, "shacl.shacl", "validate",
                   "--shapes", str(shapes), "--data", str(graph)]
        started = time.perf_counter()
        with out.open("wb") as sink:
            done = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, text=False, check=False)
        seconds = time.perf_counter() - started
        stderr = done.stderr.decode("utf-8", "replace")
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        results = 0
        with out.open("rb") as text:
            for line in text:
                results += line.count(b"sh:ValidationResult")
        return {"seconds": seconds, "peak_mb": int(peak.group(1)) / 1024 if peak else None, "results": results,
                "exit": done.returncode, "stderr": stderr[-600:] if done.returncode else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--xmx", default="12g", help="the JVM's heap limit")
    parser.add_argument("--report", type=Path, help="keep Jena's report here")
    args = parser.parse_args()
    print(json.dumps(run_jena(args.graph, args.xmx, args.report)))


if __name__ == "__main__":
    main()
