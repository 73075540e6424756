"""Synth: seeded, realistic graphs in the shape of the curated data, for benchmarks and tests.

`write(out, triples, curated_nt, seed)` writes `out/miggraph.nt`: the built curated graph
(ontology, vocabularies and data, so class hierarchies, labels and the queries' default
parameters all resolve), then synthetic sources, places, actors, projects, activities with
qualified participations, instruments and figures until about `triples` triples.

Realistic means read from the curated graph, not chosen here:
- the classes come from the ontology (`graph.model`), each drawn with its share among the
  curated instances, and each actor's side with that class's curated shares of sides;
- classes whose shapes demand links the generator does not make (a legal amendment must amend
  a law) are left out, read from `ontology/shapes.ttl`;
- how many actors an activity has follows the curated activities;
- who takes part is heavy-tailed: every actor gets a seeded Pareto weight (hubs anywhere in
  the list, never the first by name), and the curated actors weigh as much as the busiest
  synthetic ones, in proportion to their curated participations, so the queries' default
  parameters (the Ministry of Public Security) sit in the dense part of the graph.

The synthetic part follows the shapes (a side and a source for every actor, a status, dates of
mixed precision, places in a `within` hierarchy, themes for every activity, the derived
`tookPartIn` shortcuts and participation labels a build adds). Same seed, same graph.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from ..files import atomic_path
from ..vocab import DCTERMS, MG, MGD, ORG, PROV, RDF, SCHEMA, SH, SIDE, SKOS, STATUS, XSD
from . import model as model_mod

SUBJECTS = ["return and readmission", "visa facilitation", "border management",
            "counter-trafficking", "migrant smuggling", "labour mobility", "urban migration",
            "foreigners administration", "assisted voluntary return", "tourism management",
            "identity checks", "victim referral", "diaspora engagement", "ageing and labour"]
COUNTRIES_EU = ["Austria", "Belgium", "Bulgaria", "Croatia", "Czechia", "Denmark", "Estonia",
                "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy",
                "Latvia", "Lithuania", "Netherlands", "Poland", "Portugal", "Romania",
                "Slovakia", "Slovenia", "Spain", "Sweden"]
COUNTRIES_OTHER = ["Vietnam", "Thailand", "Indonesia", "Philippines", "Malaysia", "India",
                   "Pakistan", "Nigeria", "Ethiopia", "Kenya", "Egypt", "Morocco", "Brazil",
                   "Mexico", "Turkey", "Ukraine", "Norway", "Switzerland", "Japan", "Mongolia"]
SYLLABLES = ["an", "bei", "chang", "dong", "feng", "guang", "hai", "jin", "kang", "lin", "ming",
             "nan", "ping", "qing", "shan", "tai", "wen", "xi", "yang", "zhou", "hua", "long"]
MEASURES = ["migrants assisted", "cases investigated", "visa applications received",
            "share of applications approved", "foreign residents registered",
            "victims identified", "returns assisted", "trainees"]


def iri(local: str) -> str:
    return f"<{MGD}{local}>"


def mg(term: str) -> str:
    return f"<{MG}{term}>"


def ref(node: str) -> str:
    return f"<{node}>"


def text(value: str, lang: str = "en") -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def typed(value: str | int, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class Weighted:
    """Seeded draws from items with weights (cumulative sums and a binary search)."""

    def __init__(self, items: Sequence[str], weights: Sequence[float]) -> None:
        kept = [(i, w) for i, w in zip(items, weights, strict=True) if w > 0]
        self.items = [i for i, _ in kept]
        self.cumulative = list(itertools.accumulate(w for _, w in kept))

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class Curated:
    """What the generator copies from the curated graph: classes and their shares, sides per
    class, roles, themes, units, how many actors an activity has, who is busy."""

    model: model_mod.Model
    class_counts: Counter = field(default_factory=Counter)  # most specific class IRI -> instances
    side_counts: dict[str, Counter] = field(default_factory=dict)  # class IRI -> side IRI -> n
    roles: Counter = field(default_factory=Counter)  # role IRI -> participations
    role_labels: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    actors_per_activity: list[int] = field(default_factory=list)
    busy: Counter = field(default_factory=Counter)  # curated actor IRI -> participations
    demanding: set[str] = field(default_factory=set)  # classes whose shapes need links

    @classmethod
    def read(cls, curated_nt: Path, shapes: Path | None) -> Curated:
        graph = Graph()
        graph.parse(curated_nt, format="nt")
        curated = cls(model_mod.from_graph(graph))
        kinds = curated.model.kinds
        for node in set(graph.subjects(RDF.type, None)):
            types = {str(t) for t in graph.objects(node, RDF.type) if str(t) in kinds}
            specific = {t for t in types
                        if not any(o != t and curated.model.is_a(o, t) for o in types)}
            side = graph.value(node, MG.side)
            for t in specific:
                curated.class_counts[t] += 1
                if side is not None:
                    curated.side_counts.setdefault(t, Counter())[str(side)] += 1
        for part in graph.subjects(RDF.type, MG.Participation):
            curated.roles[str(graph.value(part, MG.role))] += 1
            curated.busy[str(graph.value(part, MG.agent))] += 1
        for role in curated.roles:
            curated.role_labels[role] = str(graph.value(URIRef(role), SKOS.prefLabel))
        for activity in set(graph.subjects(MG.hasParticipation, None)):
            agents = {graph.value(p, MG.agent) for p in graph.objects(activity, MG.hasParticipation)}
            curated.actors_per_activity.append(max(2, len(agents)))
        curated.actors_per_activity.sort()
        curated.themes = sorted(str(t) for t in graph.subjects(RDF.type, MG.Theme))
        curated.units = sorted(str(u) for u in graph.subjects(RDF.type, MG.Unit))
        if shapes is not None and shapes.is_file():
            curated.demanding = demanding_classes(shapes, curated.model)
        return curated

    def classes(self, group: str) -> Weighted:
        """The kinds of a group that the generator can make, weighted by their curated shares."""
        kinds = [k.iri for k in self.model.in_group(group) if k.iri not in self.demanding]
        return Weighted(kinds, [self.class_counts[k] for k in kinds])

    def sides_of(self, kind: str) -> Weighted:
        counts = self.side_counts.get(kind) or Counter(
            side for per_class in self.side_counts.values() for side in per_class.elements())
        return Weighted(sorted(counts), [counts[s] for s in sorted(counts)])


def demanding_classes(shapes: Path, model: model_mod.Model) -> set[str]:
    """Classes below a group whose own node shape requires a property (`sh:minCount` 1 or
    more): the generator cannot make their instances valid without links it does not know."""
    graph = Graph()
    graph.parse(shapes, format="turtle")
    found = set()
    for shape, target in graph.subject_objects(SH.targetClass):
        kind = model.kinds.get(str(target))
        if kind is None or kind.depth == 0:
            continue
        for prop in graph.objects(shape, SH.property):
            if any(int(n) >= 1 for n in graph.objects(prop, SH.minCount)):
                found.add(str(target))
    return found


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


def _acronym(label: str) -> str:
    return "".join(word[0] for word in label.split() if word[:1].isalpha()).upper()
class Generator:
    """Emits N-Triples lines for one synthetic graph; every choice comes from one seeded RNG."""

    def __init__(self, seed: int, activities: int, curated: Curated) -> None:
        self.rng = random.Random(seed)
        self.activities = activities
        self.curated = curated
        self.labels: dict[str, str] = {}
        self.sections: list[str] = []
        self.cities: list[tuple[str, str, str]] = []  # (iri, name, side of its country)
        self.countries: dict[str, tuple[str, str]] = {}  # name -> (iri, side)
        self.actors: list[str] = []
        self.weights: list[float] = []
        self.projects: list[str] = [iri("eu-china-mmsp")]
        self.participants: Weighted | None = None
        self.organiser = next((r for r in curated.roles if r.endswith("/organiser")), None)

    def t(self, s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} .\n"

    def cite(self, node: str, count: int = 1) -> Iterator[str]:
        for section in self.rng.sample(self.sections, count):
            yield self.t(node, mg("statedIn"), section)

    def name(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(2)).capitalize()

    def date(self, year: int) -> str:
        kind = self.rng.random()
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        if kind < 0.6:
            return typed(f"{year}-{month:02d}-{day:02d}", "date")
        if kind < 0.85:
            return typed(f"{year}-{month:02d}", "gYearMonth")
        return typed(year, "gYear")

    def sources(self, count: int) -> Iterator[str]:
        for n in range(count):
            source = iri(f"syn-src-{n}")
            yield self.t(source, ref(RDF.type), mg("Source"))
            yield self.t(source, ref(SKOS.prefLabel), text(f"Synthetic report {n}"))
            yield self.t(source, ref(DCTERMS.identifier), f'"syn-src-{n}"')
            page = 1
            for k in range(12):
                section = iri(f"syn-src-{n}-s{k}")
                self.sections.append(section)
                yield self.t(section, ref(RDF.type), mg("SourceSection"))
                yield self.t(section, ref(DCTERMS.isPartOf), source)
                yield self.t(section, ref(SKOS.prefLabel), text(f"Report {n}, section {k + 1}"))
                yield self.t(section, ref(DCTERMS.title), text(f"Section {k + 1} of report {n}"))
                yield self.t(section, ref(SCHEMA.pageStart), typed(page, "integer"))
                page += self.rng.randint(0, 2)
                yield self.t(section, ref(SCHEMA.pageEnd), typed(page, "integer"))

    def places(self, provinces_per_country: int, cities_per_province: int) -> Iterator[str]:
        regions = {"eu": iri("europe"), "other": iri("southeast-asia")}
        countries = [(c, "eu") for c in COUNTRIES_EU] + [(c, "other") for c in COUNTRIES_OTHER]
        for name, side in countries:
            country = iri(f"syn-country-{name.lower()}")
            self.countries[name] = (country, side)
            yield self.t(country, ref(RDF.type), mg("Country"))
            yield self.t(country, ref(RDF.type), mg("State"))
            yield self.t(country, ref(SKOS.prefLabel), text(f"{name} (synthetic)"))
            yield self.t(country, mg("within"), regions[side])
            yield self.t(country, mg("side"), ref(SIDE[side]))
            yield from self.cite(country)
        parents = [(iri("china"), "china")] + [(c, side) for c, side in self.countries.values()]
        for country, side in parents:
            for p in range(provinces_per_country):
                province = iri(f"syn-province-{len(self.cities)}-{p}")
                yield self.t(province, ref(RDF.type), mg("Province"))
                yield self.t(province, ref(SKOS.prefLabel), text(f"{self.name()} Province"))
                yield self.t(province, mg("within"), country)
                for _ in range(cities_per_province):
                    city = iri(f"syn-city-{len(self.cities)}")
                    city_name = self.name()
                    self.cities.append((city, city_name, side))
                    yield self.t(city, ref(RDF.type), mg("City"))
                    yield self.t(city, ref(SKOS.prefLabel), text(city_name))
                    yield self.t(city, mg("within"), province)

    def actor_lines(self, count: int) -> Iterator[str]:
        """Actors of the curated classes in their curated shares, each with a side drawn from
        its class's curated sides and a city on that side, and a heavy-tailed weight."""
        classes = self.curated.classes("actor")
        by_side: dict[str, list[tuple[str, str, str]]] = {}
        for city in self.cities:
            by_side.setdefault(str(SIDE[city[2]]), []).append(city)
        for n in range(count):
            actor = iri(f"syn-actor-{n}")
            kind = self.curated.model.kinds[classes.pick(self.rng)]
            side = self.curated.sides_of(kind.iri).pick(self.rng)
            city, city_name, _ = self.rng.choice(by_side.get(side) or self.cities)
            label = f"{city_name} {kind.label} {n}"
            self.labels[actor] = label
            self.actors.append(actor)
            self.weights.append(self.rng.paretovariate(1.2))
            yield self.t(actor, ref(RDF.type), ref(kind.iri))
            yield self.t(actor, ref(SKOS.prefLabel), text(_capital(label)))
            yield self.t(actor, mg("side"), ref(side))
            yield self.t(actor, mg("basedIn"), city)
            if self.rng.random() < 0.3:
                yield self.t(actor, ref(SKOS.altLabel), text(f"{_acronym(label)}{n}"))
            if n and self.rng.random() < 0.15:
                yield self.t(actor, ref(ORG.subOrganizationOf), self.rng.choice(self.actors[:-1]))
            yield from self.cite(actor, self.rng.randint(1, 2))

    def participant_weights(self) -> Weighted:
        """Synthetic actors with their Pareto weights, and the curated actors weighted so that
        the busiest curated one weighs as much as the heaviest synthetic actor."""
        busy = self.curated.busy
        top = max(self.weights, default=1.0)
        most = max(busy.values(), default=1)
        curated = sorted(busy)
        return Weighted([*(f"<{a}>" for a in curated), *self.actors],
                        [*(top * busy[a] / most for a in curated), *self.weights])

    def pick_actor(self) -> str:
        if self.participants is None:
            self.participants = self.participant_weights()
        return self.participants.pick(self.rng)

    def activity_lines(self, n: int) -> Iterator[str]:
        activity = iri(f"syn-activity-{n}")
        kind = self.curated.model.kinds[self.activity_classes.pick(self.rng)]
        year = self.rng.randint(2008, 2020)
        roll = self.rng.random()
        status = "cancelled" if roll < 0.03 else "planned" if year > 2016 or roll < 0.15 else "held"
        city, city_name, _ = self.rng.choice(self.cities)
        label = f"{_capital(kind.label)} on {self.rng.choice(SUBJECTS)}, {city_name} {year} #{n}"
        yield self.t(activity, ref(RDF.type), ref(kind.iri))
        yield self.t(activity, ref(SKOS.prefLabel), text(label))
        yield self.t(activity, mg("status"), ref(STATUS[status]))
        start = self.date(year)
        yield self.t(activity, ref(SCHEMA.startDate), start)
        if self.rng.random() < 0.7:
            yield self.t(activity, ref(SCHEMA.endDate), start)
        yield self.t(activity, mg("place"), city)
        if self.rng.random() < 0.1:
            yield self.t(activity, mg("place"), self.rng.choice(self.cities)[0])
        for theme in self.rng.sample(self.curated.themes, self.rng.randint(1, 3)):
            yield self.t(activity, mg("theme"), ref(theme))
        if self.rng.random() < 0.8:
            yield self.t(activity, mg("partOfProject"), self.rng.choice(self.projects))
        yield from self.cite(activity, self.rng.randint(1, 2))
        size = self.rng.choice(self.curated.actors_per_activity)
        agents = {self.pick_actor() for _ in range(size)}
        for k, agent in enumerate(sorted(agents)):
            role = self.organiser if k == 0 and self.organiser else self.roles.pick(self.rng)
            part = iri(f"syn-p-{n}-{k}")
            agent_label = self.labels.get(agent, "a curated actor")
            yield self.t(activity, mg("hasParticipation"), part)
            yield self.t(part, ref(RDF.type), mg("Participation"))
            yield self.t(part, mg("agent"), agent)
            yield self.t(part, mg("role"), ref(role))
            yield self.t(part, ref(SKOS.prefLabel),
                         text(f"{agent_label} as {self.curated.role_labels[role]} of {label}"))
            yield from self.cite(part)
            if status == "held":  # as the build's rule: plans are not participation
                yield self.t(agent, mg("tookPartIn"), activity)
                yield self.t(activity, ref(PROV.wasAssociatedWith), agent)

    def instrument_lines(self, n: int) -> Iterator[str]:
        instrument = iri(f"syn-instrument-{n}")
        kind = self.curated.model.kinds[self.instrument_classes.pick(self.rng)]
        year = self.rng.randint(2000, 2020)
        yield self.t(instrument, ref(RDF.type), ref(kind.iri))
        yield self.t(instrument, ref(SKOS.prefLabel),
                     text(f"{_capital(kind.label)} on {self.rng.choice(SUBJECTS)} #{n}"))
        for party in {self.pick_actor() for _ in range(self.rng.randint(1, 3))}:
            yield self.t(instrument, mg("party"), party)
        yield self.t(instrument, mg("issuer"), self.pick_actor())
        yield self.t(instrument, mg("passedOn"), self.date(year))
        yield self.t(instrument, mg("inForceFrom"), typed(year + 1, "gYear"))
        yield self.t(instrument, mg("theme"), ref(self.rng.choice(self.curated.themes)))
        yield from self.cite(instrument)

    def figure_lines(self, n: int) -> Iterator[str]:
        figure = iri(f"syn-figure-{n}")
        measure = self.rng.choice(MEASURES)
        yield self.t(figure, ref(RDF.type), mg("Figure"))
        yield self.t(figure, ref(SKOS.prefLabel), text(f"Figure {n}: {measure}"))
        yield self.t(figure, mg("about"), self.pick_actor())
        yield self.t(figure, mg("measure"), text(measure))
        yield self.t(figure, mg("value"), typed(self.rng.randint(1, 500000), "integer"))
        yield self.t(figure, mg("unit"), ref(self.rng.choice(self.curated.units)))
        yield self.t(figure, mg("refPeriod"), typed(self.rng.randint(2008, 2020), "gYear"))
        yield from self.cite(figure)

    def lines(self) -> Iterator[str]:
        """All synthetic lines, in a fixed order, sized from the number of activities."""
        self.activity_classes = self.curated.classes("activity")
        self.instrument_classes = self.curated.classes("instrument")
        roles = sorted(self.curated.roles)
        self.roles = Weighted(roles, [self.curated.roles[r] for r in roles])
        yield from self.sources(max(2, self.activities // 20))
        yield from self.places(provinces_per_country=3, cities_per_province=4)
        yield from self.actor_lines(max(10, self.activities // 4))
        for n in range(self.activities):
            yield from self.activity_lines(n)
            if n % 10 == 0:
                yield from self.instrument_lines(n // 10)
            if n % 5 == 0:
                yield from self.figure_lines(n // 5)


TRIPLES_PER_ACTIVITY = 46


def write(out: Path, triples: int, curated_nt: Path, seed: int = 42,
          shapes: Path | None = None) -> int:
    """Write `out/miggraph.nt`: the curated graph plus synthetic triples up to about `triples`.

    `shapes` (default: the shapes of the project this package belongs to) tells which classes
    need links the generator does not make. Returns the number of lines (triples) written.
    The file appears only when complete.
    """
    if shapes is None:
        from ..project import find_project
        shapes = find_project().shapes
    with curated_nt.open(encoding="utf-8") as handle:
        curated_lines = [line for line in handle if line.strip()]
    activities = max(10, (triples - len(curated_lines)) // TRIPLES_PER_ACTIVITY)
    generator = Generator(seed, activities, Curated.read(curated_nt, shapes))
    count = 0
    with atomic_path(out / "miggraph.nt") as tmp, tmp.open("w", encoding="utf-8") as sink:
        sink.writelines(curated_lines)
        count += len(curated_lines)
        for line in generator.lines():
            sink.write(line)
            count += 1
    return count
