"""Build: read the ontology and the curated data, apply the derivation rules, write `dist/`.

Everything downstream (validate, query, network, maps, export) reads what this writes, never
the raw files. Each input file is checked for syntax first (pyoxigraph gives a precise line and
column), then parsed with rdflib, which also writes the serialisations:

- `miggraph.ttl`, `miggraph.nt`, `miggraph.jsonld`: everything as one graph;
- `miggraph.trig`: one named graph per input file, plus one per derivation rule and one per
  summary rule (`summary/NAME`).

The summary rules (`ontology/rules/summaries/*.rq`) precompute what the competency questions
would otherwise aggregate over the whole graph at every asking (citation strings, counts per
actor, theme, year and section as RDF Data Cube observations), so that any store answers them
from a few triples. They run in pyoxigraph, each on the graph without summaries, after the
derivation rules; `summarise` does the same for any store (the benchmark's synthetic graphs).

Outputs are staged in a temporary folder and renamed into place only when all four are written;
the staging folder is locked while its build runs, so the next build removes one that a killed
build left behind. A UTF-8 byte-order mark at the start of a file is accepted.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph

from ..errors import MiggraphError
from ..files import cannot_read, cannot_write, make_folder, remove_stale, staging_folder, unlock
from ..formats import RDF_FILES
from ..project import Project, built_name
from ..vocab import BASE, GRAPH, PREFIXES

BOM = b"\xef\xbb\xbf"
MAX_TOKEN = 16 * 1024 * 1024  # pyoxigraph's parser holds at most this much of one token

# The built graph, one file per RDF format: `miggraph.ttl` and so on.
OUTPUTS: dict[str, str] = {built_name(key): rdf.rdflib for key, rdf in RDF_FILES.items()}

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class BuildResult:
    """What a build produced: the merged graph, its named parts and the files written."""

    graph: Graph
    dataset: Dataset
    inputs: list[Path]
    derived_triples: int
    summary_triples: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def collect_inputs(project: Project, data: Iterable[Path] | None = None) -> list[Path]:
    """The ontology files (without the shapes) and the data files, in a stable order.

    `data` may name files or folders; by default it is the project's `data/` folder.
    """
    if not project.ontology.is_dir():
        raise MiggraphError(f"{project.ontology}: no ontology folder here")
    ontology = sorted(p for p in project.ontology.glob("*.ttl") if p.name != "shapes.ttl")
    if not ontology:
        raise MiggraphError(f"{project.ontology}: no ontology files (*.ttl)")
    files: list[Path] = []
    for item in list(data) if data is not None else [project.data]:
        if item.is_dir():
            found = sorted(item.rglob("*.ttl"))
            if not found:
                raise MiggraphError(f"{item}: no Turtle files (*.ttl) to build from")
            files.extend(found)
        elif item.is_file():
            files.append(item)
        else:
            raise MiggraphError(f"{item}: no such file or folder")
    return ontology + files


def check_syntax(path: Path) -> None:
    """Raise MiggraphError naming the file, line and column of the first syntax error."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise cannot_read(path, exc) from exc
    content = content.removeprefix(BOM)  # columns count from after the mark, as editors show
    try:
        for _ in pyoxigraph.parse(io.BytesIO(content), format=pyoxigraph.RdfFormat.TURTLE,
                                  base_iri=BASE):
            pass
    except MemoryError as exc:
        raise MiggraphError(f"a literal or IRI is longer than {MAX_TOKEN // 2**20} MiB, more than "
                            "the parser accepts; keep long texts outside the graph",
                            location=str(path)) from exc
    except SyntaxError as exc:
        line, column = exc.lineno or 0, exc.offset or 0
        message = exc.msg.split(": ", 1)[-1] if ": " in exc.msg else exc.msg
        raise MiggraphError(f"Turtle syntax error: {message}",
                            location=f"{path}:{line}:{column}") from exc


def parse_file(path: Path) -> Graph:
    """Parse one Turtle file after checking its syntax."""
    check_syntax(path)
    graph = Graph()
    try:
        graph.parse(data=path.read_bytes().removeprefix(BOM).decode("utf-8"), format="turtle",
                    publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many kinds; the syntax was already checked
        raise MiggraphError(f"cannot parse: {exc}", location=str(path)) from exc
    return graph


def apply_rules(graph: Graph, rules_dir: Path) -> list[tuple[str, Graph]]:
    """Run each CONSTRUCT rule in `rules_dir` on `graph`; return (rule name, new triples)."""
    derived: list[tuple[str, Graph]] = []
    if not rules_dir.is_dir():
        return derived
    for rule in sorted(rules_dir.glob("*.rq")):
        try:
            result = graph.query(rule.read_text(encoding="utf-8"))
        except Exception as exc:
            raise MiggraphError(f"derivation rule failed: {exc}", location=str(rule)) from exc
        new = Graph()
        for triple in result:
            new.add(triple)  # type: ignore[arg-type]
        derived.append((rule.stem, new))
    return derived


def summary_rules(project: Project) -> list[Path]:
    """The summary rules of `project`, in a stable order."""
    return sorted((project.rules / "summaries").glob("*.rq"))


def summarise(store: pyoxigraph.Store, rules: Iterable[Path]) -> list[tuple[str, list[pyoxigraph.Triple]]]:
    """Run each summary rule (a CONSTRUCT) on `store`; return (rule name, triples), added to
    nothing: every rule sees the graph as it was, without the others' summaries."""
    summaries: list[tuple[str, list[pyoxigraph.Triple]]] = []
    for rule in rules:
        try:
            triples = list(store.query(rule.read_text(encoding="utf-8")))  # type: ignore[arg-type]
        except (SyntaxError, OSError, RuntimeError) as exc:
            raise MiggraphError(f"summary rule failed: {exc}", location=str(rule)) from exc
        summaries.append((rule.stem, triples))  # type: ignore[arg-type]
    return summaries


def add_summaries(nt_file: Path, rules: Iterable[Path]) -> float:
    """Append to `nt_file` (N-Triples of a graph without summaries, such as a synthetic graph
    made from a build with `summaries=False`) the summaries a build would add; return the
    seconds the rules took."""
    store = pyoxigraph.Store()
    store.bulk_load(path=nt_file, format=pyoxigraph.RdfFormat.N_TRIPLES)
    started = time.perf_counter()
    summaries = summarise(store, rules)
    seconds = time.perf_counter() - started
    try:
        with nt_file.open("ab") as out:
            for _, triples in summaries:
                out.write(pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"")
    except OSError as exc:
        raise cannot_write(nt_file, exc) from exc
    return seconds


def _summaries_of(graph: Graph, rules: list[Path]) -> list[tuple[str, Graph]]:
    """The summaries of an rdflib graph, computed in pyoxigraph, as rdflib graphs."""
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    found = []
    for name, triples in summarise(store, rules):
        part = Graph()
        part.parse(data=pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"",
                   format="nt")
        found.append((name, part))
    return found


def load(project: Project, data: Iterable[Path] | None = None,
         progress: Progress = _quiet, summaries: bool = True) -> BuildResult:
    """Parse all inputs and apply the rules (and, unless `summaries` is false, the summary
    rules), in memory; write nothing."""
    inputs = collect_inputs(project, data)
    dataset = Dataset()
    merged = Graph()
    for prefix, ns in PREFIXES.items():
        dataset.bind(prefix, ns)
        merged.bind(prefix, ns)
    for path in inputs:
        name = _relative(path, project.root).removesuffix(".ttl")
        progress(f"parsing {name}.ttl")
        part = parse_file(path)
        named = dataset.graph(GRAPH[name])
        for triple in part:
            named.add(triple)
            merged.add(triple)
    derived_count = 0
    for rule_name, new in apply_rules(merged, project.rules):
        progress(f"applying rule {rule_name}")
        named = dataset.graph(GRAPH["derived/" + rule_name])
        for triple in new:
            if triple not in merged:
                derived_count += 1
            named.add(triple)
            merged.add(triple)
    summary_count = 0
    rules = summary_rules(project) if summaries else []
    if rules:
        progress("applying the summary rules")
        for rule_name, part in _summaries_of(merged, rules):
            named = dataset.graph(GRAPH["summary/" + rule_name])
            for triple in part:
                summary_count += triple not in merged
                named.add(triple)
                merged.add(triple)
    return BuildResult(graph=merged, dataset=dataset, inputs=inputs, derived_triples=derived_count,
                       summary_triples=summary_count)


def write_outputs(result: BuildResult, out: Path, progress: Progress = _quiet) -> dict[str, Path]:
    """Serialise the build into `out`, all files staged first and then renamed into place."""
    make_folder(out)
    for stale in remove_stale(out, ".build-"):
        progress(f"removed {stale.name}, left by a build that did not finish")
    staging, lock_fd = staging_folder(out, ".build-")
    try:
        for name, fmt in OUTPUTS.items():
            progress(f"writing {name}")
            source = result.dataset if fmt == "trig" else result.graph
            kwargs = {"context": PREFIXES, "auto_compact": True} if fmt == "json-ld" else {}
            try:
                source.serialize(destination=staging / name, format=fmt, encoding="utf-8",
                                 **kwargs)
            except OSError as exc:
                raise cannot_write(out / name, exc) from exc
        written: dict[str, Path] = {}
        for name in OUTPUTS:
            try:
                os.replace(staging / name, out / name)
            except OSError as exc:
                raise cannot_write(out / name, exc) from exc
            written[name] = out / name
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        unlock(lock_fd)


def build(project: Project, out: Path | None = None, data: Iterable[Path] | None = None,
          progress: Progress = _quiet, summaries: bool = True) -> BuildResult:
    """Load everything and write the four serialisations to `out` (default `dist/`)."""
    result = load(project, data, progress, summaries)
    result.outputs = write_outputs(result, out or project.dist, progress)
    return result


def load_built(path: Path) -> Graph:
    """Read a built graph (`dist/miggraph.ttl` or any Turtle/N-Triples file) back."""
    if not path.is_file():
        raise MiggraphError(f"{path}: not found; run `miggraph build` first")
    graph = Graph()
    fmt = "nt" if path.suffix == ".nt" else "turtle"
    try:
        graph.parse(path, format=fmt)
    except OSError as exc:
        raise cannot_read(path, exc) from exc
    except Exception as exc:  # rdflib raises many kinds for a file that is not RDF
        raise MiggraphError(f"cannot parse as {'N-Triples' if fmt == 'nt' else 'Turtle'}: "
                            f"{' '.join(str(exc).split())[:300]}", location=str(path)) from exc
    return graph

