"""Where a project's files live: its inputs, and every output under `dist/`.

A project is a folder with `ontology/`, `data/` and `queries/`; everything the commands write
goes under `dist/` (the built graph, answers, maps, exports and the store cache), so one folder
holds all that can be rebuilt and `make clean` removes one folder. No other module spells an
output's name. Commands look for a project in the current directory first, then fall back
to the checkout this package was installed from, so `miggraph build` works both inside a clone
and from anywhere after `pip install -e .`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .formats import RDF_FILES

BUILT_NAME = "miggraph"  # dist/miggraph.ttl, .nt, .jsonld, .trig


@dataclass(frozen=True)
class Project:
    """The folders of one miggraph project."""

    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def shapes(self) -> Path:
        return self.ontology / "shapes.ttl"

    @property
    def rules(self) -> Path:
        return self.ontology / "rules"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    def built(self, fmt: str = "nt", dist: Path | None = None) -> Path:
        """The built graph in one RDF format (`ttl`, `nt`, `jsonld`, `trig`)."""
        return (dist or self.dist) / built_name(fmt)

    @property
    def built_nt(self) -> Path:
        return self.built("nt")

    @property
    def answers(self) -> Path:
        return self.dist / "answers"

    @property
    def maps(self) -> Path:
        return self.dist / "maps"

    @property
    def exports(self) -> Path:
        return self.dist / "exports"

    @property
    def cache(self) -> Path:
        """The on-disk copies of the built graph that queries open (see `sparql.cache`)."""
        return self.dist / "cache"


def built_name(fmt: str = "nt") -> str:
    """The file name of the built graph in one RDF format: `miggraph.nt` and so on."""
    return f"{BUILT_NAME}.{RDF_FILES[fmt].extension}"


def _is_project(path: Path) -> bool:
    return (path / "ontology").is_dir() and (path / "data").is_dir()


def find_project(start: Path | None = None) -> Project:
    """The project in `start` (default: the current directory) or the package's own checkout."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_project(candidate):
            return Project(candidate)
    checkout = Path(__file__).resolve().parents[2]
    if _is_project(checkout):
        return Project(checkout)
    return Project(here)


def stale_inputs(project: Project, dist: Path) -> Path | None:
    """A file of ontology/ or data/ changed after `dist/miggraph.nt` was built, if any.

    Compares modification times: the newest Turtle or rule file against the built graph.
    None when there is no build (the command says so itself) or it is up to date.
    """
    built = dist / built_name("nt")
    if not built.is_file():
        return None
    built_at = built.stat().st_mtime_ns
    newest: tuple[int, Path] | None = None
    for folder in (project.ontology, project.data):
        if not folder.is_dir():
            continue
        for path in (*folder.rglob("*.ttl"), *folder.rglob("*.rq")):
            mtime = path.stat().st_mtime_ns
            if mtime > built_at and (newest is None or mtime > newest[0]):
                newest = (mtime, path)
    if newest is None:
        return None
    try:
        return newest[1].relative_to(project.root)
    except ValueError:
        return newest[1]
