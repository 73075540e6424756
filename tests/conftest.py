"""Shared fixtures: the real project, and one real build of it into a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from miggraph.graph.build import BuildResult, build
from miggraph.project import Project

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


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
