"""Apache Jena ARQ, run through its command line, as a test engine.

Debian's ``libapache-jena-java`` ships jars and Maven poms but no scripts, so
the classpath is the dependency closure of ``jena-cmds`` read from the poms in
``/usr/share/maven-repo`` (every Debian Java package installs its pom and a jar
link there), with one SLF4J binding (``slf4j-nop``) instead of whatever the
poms bring: several bindings on one classpath make SLF4J warn on stderr.

Debian moved Jena's shaded Xerces classes to the package ``xerces`` but left
their message resources under ``org/apache/jena/ext/xerces``; without them
Jena fails to start ("internal error" in ``XSSimpleTypeDecl``), so they are
copied to ``xerces/`` in a folder put on the classpath.

One JVM runs one query (``arq.sparql``): the runs go in parallel, with a shared
class-data archive (AppCDS) and the C1 compiler only, which halves start-up.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MAVEN_REPO = Path(os.environ.get("KG_TEST_MAVEN_REPO", "/usr/share/maven-repo"))
ROOT_ARTIFACT = ("org.apache.jena", "jena-cmds")
LOGGING = ("org.slf4j", "slf4j-nop")
SKIPPED_SCOPES = {"test", "provided", "system", "import"}
POM = "{http://maven.apache.org/POM/4.0.0}"


def _artifact_files(group: str, artifact: str, version: str | None) -> tuple[Path, Path] | None:
    """The pom and jar of an artifact in the Debian Maven repository, preferring the ``debian`` version."""
    folder = MAVEN_REPO / Path(*group.split(".")) / artifact
    for candidate in [version, "debian"] + sorted((p.name for p in folder.glob("*") if p.is_dir()), reverse=True):
        if candidate and (folder / candidate / f"{artifact}-{candidate}.pom").exists():
            base = folder / candidate / f"{artifact}-{candidate}"
            return Path(f"{base}.pom"), Path(f"{base}.jar")
    return None


def _dependencies(pom: Path) -> list[tuple[str, str, str | None]]:
    """(group, artifact, version) of the runtime dependencies a pom declares."""
    root = ET.parse(pom).getroot()
    found = []
    for dep in root.findall(f"{POM}dependencies/{POM}dependency"):
        def text(tag: str, dep: ET.Element = dep) -> str | None:
            node = dep.find(POM + tag)
            return node.text.strip() if node is not None and node.text else None

        if text("scope") in SKIPPED_SCOPES or text("optional") == "true":
            continue
        group, artifact = text("groupId"), text("artifactId")
        if group and artifact and "${" not in group + artifact:
            version = text("version")
            found.append((group, artifact, None if version is None or "${" in version else version))
    return found


@functools.cache
def classpath() -> str | None:
    """The jars ``arq.sparql`` needs, or None when Jena's jars (or Java) are not installed."""
    if shutil.which("java") is None or _artifact_files(*ROOT_ARTIFACT, None) is None:
        return None
    jars: list[Path] = []
    seen: set[tuple[str, str]] = set()
    pending = [(*ROOT_ARTIFACT, None), (*LOGGING, None)]
    while pending:
        group, artifact, version = pending.pop()
        if (group, artifact) in seen:
            continue
        seen.add((group, artifact))
        if artifact.startswith(("slf4j-", "log4j-slf4j", "logback-")) and (group, artifact) != LOGGING and artifact != "slf4j-api":
            continue  # one SLF4J binding only
        files = _artifact_files(group, artifact, version)
        if files is None:
            continue  # an optional extra Debian does not ship; Jena runs without it
        pom, jar = files
        if jar.exists():
            jars.append(jar.resolve())
        pending.extend(_dependencies(pom))
    return os.pathsep.join(dict.fromkeys(map(str, jars)))


def available() -> str | None:
    """None when Jena can run here, else why not (for a skip)."""
    if shutil.which("java") is None:
        return "no java on PATH (Debian: apt-get install default-jre-headless)"
    if classpath() is None:
        return f"Apache Jena's jars are not in {MAVEN_REPO} (Debian: apt-get install libapache-jena-java)"
    return None


@functools.cache
def version() -> str:
    """Jena's version, as its installed pom says."""
    folder = MAVEN_REPO / Path(*ROOT_ARTIFACT[0].split(".")) / ROOT_ARTIFACT[1]
    found = sorted(p.name for p in folder.glob("*") if p.is_dir() and re.fullmatch(r"\d+(\.\d+)+", p.name))
    return found[-1] if found else "unknown"

class Jena:
    """``arq.sparql`` on files, with its working files (resources, class archive) in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        resources = folder / "xerces-resources"
        self.classpath = os.pathsep.join([classpath(), str(resources)])
        self._rehome_xerces_resources(resources)
        self.archive = folder / "jena.jsa"

    @staticmethod
    def _rehome_xerces_resources(target: Path) -> None:
        prefix = "org/apache/jena/ext/xerces/"
        core = next(p for p in classpath().split(os.pathsep) if Path(p).name.startswith("jena-core"))
        with zipfile.ZipFile(core) as jar:
            for name in jar.namelist():
                if name.startswith(prefix) and not name.endswith((".class", "/")):
                    out = target / "xerces" / name[len(prefix):]
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(jar.read(name))

    def command(self, data: Path, query: Path, results: str) -> list[str]:
        cds = [f"-XX:SharedArchiveFile={self.archive}"] if self.archive.exists() else [f"-XX:ArchiveClassesAtExit={self.archive}"]
        return [
            "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:disable", "-XX:-UsePerfData", *cds, "-cp", self.classpath,
            "arq.sparql", "--data", str(data), "--query", str(query), f"--results={results}",
        ]

    def run(self, data: Path, query_text: str, graph_form: bool, name: str = "query") -> str:
        """Jena's answer: SPARQL JSON results, or N-Triples for CONSTRUCT; JenaError when it refuses."""
        query = self.folder / "queries" / f"{name}.rq"
        query.parent.mkdir(parents=True, exist_ok=True)
        query.write_text(query_text, encoding="utf-8")
        done = subprocess.run(self.command(data, query, "NT" if graph_form else "JSON"), capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0 or (not done.stdout.strip() and done.stderr.strip()):
            raise JenaError(_last_lines(done.stderr or done.stdout))
        return done.stdout

    def run_all(self, jobs: dict[tuple[str, ...], tuple[Path, str, bool]]) -> dict[tuple[str, ...], str | JenaError]:
        """Run many queries (key -> data, text, graph form?) in parallel, one JVM each."""
        if not self.archive.exists() and jobs:  # the first run writes the class archive the others share
            first = next(iter(jobs))
            answers: dict[tuple[str, ...], str | JenaError] = {first: self._outcome(first, *jobs[first])}
        else:
            answers = {}
        rest = [key for key in jobs if key not in answers]
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for key, outcome in zip(rest, pool.map(lambda k: self._outcome(k, *jobs[k]), rest)):
                answers[key] = outcome
        return answers

    def _outcome(self, key: tuple[str, ...], data: Path, text: str, graph_form: bool) -> str | JenaError:
        try:
            return self.run(data, text, graph_form, re.sub(r"[^\w.-]", "_", "-".join(key)))
        except JenaError as error:
            return error


class JenaError(Exception):
    """Jena refused a query (a parse error, an evaluation error); the message is its own."""


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip() and not line.lstrip().startswith("at ")]
    return " / ".join(lines[:count]) or "no output"
