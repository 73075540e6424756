"""Validation time and peak memory of three SHACL engines on the same seeded synthetic graphs.

For the curated build and `miggraph.synth` graphs of about 100 thousand and 1 million triples
(seed 42), each engine validates `dist/miggraph.nt` against ontology/shapes.ttl in its own
subprocess, so its peak memory (ru_maxrss) is its own:

- oxigraph: miggraph's engine (pyoxigraph store, `miggraph.shacl`);
- pyshacl: the reference (rdflib parse, then pyshacl);
- pyrudof: the Rust validator rudof (`pip install pyrudof`), its native engine.

The 100k graph is also validated with one line in a hundred mutated (seeded: a deleted triple, a
literal replaced by text, or a link to an undefined node), so the reports compared hold thousands
of results. The oxigraph and pyshacl reports are compared finding by finding; pyrudof's result count is
shown as it reports it (it does not run the SPARQL-based targets and constraints the shapes use).
Each run has a timeout (MIGGRAPH_BENCH_TIMEOUT seconds, default 900); sizes come from
MIGGRAPH_BENCH_SIZES (default "100000,1000000").

    python -m bench validate_bench
    MIGGRAPH_BENCH_SIZES=100000 python -m bench.validate_bench
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from miggraph.graph import build, synth
from miggraph.project import find_project

ENGINES = ("oxigraph", "pyshacl", "pyrudof")


def run_engine(engine: str, graph: Path, shapes: Path, out: Path) -> None:
    """In the subprocess: load, validate, write timings, peak memory and findings as JSON."""
    started = time.perf_counter()
    findings: list[dict[str, object]] = []
    if engine == "pyrudof":
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(str(graph), format=pyrudof.RDFFormat.NTriples)
        loaded = time.perf_counter()
        rudof.read_shacl(str(shapes))
        report = rudof.validate_shacl()
        count, violations = len(report), len(report.violations)  # type: ignore[arg-type]
    else:
        from miggraph.graph import validate

        if engine == "oxigraph":
            store, as_written = validate.load_store([graph])
            loaded = time.perf_counter()
            result = validate.validate_store(store, validate.shapes_triples(shapes), as_written)
        else:
            data = validate.load_graph([graph])
            loaded = time.perf_counter()
            result = validate.validate_graph(data, validate.load_shapes(shapes), engine="pyshacl")
        count, violations = len(result.findings), len(result.violations)
        findings = [asdict(f) for f in result.findings]
    done = time.perf_counter()
    out.write_text(json.dumps({
        "load_s": loaded - started, "validate_s": done - loaded, "results": count, "violations": violations,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "findings": findings,
    }), encoding="utf-8")


def measure(engine: str, graph: Path, shapes: Path, timeout: float) -> dict[str, object] | str:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run([sys.executable, "-m", "bench.validate_bench", "--run", engine, str(graph), str(shapes),
                        str(out)], check=True, timeout=timeout, capture_output=True)
        return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except subprocess.TimeoutExpired:
        return f"> {timeout:g} s"
    except subprocess.CalledProcessError as exc:
        return "fails: " + exc.stderr.decode(errors="replace").strip().splitlines()[-1][:80]
    finally:
        out.unlink(missing_ok=True)


def mutated(source: Path, target: Path, seed: int = 42) -> int:
    """A copy of an N-Triples file with one line in a hundred broken; returns the mutations."""
    rng = random.Random(seed)
    count = 0
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for line in src:
            if not line.strip() or rng.random() >= 0.01:
                out.write(line)
                continue
            count += 1
            subject, predicate, obj = line.rstrip(" .\n").split(" ", 2)
            kind = rng.choice(("delete", "literal", "dangling"))
            if kind == "literal":
                out.write(f'{subject} {predicate} "broken {count}" .\n')
            elif kind == "dangling":
                out.write(line)
                out.write(f"{subject} <https://w3id.org/miggraph/def#place> "
                          f"<https://w3id.org/miggraph/id/missing-{count}> .\n")
    return count


def graphs(workdir: Path) -> list[tuple[str, Path]]:
    project = find_project()
    curated = workdir / "curated"
    build.build(project, out=curated)
    sizes = [int(s) for s in os.environ.get("MIGGRAPH_BENCH_SIZES", "100000,1000000").split(",")]
    found = [("curated", curated / "miggraph.nt")]
    for size in sizes:
        folder = workdir / f"synth-{size}"
        lines = synth.write(folder, size, curated / "miggraph.nt", seed=42)
        label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
        found.append((f"{label} ({lines:,} triples)", folder / "miggraph.nt"))
        if size < 1_000_000:
            broken = workdir / f"synth-{size}-mutated.nt"
            count = mutated(folder / "miggraph.nt", broken)
            found.append((f"{label}, {count:,} lines mutated", broken))
    return found


def cell(result: dict[str, object] | str) -> str:
    if isinstance(result, str):
        return result
    total = float(result["load_s"]) + float(result["validate_s"])  # type: ignore[arg-type]
    return (f"{total:.2f} s (load {float(result['load_s']):.2f}) {float(result['peak_mb']):,.0f} MB, "  # type: ignore[arg-type]
            f"{result['results']} results")


def main() -> None:
    project = find_project()
    timeout = float(os.environ.get("MIGGRAPH_BENCH_TIMEOUT", "900"))
    print("| graph | " + " | ".join(ENGINES) + " | oxigraph = pyshacl | pyshacl / oxigraph |")
    print("| --- | " + " | ".join("---" for _ in ENGINES) + " | --- | --- |", flush=True)
    with tempfile.TemporaryDirectory(prefix="validate-bench-") as tmp:
        for label, graph in graphs(Path(tmp)):
            results = {engine: measure(engine, graph, project.shapes, timeout) for engine in ENGINES}
            fast, reference = results["oxigraph"], results["pyshacl"]
            if isinstance(fast, dict) and isinstance(reference, dict):
                same = "same report" if fast["findings"] == reference["findings"] else "REPORTS DIFFER"
                ratio = (float(reference["load_s"]) + float(reference["validate_s"])) / (  # type: ignore[arg-type]
                    float(fast["load_s"]) + float(fast["validate_s"]))  # type: ignore[arg-type]
                speed = f"{ratio:.0f}x"
            else:
                same, speed = "pyshacl did not finish", "-"
            print(f"| {label} | " + " | ".join(cell(results[e]) for e in ENGINES) + f" | {same} | {speed} |",
                  flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--run":
        run_engine(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
