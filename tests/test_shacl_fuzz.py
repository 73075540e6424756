"""Differential fuzzing: seeded random mutations of the curated graph, validated by both engines.

Each case copies the built graph (N-Triples) and applies one to three mutations: delete a triple,
retype a node, change a literal, add a reference to an undefined node. miggraph's engine and
pyshacl must give identical reports (every finding: severity, shape, focus, path, value,
component, message, referrers). Same seed, same case.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from miggraph.graph.build import BuildResult
from miggraph.graph.validate import validate_paths
from miggraph.project import Project

CASES = 200
LINE = re.compile(r"^(\S+) (\S+) (.*) \.$")
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
MG = "https://w3id.org/miggraph/def#"
# Literals a mutation may put in place of another: well-formed and ill-formed, of every kind the
# shapes check. (Not ill-formed booleans or non-canonical numbers: rdflib rewrites those before
# pyshacl sees them, see tests/shapes/ill-formed-boolean.ttl.)
LITERALS = [
    '"text"', '"text"@en', '"texte"@fr', '"文本"@zh', f'"-5"^^<{XSD}integer>', f'"0"^^<{XSD}integer>',
    f'"7"^^<{XSD}integer>', f'"3.5"^^<{XSD}decimal>', f'"150.0"^^<{XSD}double>', f'"true"^^<{XSD}boolean>',
    f'"March 2016"^^<{XSD}gYearMonth>', f'"2016-13"^^<{XSD}gYearMonth>', f'"2015"^^<{XSD}gYear>',
    f'"2015-11-03"^^<{XSD}date>', f'"2014-02"^^<{XSD}gYearMonth>', f'"1999-12-31"^^<{XSD}date>',
    '"about"', '"roughly"',
]
# pyshacl compares booleans and years with numbers (it finds "true"^^xsd:boolean >= -180, as Python's
# True >= -180), where SPARQL and SHACL call them incomparable, so values of the properties with a
# numeric range are only replaced by numbers or strings.
NUMERIC = {f"<{ns}{p}>" for ns, p in (("http://www.w3.org/2003/01/geo/wgs84_pos#", "lat"),
                                      ("http://www.w3.org/2003/01/geo/wgs84_pos#", "long"),
                                      (MG, "headCount"), (MG, "durationDays"), ("https://schema.org/", "pageStart"))}
NUMBERS = [lit for lit in LITERALS if "integer" in lit or "decimal" in lit or "double" in lit or lit == '"text"']
LINKS = [f"<{MG}{p}>" for p in ("place", "agent", "statedIn", "basedIn", "theme", "within", "about", "role")]


def mutate(lines: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """The mutated lines and a description of each mutation."""
    lines = list(lines)
    done: list[str] = []
    classes = sorted({m.group(3) for line in lines if (m := LINE.match(line)) and m.group(2) == RDF_TYPE})
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["delete", "retype", "literal", "dangling"])
        index = rng.randrange(len(lines))
        subject, predicate, obj = LINE.match(lines[index]).groups()  # type: ignore[union-attr]
        if kind == "delete":
            del lines[index]
        elif kind == "retype":
            typed = [i for i, line in enumerate(lines) if f" {RDF_TYPE} " in line]
            index = rng.choice(typed)
            subject = lines[index].split(" ", 1)[0]
            lines[index] = f"{subject} {RDF_TYPE} {rng.choice(classes)} ."
        elif kind == "literal":
            literal = [i for i, line in enumerate(lines) if LINE.match(line).group(3).startswith('"')]  # type: ignore[union-attr]
            index = rng.choice(literal)
            subject, predicate, _old = LINE.match(lines[index]).groups()  # type: ignore[union-attr]
            choices = NUMBERS if predicate in NUMERIC else LITERALS
            lines[index] = f"{subject} {predicate} {rng.choice(choices)} ."
        else:
            target = f"<https://w3id.org/miggraph/id/fuzz-missing-{rng.randrange(1000)}>"
            subject = subject if subject.startswith("<") else lines[0].split(" ", 1)[0]
            lines.append(f"{subject} {rng.choice(LINKS)} {target} .")
        done.append(f"{kind}: {lines[index] if kind != 'delete' and index < len(lines) else subject}")
    return lines, done


@pytest.fixture(scope="module")
def curated_lines(built: BuildResult) -> list[str]:
    """The build's lines, sorted: rdflib writes them in an order that varies between processes
    (Python's string hashing), and a seed must pick the same mutations in every run."""
    text = built.outputs["miggraph.nt"].read_text(encoding="utf-8")
    return sorted(line for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("seed", range(CASES))
def test_engines_give_identical_reports_on_a_mutated_graph(project: Project, curated_lines: list[str],
                                                           tmp_path: Path, seed: int) -> None:
    lines, mutations = mutate(curated_lines, random.Random(seed))
    graph = tmp_path / "mutated.nt"
    graph.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast = validate_paths([graph], project.shapes, "oxigraph")
    reference = validate_paths([graph], project.shapes, "pyshacl")
    assert fast.findings == reference.findings, mutations


def test_the_mutations_break_the_graph_in_many_ways(project: Project, curated_lines: list[str],
                                                    tmp_path: Path) -> None:
    """Over the first 40 seeds the mutations find results of many shapes, not only one."""
    shapes: set[str] = set()
    for seed in range(40):
        lines, _ = mutate(curated_lines, random.Random(seed))
        graph = tmp_path / f"m{seed}.nt"
        graph.write_text("\n".join(lines) + "\n", encoding="utf-8")
        shapes |= {f.shape for f in validate_paths([graph], project.shapes, "oxigraph").findings}
    assert len(shapes) >= 8, shapes
