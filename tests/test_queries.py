"""Every competency question in queries/ answers what the curated newsletter data says."""

from __future__ import annotations

from pathlib import Path

import pytest

from miggraph import query as query_mod
from miggraph.project import Project
from miggraph.store import GRAPH, Embedded, Result, embedded

ROOT = Path(__file__).resolve().parents[1]
MG = "https://w3id.org/miggraph/def#"
MGD = "https://w3id.org/miggraph/id/"


@pytest.fixture(scope="module")
def store(dist: Path) -> Embedded:
    return Embedded(embedded(dist))


def run(store: Embedded, name: str, **params: str | list[str]) -> Result:
    text = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    values = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    return store.run(query_mod.bind(text, values))


def rows(store: Embedded, name: str, **params: str | list[str]) -> list[dict[str, str]]:
    """The answer as dicts of plain strings ('' where unbound)."""
    result = run(store, name, **params)
    return [{n: ("" if v is None else v.value) for n, v in zip(result.variables, row, strict=True)}
            for row in result.rows]


def column(answer: list[dict[str, str]], name: str) -> list[str]:
    return [row[name] for row in answer]


def split(cell: str, sep: str = "; ") -> set[str]:
    return set(cell.split(sep)) if cell else set()


# ---------------------------------------------------------------- the library itself

def test_library_has_at_least_twenty_documented_queries(project: Project) -> None:
    queries = query_mod.library(project.queries)
    assert len(queries) >= 20
    for q in queries:
        assert q.title and q.question and q.returns, f"{q.name}: header incomplete"
        assert set(q.parameters) == set(q.defaults), f"{q.name}: parameters not documented"


def test_every_query_returns_the_columns_its_header_names(project: Project,
                                                          store: Embedded) -> None:
    for q in query_mod.library(project.queries):
        result = store.run(q.text)
        if result.kind == GRAPH:
            assert q.returns == ["triples (CONSTRUCT)"], q.name
            assert result.triples, q.name
        else:
            assert result.variables == q.returns, q.name
            assert result.rows, f"{q.name}: no answer on the curated data"


def test_queries_readme_is_up_to_date(project: Project) -> None:
    expected = query_mod.render_readme(query_mod.library(project.queries))
    actual = (project.queries / "README.md").read_text(encoding="utf-8")
    assert actual == expected, "run: miggraph queries --markdown > queries/README.md"


def test_every_fact_query_cites_section_and_page(project: Project, store: Embedded) -> None:
    for q in query_mod.library(project.queries):
        if "sources" not in q.returns:
            continue
        answer = rows(store, q.name)
        cited = [r["sources"] for r in answer if r["sources"]]
        assert cited and all("(p. " in c for c in cited), q.name


# ---------------------------------------------------------------- actors

def test_actors_by_kind_lists_public_bodies_with_their_most_specific_class(store) -> None:
    answer = rows(store, "actors-by-kind")
    by_actor = {r["actor"].removeprefix(MGD): r for r in answer}
    assert by_actor["mps"]["class"] == MG + "Ministry"
    assert by_actor["yiwu-psb"]["class"] == MG + "PublicSecurityBureau"
    assert by_actor["embassy-sweden-beijing"]["side"] == "EU"
    assert "iom" not in by_actor and "yiwu-tongyue-service-centre" not in by_actor
    assert len(answer) == 17


def test_actors_by_kind_takes_another_kind(store) -> None:
    answer = rows(store, "actors-by-kind", kind="mg:NGO")
    assert column(answer, "label") == ["Yiwu Tongyue Service Centre"]


def test_actors_by_side_china_and_international(store) -> None:
    china = {r["actor"].removeprefix(MGD) for r in rows(store, "actors-by-side", side="side:china")}
    assert {"mps", "mps-beea", "npc", "cass", "yiwu-tongyue-service-centre"} <= china
    assert "iom" not in china
    international = rows(store, "actors-by-side", side="side:international")
    assert {r["label"] for r in international} == {
        "International Organization for Migration", "IOM Liaison Office in China",
        "International Labour Organization", "ILO Country Office for China and Mongolia",
        "United Nations Office on Drugs and Crime", "Pär Liljert", "William Lacy Swing"}


def test_actor_counts_by_side_and_class(store) -> None:
    counts = {(r["side"], r["class"].removeprefix(MG)): int(r["actors"])
              for r in rows(store, "actor-counts")}
    assert counts[("China", "ActorGroup")] == 8
    assert counts[("EU", "State")] == 8
    assert counts[("other", "State")] == 1  # Norway
    assert counts[("international", "IntergovernmentalOrganisation")] == 3


# ---------------------------------------------------------------- participation

def test_actor_participations_of_mps(store) -> None:
    answer = rows(store, "actor-participations")
    assert [(r["activity"].removeprefix(MGD), r["role"]) for r in answer] == [
        ("exchange-visit-trafficking-2015", "participant"),
        ("return-workshop-2015", "participant"),
        ("return-workshop-2015", "presenter"),
        ("policy-seminar-migrants-cities-2016", "participant"),
    ]
    assert answer[-1]["status"] == "planned"
    assert "Policy Seminar on Migrants and Cities (March 2016) (p. 6)" in answer[-1]["sources"]


def test_activity_participants_carry_head_counts(store) -> None:
    answer = rows(store, "activity-participants", activity="mgd:ads-training-guangzhou-2015")
    counts = {r["label"]: r["headCount"] for r in answer if r["headCount"]}
    assert counts == {"EU member states' consulates in Guangzhou": "16",
                      "Chinese travel agencies in Guangzhou": "30"}


def test_co_participation_of_iom_office_and_mps(store) -> None:
    answer = rows(store, "co-participation")
    assert column(answer, "activity") == [MGD + "exchange-visit-trafficking-2015",
                                          MGD + "return-workshop-2015",
                                          MGD + "policy-seminar-migrants-cities-2016"]
    workshop = answer[1]
    assert split(workshop["rolesA"], ", ") == {"facilitator", "presenter"}
    assert split(workshop["rolesB"], ", ") == {"participant", "presenter"}


def test_co_participation_of_actors_who_never_met_is_empty(store) -> None:
    assert rows(store, "co-participation", actorA="mgd:ilo", actorB="mgd:mps") == []


def test_partners_of_the_iom_office_ranked_by_shared_activities(store) -> None:
    answer = rows(store, "partners")
    top = {r["partner"].removeprefix(MGD) for r in answer if r["shared"] == "3"}
    assert top == {"eu-delegation-china", "mfa-china", "mps"}
    assert answer[0]["shared"] == "3"
    assert MGD + "iom-liaison-office-china" not in column(answer, "partner")


def test_connection_path_goes_through_one_intermediary(store) -> None:
    answer = rows(store, "connection-path")
    assert {r["hops"] for r in answer} == {"2"}
    assert "IOM Liaison Office in China" in column(answer, "via")
    assert all(r["activity2"].startswith("Workshop on Enhancing") for r in answer)


def test_connection_path_is_direct_when_actors_met(store) -> None:
    answer = rows(store, "connection-path", **{"from": "mgd:mps", "to": "mgd:dg-home"})
    assert [(r["hops"], r["activity1"]) for r in answer] == [
        ("1", "Workshop on Enhancing Practical Cooperation on Return and Readmission")]


def test_actor_activity_counts(store) -> None:
    answer = rows(store, "actor-activity-counts")
    first = answer[0]
    assert (first["actor"], first["activities"], first["organised"]) == (
        MGD + "iom-liaison-office-china", "5", "3")


# ---------------------------------------------------------------- activities

def test_activities_by_theme_return_and_readmission(store) -> None:
    answer = rows(store, "activities-by-theme")
    assert {r["activity"].removeprefix(MGD) for r in answer} == {
        "yiwu-field-assessment-2015", "return-workshop-2015", "return-group-discussion-2015",
        "eu-china-expert-meeting-return-2015", "return-handbook-development-2016"}
    workshop = next(r for r in answer if r["activity"] == MGD + "return-workshop-2015")
    assert (workshop["class"], workshop["status"], workshop["places"]) == (
        MG + "Workshop", "held", "Beijing")


def test_activities_in_place_follow_the_within_hierarchy(store) -> None:
    zhejiang = rows(store, "activities-in-place", place="mgd:zhejiang")
    assert [(r["activity"].removeprefix(MGD), r["where"]) for r in zhejiang] == [
        ("yiwu-field-assessment-2015", "Yiwu")]
    china = {r["activity"].removeprefix(MGD) for r in rows(store, "activities-in-place")}
    assert len(china) == 10
    assert {"ads-training-guangzhou-2015", "vis-rollout-china-2015",
            "ads-training-chengdu-2016"} <= china
    assert "exchange-visit-trafficking-2015" not in china
    europe = {r["activity"].removeprefix(MGD)
              for r in rows(store, "activities-in-place", place="mgd:europe")}
    assert europe == {"exchange-visit-trafficking-2015", "iom-conference-migrants-cities-2015"}


def test_activities_in_period_compare_dates_at_their_precision(store) -> None:
    answer = rows(store, "activities-in-period")
    dates = {r["activity"].removeprefix(MGD): (r["date"], r["precision"]) for r in answer}
    assert dates["exchange-visit-trafficking-2015"] == ("2015-10", "month")
    assert dates["yiwu-field-assessment-2015"] == ("2015", "year")
    assert dates["eu-china-expert-meeting-return-2015"] == ("2015-11-05", "day")
    assert "ads-training-guangzhou-2015" not in dates  # 11 September
    assert len(dates) == 9
    september = rows(store, "activities-in-period", **{"from": "2015-09-01", "to": "2015-09-30"})
    assert {r["activity"].removeprefix(MGD) for r in september} == {
        "ads-training-guangzhou-2015", "yiwu-field-assessment-2015"}


def test_planned_versus_held_by_year(store) -> None:
    counts = {(r["year"], r["status"]): int(r["activities"]) for r in rows(store, "planned-vs-held")}
    assert counts == {("", "held"): 1, ("2011", "held"): 1, ("2015", "held"): 10,
                      ("2016", "planned"): 9}


def test_themes_overview(store) -> None:
    answer = {r["theme"].rsplit("/", 1)[-1]: r for r in rows(store, "themes-overview")}
    assert (answer["labour-migration"]["held"], answer["labour-migration"]["planned"]) == ("0", "5")
    assert answer["trafficking"]["instruments"] == "6"


# ---------------------------------------------------------------- research question 1

def test_rq1_activities_the_project_held_in_2015(store) -> None:
    answer = rows(store, "project-held-activities")
    by_id = {r["activity"].removeprefix(MGD): r for r in answer}
    assert list(by_id) == ["yiwu-field-assessment-2015", "ads-training-guangzhou-2015",
                           "exchange-visit-trafficking-2015", "return-workshop-2015"]
    guangzhou = by_id["ads-training-guangzhou-2015"]
    assert (guangzhou["start"], guangzhou["places"]) == ("2015-09-11", "Guangzhou")
    assert guangzhou["organisers"] == "IOM Liaison Office in China (organiser)"
    assert split(guangzhou["themes"], ", ") == {"tourism", "visas and borders"}
    assert "Delegation of the European Union to China (presenter)" in split(
        guangzhou["participants"])
    visit = by_id["exchange-visit-trafficking-2015"]
    assert split(visit["places"], ", ") == {"Austria", "Bulgaria", "France"}
    assert visit["organisers"] == "IOM Liaison Office in China (facilitator)"
    workshop = by_id["return-workshop-2015"]
    assert (workshop["start"], workshop["end"]) == ("2015-11-03", "2015-11-04")
    assert {"France (presenter)", "Netherlands (presenter)",
            "Ministry of Public Security of China (presenter)"} <= split(workshop["participants"])
    yiwu = by_id["yiwu-field-assessment-2015"]
    assert split(yiwu["organisers"]) == {
        "IOM Liaison Office in China (organiser)",
        "Bureau of Exit and Entry Administration of the Ministry of Public Security (organiser)"}
    assert "Workshop on Enhancing Practical Cooperation on Return and Readmission (p. 5)" in \
        workshop["sources"]


def test_rq1_activities_only_planned_for_2016(store) -> None:
    answer = rows(store, "project-planned-activities")
    assert len(answer) == 9
    by_id = {r["activity"].removeprefix(MGD): r for r in answer}
    assert by_id["policy-seminar-migrants-cities-2016"]["start"] == "2016-03"
    assert by_id["policy-seminar-migrants-cities-2016"]["places"] == "Guangzhou"
    assert by_id["mic-field-assessment-2016"]["places"] == "Vietnam"
    assert by_id["ads-training-chengdu-2016"]["class"] == MG + "TrainingWorkshop"
    assert by_id["ilo-awareness-material-2016"]["participants"] == \
        "International Labour Organization (organiser)"
    assert all("(p. 6)" in r["sources"] or "(p. 4)" in r["sources"] for r in answer)
    assert rows(store, "project-planned-activities", year="2015") == []


# ---------------------------------------------------------------- research questions 2-4

def test_rq2_bodies_at_the_return_workshop_and_presenters(store) -> None:
    answer = rows(store, "workshop-bodies")
    assert len(answer) == 10
    presenters = {r["label"] for r in answer if r["presented"] == "yes"}
    assert presenters == {
        "IOM Liaison Office in China", "Ministry of Public Security of China",
        "Directorate-General for Migration and Home Affairs", "France", "Netherlands",
        "Chinese academic experts"}
    mfa = next(r for r in answer if r["actor"] == MGD + "mfa-china")
    assert (mfa["roles"], mfa["presented"], mfa["side"]) == ("participant", "no", "China")
    assert all("Workshop on Enhancing Practical Cooperation on Return and Readmission (p. 5)"
               in r["sources"] for r in answer)


def test_rq3_whom_the_mps_delegation_met_and_where(store) -> None:
    answer = rows(store, "visit-counterparts")
    assert {r["counterpart"].removeprefix(MGD) for r in answer} == {
        "eu-ms-law-enforcement-justice", "unodc", "victim-protection-csos"}
    assert all(split(r["countries"], ", ") == {"Austria", "Bulgaria", "France"} for r in answer)
    assert all("China and EU Share Experiences in Combating Human Trafficking (p. 4)"
               in r["sources"] for r in answer)


def test_rq4_local_authorities_and_ngos_the_yiwu_assessment_met(store) -> None:
    answer = rows(store, "bodies-met")
    assert {r["actor"].removeprefix(MGD): r["basedIn"] for r in answer} == {
        "jinhua-psb": "Jinhua", "yiwu-psb": "Yiwu",
        "jiangdong-police-station": "Jiangdong Street, Yiwu", "jimingshan-community": "Yiwu",
        "yiwu-trade-city-judicial-office": "International Trade City of Yiwu",
        "yiwu-tongyue-service-centre": "Yiwu"}
    ngo = [r["label"] for r in answer if r["class"] == MG + "NGO"]
    assert ngo == ["Yiwu Tongyue Service Centre"]
    only_ngos = rows(store, "bodies-met", kind="mg:NGO")
    assert column(only_ngos, "label") == ["Yiwu Tongyue Service Centre"]


# ---------------------------------------------------------------- research question 5

def test_rq5_what_the_vis_and_the_ninth_amendment_changed(store) -> None:
    answer = rows(store, "instrument-changes")
    vis = [r for r in answer if r["instrument"] == MGD + "vis"]
    ninth = [r for r in answer if r["instrument"] == MGD + "ninth-amendment-criminal-law"]
    assert len(vis) == 6 and len(ninth) == 2
    assert {r["deployedInChina"] for r in vis} == {"2015-10-12"}
    assert any("ten fingerprints" in r["effect"] for r in vis)
    assert any("Children under twelve" in r["effect"] for r in vis)
    assert {(r["passedOn"], r["inForceFrom"], r["article"]) for r in ninth} == {
        ("2015-10", "2015-11-01", "Article 241 of the Criminal Law of the People's Republic of China")}
    assert any("Buyers of abducted women and children can be prosecuted" in r["effect"]
               for r in ninth)
    assert all("New amendment of the Chinese criminal law criminalizes buyers (p. 2)"
               in r["sources"] for r in ninth)


def test_instruments_with_parties_and_dates(store) -> None:
    answer = {r["instrument"].removeprefix(MGD): r for r in rows(store, "instruments")}
    assert split(answer["mps-police-cooperation-agreements"]["parties"], ", ") == {
        "Ministry of Public Security of China", "United Kingdom", "France", "Germany", "Italy",
        "Spain"}
    plan = answer["china-npa-trafficking-2013-2020"]
    assert (plan["issuer"], plan["inForceFrom"], plan["inForceUntil"]) == ("China", "2013", "2020")
    agreements = rows(store, "instruments", kind="mg:Agreement")
    assert {r["instrument"].removeprefix(MGD) for r in agreements} == {
        "mps-police-cooperation-agreements", "eu-china-readmission-agreement"}


# ---------------------------------------------------------------- research question 6

def test_rq6_interviewed_embassies_and_where_they_accept_applications(store) -> None:
    answer = {r["mission"].removeprefix(MGD): r for r in rows(store, "interviewed-missions")}
    assert set(answer) == {"embassy-sweden-beijing", "embassy-belgium-beijing"}
    assert split(answer["embassy-belgium-beijing"]["acceptsApplicationsIn"], ", ") == {
        "Beijing", "Shanghai", "Guangzhou"}
    assert answer["embassy-sweden-beijing"]["acceptsApplicationsIn"] == "Beijing"
    assert answer["embassy-sweden-beijing"]["state"] == "Sweden"


def test_rq6_norway_represents_sweden_in_guangzhou(store) -> None:
    answer = rows(store, "who-represents")
    assert [(r["label"], r["ofState"]) for r in answer] == [
        ("Consulate General of Norway in Guangzhou", "Norway")]
    assert "How the EU Embassies experience the VIS implementation in practice (p. 3)" in \
        answer[0]["sources"]
    assert rows(store, "who-represents", state="mgd:belgium") == []


# ---------------------------------------------------------------- research question 7 and facts

def test_rq7_every_figure_with_measure_period_and_source(built, store) -> None:
    from rdflib import RDF, URIRef
    figures = set(built.graph.subjects(RDF.type, URIRef(MG + "Figure")))
    answer = rows(store, "figures")
    assert {r["figure"] for r in answer} == {str(f) for f in figures}
    by_id = {r["figure"].removeprefix(MGD): r for r in answer}
    yiwu = by_id["fig-yiwu-foreign-residents-2014"]
    assert (yiwu["value"], yiwu["qualifier"], yiwu["unit"], yiwu["period"]) == (
        "447000", "about", "persons", "2014")
    assert yiwu["sectionTitle"].startswith("IOM-MPS BEEA Joint Field Assessment") and \
        yiwu["page"] == "5"
    cases = by_id["fig-china-trafficking-cases-2009-2013"]
    assert (cases["value"], cases["period"], cases["page"]) == ("33505", "2009/2013", "4")
    share = by_id["fig-china-aged-60-plus-share-2050"]
    assert (share["value"], share["projection"], share["reportedBy"]) == (
        "38.6", "yes", "Chinese Academy of Social Sciences")
    assert all(r["measure"] and r["sectionTitle"] and r["page"] for r in answer)


def test_actor_facts_cite_sections_and_pages(store) -> None:
    answer = rows(store, "actor-facts")
    facts = {(r["property"], r["value"]): r["sources"] for r in answer}
    assert ("based in", "Beijing") in facts
    presenter = facts[("took part as presenter",
                       "Training workshop on ADS-supported tourism, Guangzhou")]
    assert presenter == "Chinese travel agents receive information to enhance tourism to Europe (p. 4)"
    assert ("took part as host",
            "Information meetings on the VIS roll-out at the EU Delegation") in facts


def test_actor_facts_include_figures_and_instruments(store) -> None:
    facts = {(r["property"], r["value"]) for r in rows(store, "actor-facts", actor="mgd:mps")}
    assert ("party to", "MPS bilateral police cooperation agreements on counter-trafficking") in facts
    assert ("figure", "trafficked women rescued: more than 30000 persons") in facts


def test_labels_in_chinese(store) -> None:
    answer = {r["node"].removeprefix(MGD): r["chinese"] for r in rows(store, "labels-zh")}
    assert answer["iom-liaison-office-china"] == "国际移民组织驻华联络处"
    assert answer["eu-china-mmsp"] == "支持中欧人员往来和移民领域对话项目"
    assert answer["chaoyang-district"] == "朝阳区"
    assert len(answer) == 7


def test_source_sections_with_pages_and_citations(store) -> None:
    answer = rows(store, "source-sections")
    assert len(answer) == 16
    yiwu = next(r for r in answer if r["section"] == MGD + "src000-yiwu-assessment")
    assert (yiwu["pageStart"], yiwu["pageEnd"]) == ("5", "5")
    assert int(yiwu["citedBy"]) > 20


def test_actor_neighbourhood_is_a_graph_around_the_actor(store) -> None:
    result = run(store, "actor-neighbourhood")
    assert result.kind == GRAPH
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in result.triples}
    assert (MGD + "mps-beea", "http://www.w3.org/ns/org#subOrganizationOf", MGD + "mps") in triples
    assert (MGD + "yiwu-field-assessment-2015", MG + "hasParticipation",
            MGD + "p-yiwu-beea-host") in triples
    assert (MGD + "p-yiwu-beea-host", MG + "role", "https://w3id.org/miggraph/role/host") in triples
    assert (MGD + "src000-yiwu-assessment", "https://schema.org/pageStart", "5") in triples
    turtle = query_mod.format_turtle(result)
    assert "mgd:mps-beea" in turtle and "@prefix mgd:" in turtle
