"""A real Virtuoso 7 server for the tests, started and stopped by PID.

`virtuoso-t +foreground` runs on 127.0.0.1 with a fresh database folder and a
generated virtuoso.ini on free ports (HTTP and ISQL). Nothing is left running:
`stop()` ends the process it started, and `start()` stops it when it does not
come up.

A fresh database has the account dba/dba. `add_loader()` creates the user
`LOADER`, granted SPARQL_UPDATE, whom `kg load --profile virtuoso` uses through
the Digest-authenticated /sparql-auth and /sparql-graph-crud-auth. The
endpoints without authentication (/sparql, /sparql-graph-crud) refuse updates
unless the anonymous SPARQL user is granted SPARQL_UPDATE; `open_for_updates()`
grants it (a test database only: never do this on a server others can reach).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LOADER = ("kg-loader", "loader-pw-7f3a")
"""User and password of the test database's loading account."""

INI = """\
[Database]
DatabaseFile    = {db}/virtuoso.db
ErrorLogFile    = {db}/virtuoso.log
LockFile        = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
Striping        = 0
TempStorage     = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{isql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 0
CaseMode             = 2
DirsAllowed          = ., {db}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2
{parameters}

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}/vsp
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
; the default (10000) silently cuts long answers, CONSTRUCT of a graph included
ResultSetMaxRows           = 10000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
"""


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def isql_binary() -> str | None:
    return shutil.which("isql-vt") or shutil.which("isql")


def version() -> str:
    """`virtuoso-t -?` names the version on its second line."""
    found = virtuoso_binary()
    if not found:
        return "absent"
    answer = subprocess.run([found, "-?"], capture_output=True, text=True, timeout=30)
    for line in (answer.stdout + answer.stderr).splitlines():
        if line.startswith("Version"):
            return line.strip()
    return "unknown"


@dataclass
class VirtuosoServer:
    """`virtuoso-t` in the foreground on 127.0.0.1, with its own database folder."""

    folder: Path
    http_port: int
    isql_port: int
    process: subprocess.Popen | None = None
    parameters: str = ""
    """More lines for the [Parameters] section of virtuoso.ini."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return f"{self.url}/sparql"

    @property
    def log(self) -> Path:
        return self.folder / "virtuoso.log"

    def start(self, timeout: float = 90) -> "VirtuosoServer":
        binary = virtuoso_binary()
        if not binary:
            raise RuntimeError("virtuoso-t is not installed")
        (self.folder / "vsp").mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(INI.format(db=self.folder, isql_port=self.isql_port, http_port=self.http_port,
                                    parameters=self.parameters))
        self.process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"virtuoso-t exited ({self.process.returncode}): {self.log_tail()}")
                if self._answers():
                    return self
                time.sleep(0.2)
            raise RuntimeError(f"virtuoso-t did not answer within {timeout:.0f} s: {self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _answers(self) -> bool:
        url = f"{self.query_url}?" + urllib.parse.urlencode({"query": "ASK {}"})
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def isql(self, *statements: str, timeout: float = 300) -> str:
        """Run SQL statements as dba through isql; raise when isql reports an error."""
        binary = isql_binary()
        if not binary:
            raise RuntimeError("isql-vt is not installed")
        script = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements)
        answer = subprocess.run(
            [binary, f"127.0.0.1:{self.isql_port}", "dba", "dba", "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"],
            input=script, capture_output=True, text=True, timeout=timeout,
        )
        output = answer.stdout + answer.stderr
        if answer.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql failed: {output[-2000:]}")
        return output

    def add_loader(self) -> None:
        """Create the `LOADER` account, which may update over SPARQL."""
        user, password = LOADER
        self.isql(f"DB.DBA.USER_CREATE ('{user}', '{password}')", f'GRANT SPARQL_UPDATE TO "{user}"')

    def open_for_updates(self) -> None:
        """Let the anonymous SPARQL user update (test databases only)."""
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL"', "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7)")

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
