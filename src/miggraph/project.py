"""Where a project's files live and the namespaces its graph uses.

A project is a folder with `ontology/` and `data/`. Commands look for one in the current
directory first, then fall back to the checkout this package was installed from, so
`miggraph build` works both inside a clone and from anywhere after `pip install -e .`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Namespace

BASE = "https://w3id.org/miggraph/"
MG = Namespace(BASE + "def#")
MGD = Namespace(BASE + "id/")
MGS = Namespace(BASE + "shapes#")
ROLE = Namespace(BASE + "role/")
STATUS = Namespace(BASE + "status/")
SIDE = Namespace(BASE + "side/")
THEME = Namespace(BASE + "theme/")
UNIT = Namespace(BASE + "unit/")
GRAPH = Namespace(BASE + "graph/")

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")

PREFIXES: dict[str, str] = {
    "mg": str(MG),
    "mgd": str(MGD),
    "mgs": str(MGS),
    "role": str(ROLE),
    "status": str(STATUS),
    "side": str(SIDE),
    "theme": str(THEME),
    "unit": str(UNIT),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "geo": str(GEO),
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "wd": "http://www.wikidata.org/entity/",
}


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

    @property
    def maps(self) -> Path:
        return self.root / "maps"

    @property
    def cache(self) -> Path:
        return self.root / ".miggraph"


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
    built = dist / "miggraph.nt"
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


def shorten(iri: str) -> str:
    """An IRI as a prefixed name where one of our prefixes fits, else the IRI in <>."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"
