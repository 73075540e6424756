"""Serve: a local SPARQL 1.1 endpoint over the built graph, run by the Oxigraph server.

We do not write an HTTP server: `oxigraph load` copies the built graph into a private
on-disk store in a temporary folder, and `oxigraph serve-read-only` (or `oxigraph serve` when
writes are wanted) serves it with its own query page. The folder goes when the server stops,
so the embedded store's cache is never shared with another process.

Oxigraph's endpoints: queries at `/query`, the Graph Store Protocol at `/store`, updates at
`/update` (read-write only), and a query page at `/`.
"""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import MiggraphError

STARTUP_SECONDS = 60.0
DEFAULT_TIMEOUT = 120  # seconds the server gives one query (`oxigraph serve --timeout-s`)


@dataclass(frozen=True)
class Endpoint:
    """The URLs of a running server."""

    host: str
    port: int

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query(self) -> str:
        return f"{self.base}/query"

    @property
    def store(self) -> str:
        return f"{self.base}/store"

    @property
    def update(self) -> str:
        return f"{self.base}/update"


def oxigraph_command() -> str:
    """The `oxigraph` executable: next to this Python (a venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise MiggraphError("the `oxigraph` command is not installed; `pip install oxigraph`",
                            exit_code=3)
    return found


def check_port(host: str, port: int) -> None:
    """Fail in one line if `host:port` cannot be listened on (in use, or no such address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise MiggraphError(f"port {port} on {host} is already in use; "
                                    "choose another with --port") from exc
            raise MiggraphError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [line for line in lines if line]
    return lines[-1] if lines else ""


@contextmanager
def running(nt_file: Path, host: str = "127.0.0.1", port: int = 7878, writable: bool = False,
            timeout_s: int | None = DEFAULT_TIMEOUT) -> Iterator[tuple[Endpoint, subprocess.Popen[bytes]]]:
    """Start an Oxigraph server over `nt_file`; yield its endpoint and process; stop it."""
    if not nt_file.is_file():
        raise MiggraphError(f"{nt_file}: not found; run `miggraph build` first")
    check_port(host, port)
    command = oxigraph_command()
    with tempfile.TemporaryDirectory(prefix="miggraph-serve-") as folder:
        location = Path(folder) / "store"
        log = Path(folder) / "server.log"
        loaded = subprocess.run(
            [command, "load", "--location", str(location), "--file", str(nt_file),
             "--format", "application/n-triples"],
            capture_output=True, text=True, check=False)
        if loaded.returncode != 0:
            message = (loaded.stderr.strip().splitlines() or ["failed"])[-1]
            raise MiggraphError(f"oxigraph could not load the graph: {message}",
                                location=str(nt_file))
        args = [command, "serve" if writable else "serve-read-only",
                "--location", str(location), "--bind", f"{host}:{port}"]
        if timeout_s:
            args += ["--timeout-s", str(timeout_s)]
        with log.open("wb") as log_file:
            process = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _listening(host, port):
                if process.poll() is not None:
                    raise MiggraphError(f"the oxigraph server stopped at start: "
                                        f"{_last_line(log) or 'no message'}", exit_code=3)
                if time.monotonic() > deadline:
                    raise MiggraphError(f"the oxigraph server did not start listening on "
                                        f"{host}:{port} within {STARTUP_SECONDS:g} s",
                                        exit_code=3)
                time.sleep(0.05)
            yield Endpoint(host, port), process
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server process: politely first, then for good."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
