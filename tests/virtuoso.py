"""A real OpenLink Virtuoso for the tests: started on free loopback ports, stopped at the end.

`virtuoso_server` (a session fixture) writes a minimal `virtuoso.ini` into a throw-away
folder, starts `virtuoso-t` in the foreground there, waits until its SPARQL endpoint answers,
and stops it (SIGTERM, then SIGKILL) when the session ends. A fresh database has the
administrator `dba` with password `dba`: the fixture keeps that, since nothing outside this
machine can reach a loopback port and the folder goes away.

Debian packages the open-source edition (`apt-get install virtuoso-opensource`); `.ci/run`
installs it. Without it the tests skip and say so, except with CI=true, where they fail.
Import the fixture into a test module: `from virtuoso import virtuoso_server  # noqa: F401`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
STARTUP_SECONDS = 180.0

INI = """\
; Minimal configuration for a throw-away test server (written by tests/virtuoso.py).
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa

[TempDatabase]
DatabaseFile    = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
CheckpointInterval = 0
DirsAllowed        = .

[HTTPServer]
ServerPort    = 127.0.0.1:{http_port}
ServerRoot    = .
ServerThreads = 4

[SPARQL]
; the shipped default (10000) silently truncates large answers; the tests want them whole
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 300
"""


@dataclass
class Virtuoso:
    """A running Virtuoso: its endpoints, the administrator's credentials, its process."""

    base: str
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    user: str = "dba"
    password: str = "dba"

    @property
    def sparql(self) -> str:
        """The public query endpoint (read-only for anonymous users)."""
        return f"{self.base}/sparql"

    @property
    def store(self) -> str:
        """The Graph Store Protocol endpoint that takes digest authentication."""
        return f"{self.base}/sparql-graph-crud-auth"

    def start(self) -> None:
        """Start `virtuoso-t` in the folder and wait until its SPARQL endpoint answers."""
        with (self.folder / "stdout.log").open("ab") as out:
            self.process = subprocess.Popen([executable(), "-c", "virtuoso.ini", "+foreground"],
                                            cwd=self.folder, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(self.sparql):
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited at start ({self.process.returncode}): "
                                   f"{_log_tail(self.folder)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not answer within {STARTUP_SECONDS:g} s: "
                                   f"{_log_tail(self.folder)}")
            time.sleep(0.2)

    def restart(self) -> None:
        """Stop the server (it checkpoints) and start it again on the same database."""
        if self.process is not None:
            stop(self.process)
        self.start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(sparql: str) -> bool:
    url = f"{sparql}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return b"true" in response.read()
    except (OSError, urllib.error.URLError):
        return False


def _log_tail(folder: Path) -> str:
    log = folder / "virtuoso.log"
    lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
    return " | ".join(line.strip() for line in lines[-5:]) or "no log"


def executable() -> str:
    """`virtuoso-t`, or a skip (a failure with CI=true) that says how to install it."""
    found = shutil.which("virtuoso-t")
    if found:
        return found
    reason = ("virtuoso-t is not installed (apt-get install virtuoso-opensource; "
              ".ci/run installs it)")
    if IN_CI:
        pytest.fail(f"{reason}; CI must run the store tests", pytrace=False)
    pytest.skip(reason)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server: SIGTERM lets it checkpoint and exit; kill it if it does not."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A fresh Virtuoso on free loopback ports, for the whole session."""
    executable()
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(http_port=http_port, sql_port=sql_port),
                                         encoding="utf-8")
    server = Virtuoso(f"http://127.0.0.1:{http_port}", folder)
    try:
        server.start()
        yield server
    finally:
        if server.process is not None:
            stop(server.process)
