"""The front door: one object for one project, from building the graph to drawing its maps.

`miggraph.open(".")` gives a `KnowledgeGraph` over the project in that folder. Its methods are
what the command line does, in the same order as the pipeline (build, validate, query, network,
map, export), and the command line is a thin client of them: it parses arguments, calls one
method and prints. Everything below it (the `graph`, `sparql` and `network` packages) is free
to change between versions; this class is the part we keep stable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import networkx as nx

from . import ingest as ingest_mod
from .errors import MiggraphError
from .formats import RDF_FILES
from .graph import build as build_mod
from .graph import model as model_mod
from .graph import stats as stats_mod
from .graph import validate as validate_mod
from .network import export as export_mod
from .network import maps as maps_mod
from .network import metrics as metrics_mod
from .network import views as views_mod
from .project import Project, find_project
from .sparql import library
from .sparql import params as params_mod
from .sparql.embedded import Embedded, QueryStore, embedded
from .sparql.remote import Remote
from .sparql.results import Result, Stream

Progress = Callable[[str], None]
ParamValue = str | Iterable[str]


def _quiet(_: str) -> None:
    """Progress goes nowhere unless a caller asks for it."""


class KnowledgeGraph:
    """One miggraph project: its inputs, its build in `dist/`, and the questions it answers.

    Queries go to the embedded store over the built graph, or to `endpoint` (a SPARQL 1.1
    query URL) when one is given. `progress` receives one line per step of long work.
    """

    def __init__(self, project: Project, endpoint: str | None = None, graph: str | None = None,
                 user: str | None = None, password: str | None = None, dist: Path | None = None,
                 progress: Progress = _quiet, allow_service: bool = False) -> None:
        self.project = project
        self.dist = Path(dist) if dist else project.dist
        self.endpoint = endpoint
        self.progress = progress
        self.allow_service = allow_service
        self._remote = (Remote(endpoint, graph=graph, user=user, password=password)
                        if endpoint else None)
        if graph and not endpoint:
            raise MiggraphError("a named graph goes with an endpoint; the embedded store has one graph")
        self._embedded: Embedded | None = None

    def __repr__(self) -> str:
        where = self.endpoint or self.dist
        return f"<miggraph.KnowledgeGraph {self.project.root} ({where})>"

    # ------------------------------------------------------------ make and check

    def build(self, out: Path | None = None, data: Iterable[Path] | None = None) -> build_mod.BuildResult:
        """Parse ontology/ and data/, apply the rules and write the graph to `dist/`."""
        result = build_mod.build(self.project, out=out or self.dist, data=data, progress=self.progress)
        self._embedded = None  # the next query opens the new build
        return result

    def validate(self, files: Iterable[Path] | None = None, *, engine: str = "oxigraph",
                 shapes: Path | None = None, standalone: bool = False,
                 graph_file: Path | None = None) -> validate_mod.Report:
        """Check the built graph (or `files`, with the rest of data/ unless `standalone`)
        against the SHACL shapes; `report.conforms`, `report.violations`, `report.findings`."""
        files = [Path(f) for f in files or ()]
        if standalone and not files:
            raise MiggraphError("standalone validation needs the files to validate")
        if files:
            paths = validate_mod.input_files(self.project, files, standalone=standalone)
            rules = None if standalone else self.project.rules
        else:
            built = graph_file or self.project.built("ttl", self.dist)
            if not built.is_file():
                raise MiggraphError(f"{built}: not found; run `miggraph build` first")
            paths, rules = [built], None
        return validate_mod.validate_paths(paths, shapes or self.project.shapes, engine, rules)

    def stats(self, graph_file: Path | None = None) -> stats_mod.Stats:
        """What the built graph holds, and how much of it cites a source."""
        return stats_mod.compute(build_mod.load_built(graph_file or self.project.built("ttl", self.dist)))

    # ------------------------------------------------------------ ask

    @property
    def store(self) -> QueryStore:
        """The store queries go to: the endpoint, or the embedded store (opened once)."""
        if self._remote is not None:
            return self._remote
        if self._embedded is None:
            self._embedded = Embedded(embedded(self.dist, cache=self.project.cache, progress=self.progress),
                                      allow_service=self.allow_service, source=self.project.built("nt", self.dist))
        return self._embedded

    def queries(self) -> list[library.NamedQuery]:
        """The competency questions of the project's library (`queries/*.rq`)."""
        return library.library(self.project.queries)

    def stream(self, query: str, params: dict[str, list[str]] | None = None, *,
               include_planned: bool = False, timeout: float | None = None,
               deadline: float | None = None, source: str | None = None) -> Stream:
        """Run `query` (SPARQL text, a library name or a .rq file) and hand its answer over as
        it comes: bounded memory whatever its size, stopped at `timeout` seconds."""
        name, text = self._resolve(query, source)
        params = params or {}
        if include_planned and params_mod.PARAMETER not in params:
            text = params_mod.bind_status(text, True, name)
        deadline = deadline or (None if timeout is None else time.monotonic() + timeout)
        store = self.store
        if isinstance(store, Embedded):
            text, substitutions, with_values = params_mod.bind_embedded(text, params)
            return store.stream(text, timeout=timeout, source=name, deadline=deadline,
                                substitutions=substitutions, unsubstituted=with_values)
        return store.stream(params_mod.bind(text, params), timeout=timeout, source=name,
                            deadline=deadline)

    def query(self, query: str, *, include_planned: bool = False, timeout: float | None = None,
              **params: ParamValue) -> Result:
        """Answer `query` in memory: `kg.query("partners", actor="mgd:mps")`.

        A parameter's value is read as the command line's `--param` reads it: a prefixed name
        or <IRI>, a number, a date, or text. Iterate the result for one dict per row.
        """
        values = {name: [value] if isinstance(value, str) else list(value)
                  for name, value in params.items()}
        return self.stream(query, values, include_planned=include_planned, timeout=timeout).collect()

    def _resolve(self, query: str, source: str | None) -> tuple[str, str]:
        """(name for messages, text) of SPARQL text, a library name or a .rq file."""
        if source is not None:
            return source, query
        if "{" in query or "\n" in query.strip():
            return "query", query
        return library.resolve(query, self.project.queries)

    # ------------------------------------------------------------ see it as a network

    def views(self) -> dict[str, views_mod.View]:
        """The network views of the project (`queries/network/*.rq`), by name."""
        return views_mod.list_views(self.project)

    def network(self, view: str = views_mod.DEFAULT_VIEW, *, include_planned: bool = False,
                metrics: bool = True) -> nx.Graph:
        """One view as a networkx graph; with `metrics`, each node carries its degree, weighted
        degree, betweenness, PageRank and community, and `graph.graph["summary"]` the totals."""
        store = self.store
        if not isinstance(store, Embedded):
            raise MiggraphError("networks are projected on the embedded store; open the project "
                                "without an endpoint")
        self.progress(f"projecting {view}")
        graph = views_mod.project_view(store.store, self.project, view, include_planned)
        if metrics:
            measured = metrics_mod.measure(graph)
            nx.set_node_attributes(graph, measured.nodes)
            graph.graph["summary"] = measured.summary
        return graph

    def map(self, view: str = views_mod.DEFAULT_VIEW, out: Path | str | None = None, *,
            include_planned: bool = False, ego: str | None = None, depth: int = 1) -> Path:
        """Write the offline HTML map of one view; return its path (default dist/maps/VIEW.html).

        With `ego` (an IRI, a prefixed name such as "mgd:mps", or a name or acronym such as
        "MPS"), the map holds only that node and its neighbours within `depth` steps."""
        target = Path(out) if out else self.project.maps / f"{view}{'-ego' if ego else ''}.html"
        if target.suffix != ".html":
            raise MiggraphError(f"{target}: a map is an .html file")
        graph = self.network(view, include_planned=include_planned, metrics=False)
        title, centre = f"miggraph: {view}", None
        if ego:
            graph, centre = maps_mod.ego_view(graph, ego, depth, view)
            title = (f"miggraph: {view} around {graph.nodes[centre]['label']} "
                     f"({depth} step{'s' if depth > 1 else ''})")
        self.progress(f"laying out and writing {graph.number_of_nodes()} nodes")
        description = views_mod.get_view(self.project, view).description
        maps_mod.write_map(graph, target, title=title, description=description,
                           model=model_mod.load(self.project.ontology),
                           ego={"node": centre, "depth": depth} if centre else None)
        return target

    def export(self, fmt: str, out: Path, view: str = views_mod.DEFAULT_VIEW, *,
               include_planned: bool = False) -> list[Path]:
        """Write a view as GraphML, GEXF, CSV or JSON, or copy the built graph in an RDF format."""
        if fmt in RDF_FILES:
            return export_mod.export_rdf(self.dist, fmt, Path(out))
        graph = self.network(view, include_planned=include_planned, metrics=False)
        return export_mod.export_network(graph, metrics_mod.measure(graph), fmt, Path(out))


    # ------------------------------------------------------------ grow it from new documents

    def ingest(self, document: Path | str, out: Path | str = "review", *, url: str | None = None,
               date: str | None = None, title: str | None = None, publisher: str | None = None,
               slug: str | None = None) -> ingest_mod.Ingested:
        """Annotate a new document (.txt, .md, .html, .pdf): mentions of known nodes and proposals
        of new facts, as W3C Web Annotations in `out/<slug>/`, each pointing at its exact text."""
        return ingest_mod.ingest(Path(document), self.project, Path(out), url=url, date=date,
                                 title=title, publisher=publisher, slug=slug)

    def review(self, folder: Path | str, out: Path | str | None = None) -> Path:
        """Write the offline review page of an ingested document; return its path."""
        return ingest_mod.write_review(Path(folder), Path(out) if out else None)

    def accept(self, folder: Path | str, *, engine: str = "oxigraph") -> ingest_mod.Accepted:
        """Turn the accepted decisions of `folder` into data/<slug>.ttl, only if the graph still
        validates with it, then build."""
        result = ingest_mod.accept(Path(folder), self.project, engine=engine)
        self._embedded = None
        return result


def open(path: Path | str = ".", **options: object) -> KnowledgeGraph:  # noqa: A001 - the name users expect
    """The project in `path` (a folder with ontology/ and data/), or the one above it.

    Options are those of `KnowledgeGraph`: `endpoint=` (query a SPARQL endpoint instead of
    the embedded store), `graph=`, `user=`, `password=`, `dist=`, `progress=` (a callable
    given one line per step of long work), `allow_service=`.
    """
    folder = Path(path).resolve()
    if not folder.is_dir():
        raise MiggraphError(f"{folder}: no such folder")
    project = find_project(folder)
    if project.root != folder and project.root not in folder.parents:
        raise MiggraphError(f"{folder}: not a miggraph project (no ontology/ and data/ here or above)")
    return KnowledgeGraph(project, **options)  # type: ignore[arg-type]
