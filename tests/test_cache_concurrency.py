"""The query cache under load: rebuilds and queries from many processes at once, zero failures.

Before issue 10, with a rebuild every 0.4 s, 2 of 180 queries failed (a cache folder deleted
while another process opened it). Here real `miggraph build` runs, fast rewrites of the built
graph (the same atomic rename a build does) and several `miggraph query` processes run
together for a bounded time; every query must answer, with one of the counts the graph had.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from miggraph.project import Project
from miggraph.sparql.embedded import embedded

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("MIGGRAPH_STRESS_SECONDS", "25"))  # longer runs: set it
QUERY_WORKERS = 3
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_rebuilds_and_queries_together_never_fail(project: Project, dist: Path,
                                                  tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(project.ontology, root / "ontology")
    shutil.copytree(project.data, root / "data")
    (root / "queries").symlink_to(ROOT / "queries")
    shutil.copytree(dist, root / "dist")
    source = root / "dist" / "miggraph.nt"
    base = len(embedded(root / "dist"))
    text = source.read_text(encoding="utf-8")
    stop = time.monotonic() + SECONDS
    failures: list[str] = []
    answers: list[int] = []
    rewrites = [0]
    builds = [0]

    def command(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "miggraph", "--project", str(root), "-q",
                               *args], input=stdin, capture_output=True, text=True,
                              timeout=120, check=False)

    def rebuild() -> None:  # real builds, each replacing dist/ by renames
        while time.monotonic() < stop:
            done = command("build")
            if done.returncode != 0:
                failures.append(f"build: {done.stderr.strip()}")
            builds[0] += 1

    def rewrite() -> None:  # a new state of the built graph every 0.3 s
        n = 0
        while time.monotonic() < stop:
            n += 1
            staged = source.with_name(f".rewrite-{n}.nt")
            staged.write_text(text + f'<urn:stress:{n}> <urn:stress:p> "{n}" .\n',
                              encoding="utf-8")
            os.replace(staged, source)
            rewrites[0] += 1
            time.sleep(0.3)

    def query() -> None:
        while time.monotonic() < stop:
            done = command("query", "-", "--format", "tsv", stdin=COUNT)
            if done.returncode != 0 or done.stderr:
                failures.append(f"query exit {done.returncode}: {done.stderr.strip()}")
                continue
            try:
                answers.append(int(done.stdout.splitlines()[1]))
            except (IndexError, ValueError):
                failures.append(f"query answered {done.stdout!r}")

    threads = [threading.Thread(target=rebuild), threading.Thread(target=rewrite)]
    threads += [threading.Thread(target=query) for _ in range(QUERY_WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    print(f"{len(answers)} queries, {builds[0]} builds, {rewrites[0]} rewrites, "
          f"{len(failures)} failures")
    assert failures == [], f"{len(failures)} of {len(answers) + len(failures)} failed"
    assert len(answers) >= 10 and builds[0] >= 1 and rewrites[0] >= 10
    assert all(base <= n <= base + 1 for n in answers), sorted(set(answers))
    copies = [p for p in Project(root).cache.iterdir() if p.is_dir()]
    assert len(copies) <= 1 + QUERY_WORKERS  # old copies were removed once no one held them
