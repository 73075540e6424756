"""Shared fixtures: the real project, one real build of it into a temporary folder, and one
synthetic graph grown from that build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from miggraph.graph import synth
from miggraph.graph.build import BuildResult, add_summaries, build, summary_rules
from miggraph.project import Project, built_name

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"
SYNTH_TRIPLES = 40_000


@pytest.fixture(scope="session")
def project() -> Project:
    """The project this checkout holds (ontology/, data/, queries/)."""
    return Project(ROOT)


@pytest.fixture(scope="session")
def built(project: Project, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The curated data built once per session into a temporary dist/ folder."""
    out = tmp_path_factory.mktemp("dist")
    return build(project, out=out)


@pytest.fixture(scope="session")
def dist(built: BuildResult) -> Path:
    """The folder holding the session's build (miggraph.ttl, .nt, .jsonld, .trig)."""
    return built.outputs["miggraph.ttl"].parent


@pytest.fixture(scope="module")
def workspace(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder that uses the real queries/ and the session's build, with its own cache."""
    root = tmp_path_factory.mktemp("workspace")
    (root / "queries").symlink_to(ROOT / "queries")
    (root / "dist").mkdir()
    for built_file in dist.iterdir():  # its own dist/ (cache, maps, answers) over the same build
        if built_file.is_file():
            (root / "dist" / built_file.name).symlink_to(built_file)
    return root


@pytest.fixture(scope="session")
def synthetic(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A synthetic graph of about 40,000 triples (`graph.synth` over the curated build without
    summaries) as N-Triples: (without the summaries, with the summaries `miggraph build` adds).
    Larger and more varied than the curated data: empty lists, shared classes, long chains."""
    folder = tmp_path_factory.mktemp("synthetic")
    plain = build(project, out=folder / "plain", summaries=False)
    synth.write(folder / "synth", SYNTH_TRIPLES, plain.outputs[built_name("nt")])
    (folder / "summarised").mkdir()
    summarised = folder / "summarised" / built_name("nt")
    shutil.copyfile(folder / "synth" / built_name("nt"), summarised)
    add_summaries(summarised, summary_rules(project))
    return folder / "synth" / built_name("nt"), summarised
