"""Large answers stream: rows are written as they come, in memory that does not grow with them.

The peak memory of a `miggraph query` process is read from the kernel (its maxrss, seen by a
small parent process that only counts the lines), for an answer of half a million rows from the
embedded store and from a real Oxigraph server. Materialised, such an answer takes well over
the bound; streamed, the process stays near its start-up size. No timing is asserted.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROWS = 500_000
BOUND_MB = 300
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # 3083 x 3083 rows on the curated graph

# Runs one command, counts the lines it writes, and reports them with the child's peak memory.
MEASURE = """
import json, resource, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
child.stdin.write(sys.stdin.buffer.read())
child.stdin.close()
lines = sum(1 for _ in child.stdout)
err = child.stderr.read().decode()
code = child.wait()
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "lines": lines, "err": err, "peak_mb": peak_kb / 1024}))
"""


def measure(*args: str, stdin: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "miggraph", *args],
                          input=stdin.encode(), capture_output=True, timeout=900, check=True)
    result = json.loads(done.stdout)
    print(f"{' '.join(args[3:])}: {result['lines']} lines, peak {result['peak_mb']:.0f} MB")
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(workspace: Path) -> Iterator[str]:
    """`miggraph serve` over the session's build."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "serve", "--port",
         str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout
    for line in process.stdout:
        if line.startswith("Press Ctrl-C"):
            break
    yield f"http://127.0.0.1:{port}/query"
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)


@pytest.mark.parametrize("fmt, extra_lines", [("json", 3), ("table", 3)])
def test_embedded_answer_streams_in_bounded_memory(workspace: Path, fmt: str,
                                                   extra_lines: int) -> None:
    result = measure("--project", str(workspace), "-q", "query", "-", "--format", fmt,
                     "--limit", str(ROWS), stdin=CROSS)
    assert (result["code"], result["err"]) == (0, "")
    assert result["lines"] == ROWS + extra_lines  # header/footer lines around the rows
    assert result["peak_mb"] < BOUND_MB, result


def test_remote_answer_streams_in_bounded_memory(workspace: Path, endpoint: str) -> None:
    result = measure("--project", str(workspace), "-q", "query", "-", "--format", "tsv",
                     "--limit", str(ROWS), "--endpoint", endpoint, stdin=CROSS)
    assert (result["code"], result["err"]) == (0, "")
    assert result["lines"] == ROWS + 1
    assert result["peak_mb"] < BOUND_MB, result


def test_remote_timeout_bounds_the_whole_answer(workspace: Path, endpoint: str) -> None:
    """Rows keep coming; --timeout stops the command anyway, after the rows it wrote."""
    done = subprocess.run(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "-q", "query", "-",
         "--format", "csv", "--timeout", "3", "--endpoint", endpoint],
        input=CROSS, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 3
    assert done.stderr == f"miggraph: error: {endpoint} did not finish within 3 s (--timeout)\n"
    assert done.stdout.startswith("a,b,c,d,e,f\n") and done.stdout.count("\n") > 1
