"""Synth: seeded, realistic graphs in the shape of the curated data, for benchmarks and tests.

`write(out, triples, seed)` writes `out/miggraph.nt`: the built curated graph (ontology,
vocabularies and data, so class hierarchies, labels and the queries' default parameters all
resolve), then synthetic sources, places, actors, projects, activities with qualified
participations, instruments and figures until about `triples` triples. The synthetic part
follows the same shapes (a side and a source for every actor, a status, dates of mixed
precision, places in a `within` hierarchy and themes for every activity, the derived
`tookPartIn` shortcuts and participation labels a build adds), and links to the curated
actors, places, themes and project, so the competency questions have real work to do.
Same seed, same graph.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from ..files import atomic_path

BASE = "https://w3id.org/miggraph/"
MG, ID = BASE + "def#", BASE + "id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS, PROV = "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#"
SCHEMA, DCT = "https://schema.org/", "http://purl.org/dc/terms/"
ORG_SUB = "http://www.w3.org/ns/org#subOrganizationOf"

THEMES = ["trafficking", "smuggling", "irregular-migration", "return-readmission",
          "visas-borders", "tourism", "labour-migration", "cities", "ageing", "integration",
          "migration-development"]
ROLES = {"organiser": "organiser", "funder": "funder", "host": "host",
         "participant": "participant", "facilitator": "facilitator", "presenter": "presenter",
         "supporter": "supporter", "counterpart-met": "counterpart met",
         "interviewee": "interviewee"}
OTHER_ROLES = ["participant"] * 6 + ["presenter"] * 2 + ["supporter", "host", "facilitator",
                                                           "counterpart-met", "funder"]
ACTIVITY_KINDS = {"Workshop": "Workshop on", "TrainingWorkshop": "Training workshop on",
                  "ExchangeVisit": "Exchange visit on", "FieldAssessment": "Field assessment of",
                  "Seminar": "Seminar on", "Conference": "Conference on",
                  "ExpertMeeting": "Expert meeting on", "TrainingCourse": "Training course on",
                  "PublicationDevelopment": "Handbook on", "InformationMeeting": "Briefing on"}
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
PUBLIC_KINDS = [("Ministry", "Ministry of {domain} of {country}"),
                ("GovernmentAgency", "{country} {domain} Agency"),
                ("PublicSecurityBureau", "{city} Municipal Public Security Bureau"),
                ("LocalAuthority", "{city} Foreign Affairs Office"),
                ("Embassy", "Embassy of {country} in Beijing"),
                ("Consulate", "Consulate General of {country} in {city}"),
                ("NGO", "{city} {domain} Service Centre"),
                ("ResearchInstitute", "{country} Institute of {domain} Studies"),
                ("ActorGroup", "Travel agencies of {city}")]
DOMAINS = ["Public Security", "Foreign Affairs", "Labour", "Justice", "Interior", "Migration",
           "Tourism", "Social Affairs", "Border Control", "Civil Affairs"]
UNITS = ["person", "case", "percent", "enterprise", "application", "activity"]
MEASURES = ["migrants assisted", "cases investigated", "visa applications received",
            "share of applications approved", "foreign residents registered",
            "victims identified", "returns assisted", "trainees"]


def iri(local: str) -> str:
    return f"<{ID}{local}>"


def mg(term: str) -> str:
    return f"<{MG}{term}>"


def text(value: str, lang: str = "en") -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def typed(value: str | int, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class Generator:
    """Emits N-Triples lines for one synthetic graph; every choice comes from one seeded RNG."""

    def __init__(self, seed: int, activities: int, curated_actors: list[str]) -> None:
        self.rng = random.Random(seed)
        self.activities = activities
        self.curated_actors = curated_actors
        self.labels: dict[str, str] = {}
        self.sections: list[str] = []
        self.cities: list[tuple[str, str, str]] = []  # (iri, name, country name)
        self.countries: dict[str, tuple[str, str]] = {}  # name -> (iri, side)
        self.actors: list[str] = []
        self.projects: list[str] = [iri("eu-china-mmsp")]

    def t(self, s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} .\n"

    def cite(self, node: str, count: int = 1) -> Iterator[str]:
        for section in self.rng.sample(self.sections, count):
            yield self.t(node, f"<{MG}statedIn>", section)

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
            yield self.t(source, f"<{RDF_TYPE}>", mg("Source"))
            yield self.t(source, f"<{SKOS}prefLabel>", text(f"Synthetic report {n}"))
            yield self.t(source, f"<{DCT}identifier>", f'"syn-src-{n}"')
            page = 1
            for k in range(12):
                section = iri(f"syn-src-{n}-s{k}")
                self.sections.append(section)
                yield self.t(section, f"<{RDF_TYPE}>", mg("SourceSection"))
                yield self.t(section, f"<{DCT}isPartOf>", source)
                yield self.t(section, f"<{SKOS}prefLabel>", text(f"Report {n}, section {k + 1}"))
                yield self.t(section, f"<{DCT}title>", text(f"Section {k + 1} of report {n}"))
                yield self.t(section, f"<{SCHEMA}pageStart>", typed(page, "integer"))
                page += self.rng.randint(0, 2)
                yield self.t(section, f"<{SCHEMA}pageEnd>", typed(page, "integer"))

    def places(self, provinces_per_country: int, cities_per_province: int) -> Iterator[str]:
        regions = {"EU": iri("europe"), "other": iri("southeast-asia")}
        countries = [(c, "eu") for c in COUNTRIES_EU] + [(c, "other") for c in COUNTRIES_OTHER]
        for name, side in countries:
            country = iri(f"syn-country-{name.lower()}")
            self.countries[name] = (country, side)
            yield self.t(country, f"<{RDF_TYPE}>", mg("Country"))
            yield self.t(country, f"<{RDF_TYPE}>", mg("State"))
            yield self.t(country, f"<{SKOS}prefLabel>", text(f"{name} (synthetic)"))
            yield self.t(country, mg("within"), regions["EU" if side == "eu" else "other"])
            yield self.t(country, mg("side"), f"<{BASE}side/{side}>")
            yield from self.cite(country)
        parents = [(iri("china"), "China")] + [(c, n) for n, (c, _) in self.countries.items()]
        for country, country_name in parents:
            for p in range(provinces_per_country):
                province = iri(f"syn-province-{len(self.cities)}-{p}")
                yield self.t(province, f"<{RDF_TYPE}>", mg("Province"))
                yield self.t(province, f"<{SKOS}prefLabel>", text(f"{self.name()} Province"))
                yield self.t(province, mg("within"), country)
                for _ in range(cities_per_province):
                    city = iri(f"syn-city-{len(self.cities)}")
                    city_name = self.name()
                    self.cities.append((city, city_name, country_name))
                    yield self.t(city, f"<{RDF_TYPE}>", mg("City"))
                    yield self.t(city, f"<{SKOS}prefLabel>", text(city_name))
                    yield self.t(city, mg("within"), province)

    def actor_lines(self, count: int) -> Iterator[str]:
        for n in range(count):
            actor = iri(f"syn-actor-{n}")
            kind, pattern = self.rng.choice(PUBLIC_KINDS)
            city, city_name, country_name = self.rng.choice(self.cities)
            side = "china" if country_name == "China" else self.countries[country_name][1]
            if kind in ("Embassy", "Consulate") and side == "china":
                side = "eu"
            label = pattern.format(domain=self.rng.choice(DOMAINS), country=country_name,
                                   city=city_name) + f" {n}"
            self.labels[actor] = label
            self.actors.append(actor)
            yield self.t(actor, f"<{RDF_TYPE}>", mg(kind))
            yield self.t(actor, f"<{SKOS}prefLabel>", text(label))
            yield self.t(actor, mg("side"), f"<{BASE}side/{side}>")
            yield self.t(actor, mg("basedIn"), city)
            if self.rng.random() < 0.3:
                yield self.t(actor, f"<{SKOS}altLabel>", text(label.split()[0] + f" {n}"))
            if n and self.rng.random() < 0.15:
                yield self.t(actor, f"<{ORG_SUB}>", self.rng.choice(self.actors[:-1]))
            yield from self.cite(actor, self.rng.randint(1, 2))

    def pick_actor(self) -> str:
        if self.curated_actors and self.rng.random() < 0.2:
            return self.curated_actors[int(self.rng.paretovariate(1.2)) % len(self.curated_actors)]
        return self.actors[int(self.rng.paretovariate(1.1) * 7) % len(self.actors)]

    def activity_lines(self, n: int) -> Iterator[str]:
        activity = iri(f"syn-activity-{n}")
        kind = self.rng.choice(list(ACTIVITY_KINDS))
        year = self.rng.randint(2008, 2020)
        roll = self.rng.random()
        status = "cancelled" if roll < 0.03 else "planned" if year > 2016 or roll < 0.15 else "held"
        city, city_name, _ = self.rng.choice(self.cities)
        label = f"{ACTIVITY_KINDS[kind]} {self.rng.choice(SUBJECTS)}, {city_name} {year} #{n}"
        yield self.t(activity, f"<{RDF_TYPE}>", mg(kind))
        yield self.t(activity, f"<{SKOS}prefLabel>", text(label))
        yield self.t(activity, mg("status"), f"<{BASE}status/{status}>")
        start = self.date(year)
        yield self.t(activity, f"<{SCHEMA}startDate>", start)
        if self.rng.random() < 0.7:
            yield self.t(activity, f"<{SCHEMA}endDate>", start)
        yield self.t(activity, mg("place"), city)
        if self.rng.random() < 0.1:
            yield self.t(activity, mg("place"), self.rng.choice(self.cities)[0])
        for theme in self.rng.sample(THEMES, self.rng.randint(1, 3)):
            yield self.t(activity, mg("theme"), f"<{BASE}theme/{theme}>")
        if self.rng.random() < 0.8:
            yield self.t(activity, mg("partOfProject"), self.rng.choice(self.projects))
        yield from self.cite(activity, self.rng.randint(1, 2))
        agents = {self.pick_actor() for _ in range(self.rng.randint(2, 8))}
        for k, agent in enumerate(sorted(agents)):
            role = "organiser" if k == 0 else self.rng.choice(OTHER_ROLES)
            part = iri(f"syn-p-{n}-{k}")
            agent_label = self.labels.get(agent, "a curated actor")
            yield self.t(activity, mg("hasParticipation"), part)
            yield self.t(part, f"<{RDF_TYPE}>", mg("Participation"))
            yield self.t(part, mg("agent"), agent)
            yield self.t(part, mg("role"), f"<{BASE}role/{role}>")
            yield self.t(part, f"<{SKOS}prefLabel>",
                         text(f"{agent_label} as {ROLES[role]} of {label}"))
            yield from self.cite(part)
            if status == "held":  # as the build's rule: plans are not participation
                yield self.t(agent, mg("tookPartIn"), activity)
                yield self.t(activity, f"<{PROV}wasAssociatedWith>", agent)

    def instrument_lines(self, n: int) -> Iterator[str]:
        instrument = iri(f"syn-instrument-{n}")
        kind = self.rng.choice(["BilateralAgreement", "Policy", "Programme", "Plan", "Law"])
        year = self.rng.randint(2000, 2020)
        yield self.t(instrument, f"<{RDF_TYPE}>", mg(kind))
        yield self.t(instrument, f"<{SKOS}prefLabel>",
                     text(f"{kind} on {self.rng.choice(SUBJECTS)} #{n}"))
        for party in {self.pick_actor() for _ in range(self.rng.randint(1, 3))}:
            yield self.t(instrument, mg("party"), party)
        yield self.t(instrument, mg("issuer"), self.pick_actor())
        yield self.t(instrument, mg("passedOn"), self.date(year))
        yield self.t(instrument, mg("inForceFrom"), typed(year + 1, "gYear"))
        yield self.t(instrument, mg("theme"), f"<{BASE}theme/{self.rng.choice(THEMES)}>")
        yield from self.cite(instrument)

    def figure_lines(self, n: int) -> Iterator[str]:
        figure = iri(f"syn-figure-{n}")
        measure = self.rng.choice(MEASURES)
        yield self.t(figure, f"<{RDF_TYPE}>", mg("Figure"))
        yield self.t(figure, f"<{SKOS}prefLabel>", text(f"Figure {n}: {measure}"))
        yield self.t(figure, mg("about"), self.pick_actor())
        yield self.t(figure, mg("measure"), text(measure))
        yield self.t(figure, mg("value"), typed(self.rng.randint(1, 500000), "integer"))
        yield self.t(figure, mg("unit"), f"<{BASE}unit/{self.rng.choice(UNITS)}>")
        yield self.t(figure, mg("refPeriod"), typed(self.rng.randint(2008, 2020), "gYear"))
        yield from self.cite(figure)

    def lines(self) -> Iterator[str]:
        """All synthetic lines, in a fixed order, sized from the number of activities."""
        yield from self.sources(max(2, self.activities // 20))
        yield from self.places(provinces_per_country=3, cities_per_province=4)
        yield from self.actor_lines(max(10, self.activities // 4))
        for n in range(self.activities):
            yield from self.activity_lines(n)
            if n % 10 == 0:
                yield from self.instrument_lines(n // 10)
            if n % 5 == 0:
                yield from self.figure_lines(n // 5)


TRIPLES_PER_ACTIVITY = 56


def curated_actors(curated_nt: Path) -> list[str]:
    """The actors of the curated graph, as N-Triples IRIs, in a stable order."""
    actors = set()
    actor_classes = {mg(c) for c in ("Organisation", "IntergovernmentalOrganisation",
                                     "CountryOffice", "EUBody", "EUDelegation", "Ministry",
                                     "Bureau", "GovernmentAgency", "NGO", "ActorGroup",
                                     "PublicSecurityBureau", "LocalAuthority", "Embassy",
                                     "Consulate", "State", "SupranationalUnion")}
    with curated_nt.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[1] == f"<{RDF_TYPE}>" and \
                    parts[2].rstrip(" .\n") in actor_classes:
                actors.add(parts[0])
    return sorted(actors)


def write(out: Path, triples: int, curated_nt: Path, seed: int = 42) -> int:
    """Write `out/miggraph.nt`: the curated graph plus synthetic triples up to about `triples`.

    Returns the number of lines (triples) written. The file appears only when complete.
    """
    with curated_nt.open(encoding="utf-8") as handle:
        curated = [line for line in handle if line.strip()]
    activities = max(10, (triples - len(curated)) // TRIPLES_PER_ACTIVITY)
    generator = Generator(seed, activities, curated_actors(curated_nt))
    count = 0
    with atomic_path(out / "miggraph.nt") as tmp, tmp.open("w", encoding="utf-8") as sink:
        sink.writelines(curated)
        count += len(curated)
        for line in generator.lines():
            sink.write(line)
            count += 1
    return count
