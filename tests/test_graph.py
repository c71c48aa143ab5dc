"""The run graph: node and edge counts for the county plan, and round trips of the GraphML file
and the Gephi CSV pairs."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from lxml import etree

from extractors.citations import display_title
from pipeline.api import read_corpus
from pipeline.outputs.graph import build_graph, edge_id, task_unit_graph, write_graph_files
from pipeline.outputs.graph_xml import ExportedGraph, write_gexf, write_graphml
from tests.conftest import needs_corpus
from tests.documents import CORPUS, REPO, county_gold_assignments

COUNTY = "alxa-left-banner-2024-rule-of-law-government-plan"
GRAPHML = "http://graphml.graphdrawing.org/xmlns"
GEXF = "http://www.gexf.net/1.2draft"


def run_tables(paths: list[Path], *, citations: bool = True) -> dict[str, pd.DataFrame]:
    """The tables of a run (without the commitments stage when ``citations`` is false)."""
    stages = ("structure", "units", "commitments", "cascade") if citations else ("structure", "units", "cascade")
    corpus, failures = read_corpus(paths, stages=stages)
    assert failures == []
    return corpus.tables


@pytest.fixture(scope="module")
def county_tables():
    paths = [REPO / "data" / "raw"]
    return run_tables(paths)


@pytest.fixture(scope="module")
def family_tables():
    """The county plan with the regulation family: implements and cites edges to documents."""
    paths = [REPO / "data" / "raw", CORPUS / "laws"]
    return run_tables(paths)


@pytest.fixture(scope="module")
def gold():
    """The county plan's hand-checked assignments, and the parents its manifest declares."""
    manifest = tomllib.loads((REPO / "data" / "raw" / "manifest.toml").read_text(encoding="utf-8"))
    [entry] = manifest["documents"]
    return county_gold_assignments(), entry["parents"]


def structure_counts(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, int], int]:
    """The document, section and task nodes the structure tables give, and their contains edges
    (document → section → task: one for every section and every task)."""
    documents, sections, tasks = (len(tables[name]) for name in ("documents", "sections", "tasks"))
    return {"document": documents, "section": sections, "task": tasks}, sections + tasks


def test_county_plan_graph_counts(county_tables, gold):
    assignments, parents = gold
    graph = build_graph(county_tables)
    nodes = Counter(kind for _, kind in graph.nodes(data="Type"))
    edges = Counter(kind for *_, kind in graph.edges(data="Label"))
    structure, contains = structure_counts(county_tables)
    assert structure["task"] == assignments["task_number"].nunique()  # every task assigns units
    roles = assignments.drop_duplicates(["task_number", "canonical", "role"])["role"].value_counts()
    # cited instruments: the titles its text cites (its preamble names its parents) and the parents
    cited = {display_title(title) for title in county_tables["citations"]["cited_title"]} | set(parents)
    assert nodes == {**structure, "unit": assignments["canonical"].nunique(), "cited": len(cited)}
    assert edges == {
        "contains": contains,
        "leads": roles["lead"],
        "supports": roles["support"],
        "cites": len(cited),
        "basis": len(parents),
    }
    region = "cited:内蒙古自治区2024年法治政府建设工作计划"
    assert graph.edges[COUNTY, region, "basis"]["found_by"] == "manifest"
    assert graph.edges[COUNTY, region, "cites"]["relation"] == "basis"
    assert graph.nodes["unit:阿拉善左旗:旗委编办"] == {
        "Label": "旗委编办",
        "Type": "unit",
        "unit_type": "party",
        "jurisdiction": "阿拉善左旗",
        "collective": False,
    }
    assert graph.has_edge("unit:阿拉善左旗:旗委编办", f"{COUNTY}:T0001", "leads")


def test_county_plan_graph_without_citations_or_units(gold):
    assignments, parents = gold
    paths = [REPO / "data" / "raw"]
    tables = run_tables(paths, citations=False)
    structure, contains = structure_counts(tables)
    assert Counter(kind for _, kind in build_graph(tables).nodes(data="Type")) == {
        **structure,
        "unit": assignments["canonical"].nunique(),
        "cited": len(parents),  # the parents the manifest names, without the text's citations
    }
    corpus, _ = read_corpus(paths, stages=("structure",))
    bare = build_graph(corpus.tables)
    assert (bare.number_of_nodes(), bare.number_of_edges()) == (sum(structure.values()), contains)


def test_task_unit_graph_holds_tasks_units_and_their_edges(county_tables, gold):
    assignments, _ = gold
    graph = task_unit_graph(build_graph(county_tables))
    roles = assignments.drop_duplicates(["task_number", "canonical", "role"])["role"].value_counts()
    assert Counter(kind for _, kind in graph.nodes(data="Type")) == {
        "task": assignments["task_number"].nunique(),
        "unit": assignments["canonical"].nunique(),
    }
    assert Counter(kind for *_, kind in graph.edges(data="Label")) == {
        "leads": roles["lead"],
        "supports": roles["support"],
    }


@needs_corpus
def test_family_graph_links_tasks_to_parent_articles(family_tables):
    graph = build_graph(family_tables)
    links = family_tables["links"]
    implements = [(u, v, d) for u, v, k, d in graph.edges(keys=True, data=True) if k == "implements"]
    assert len(implements) == len(links) > 0
    jinan, shandong = (
        "jinan-2022-optimize-business-environment-regulation",
        "shandong-2020-optimize-business-environment-regulation",
    )
    edge = graph.edges[f"{jinan}:T0058", f"{shandong}:T0050", "implements"]
    assert edge["relation"] == "verbatim" and edge["rank"] == 1 and edge["Weight"] > 0.9  # a link probability
    assert graph.has_edge(jinan, shandong, "basis")
    assert graph.edges[jinan, shandong, "basis"]["found_by"] == "jurisdiction+topic"


def written(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    names = write_graph_files(folder, tables)
    assert (
        sorted(names)
        == sorted(p.name for p in folder.iterdir())
        == ["edges.csv", "graph.gexf", "graph.graphml", "nodes.csv", "task_unit_edges.csv", "task_unit_nodes.csv"]
    )
    return folder


@needs_corpus
def test_graphml_round_trip(family_tables, tmp_path):
    graph = build_graph(family_tables)
    folder = written(family_tables, tmp_path)
    back = nx.read_graphml(folder / "graph.graphml", force_multigraph=True, edge_key_type=str)
    assert list(back.nodes(data=True)) == list(graph.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True)) == sorted(
        (u, v, edge_id(u, v, key), data) for u, v, key, data in graph.edges(keys=True, data=True)
    )


def as_text(value) -> str:
    return "" if value is None else str(value)


@needs_corpus
@pytest.mark.parametrize("prefix, subgraph", [("", False), ("task_unit_", True)])
def test_gephi_csv_round_trip(family_tables, tmp_path, prefix, subgraph):
    graph = build_graph(family_tables)
    graph = task_unit_graph(graph) if subgraph else graph
    folder = written(family_tables, tmp_path)
    nodes = pd.read_csv(folder / f"{prefix}nodes.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    edges = pd.read_csv(folder / f"{prefix}edges.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(nodes.columns[:3]) == ["Id", "Label", "Type"]
    assert list(edges.columns[:6]) == ["Source", "Target", "Type", "Id", "Label", "Weight"]
    assert nodes["Id"].tolist() == list(graph.nodes)
    for row in nodes.to_dict("records"):
        expected = {name: as_text(value) for name, value in graph.nodes[row["Id"]].items()}
        assert {name: value for name, value in row.items() if name != "Id" and value != ""} == expected
    assert len(edges) == graph.number_of_edges()
    for row in edges.to_dict("records"):
        data = graph.edges[row["Source"], row["Target"], row["Label"]]
        shown = {name: value for name, value in row.items() if name not in ("Source", "Target", "Type", "Id")}
        assert {name: value for name, value in shown.items() if value != ""} == {n: as_text(v) for n, v in data.items()}


# What Gephi reads: its GraphML and GEXF importers key edges by their id and drop an edge whose id
# they have already seen; its spreadsheet import takes Type as the edge direction (Directed or
# Undirected) and Label as the edge's label.
RELATIONS = {"contains", "leads", "supports", "cites", "basis", "implements"}


def xml_edges(path: Path, namespace: str) -> list[dict[str, str]]:
    """The attributes of every <edge> element of an XML graph file."""
    return [dict(edge.attrib) for edge in etree.parse(str(path)).iter(f"{{{namespace}}}edge")]


def test_county_graph_files_as_gephi_reads_them(county_tables, tmp_path):
    graph = build_graph(county_tables)
    folder = written(county_tables, tmp_path)
    for name, namespace in (("graph.graphml", GRAPHML), ("graph.gexf", GEXF)):
        edges = xml_edges(folder / name, namespace)
        assert len(edges) == graph.number_of_edges() == 135
        assert len({edge["id"] for edge in edges}) == 135, name
    gexf = xml_edges(folder / "graph.gexf", GEXF)
    assert Counter(edge["label"] for edge in gexf) == {
        "contains": 34,
        "leads": 56,
        "supports": 33,
        "cites": 10,
        "basis": 2,
    }
    for prefix, count in (("", 135), ("task_unit_", 89)):
        edges = pd.read_csv(folder / f"{prefix}edges.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert len(edges) == edges["Id"].nunique() == count
        assert set(edges["Type"]) == {"Directed"}
        assert set(edges["Label"]) <= RELATIONS
    task_unit = pd.read_csv(folder / "task_unit_edges.csv", dtype=str, encoding="utf-8-sig")
    assert task_unit["Label"].value_counts().to_dict() == {"leads": 56, "supports": 33}


def test_gexf_reads_back_with_networkx(county_tables, tmp_path):
    graph = build_graph(county_tables)
    back = nx.read_gexf(written(county_tables, tmp_path) / "graph.gexf")
    assert back.is_directed() and back.is_multigraph()
    assert back.number_of_nodes() == graph.number_of_nodes() == 70
    assert back.number_of_edges() == 135
    assert back.nodes["unit:阿拉善左旗:旗委编办"]["label"] == "旗委编办"
    assert back.nodes["unit:阿拉善左旗:旗委编办"]["Type"] == "unit"
    lead = edge_id("unit:阿拉善左旗:旗委编办", f"{COUNTY}:T0001", "leads")
    assert back.edges["unit:阿拉善左旗:旗委编办", f"{COUNTY}:T0001", lead]["label"] == "leads"


def test_graph_files_are_the_same_bytes_every_run(county_tables, tmp_path):
    first, second = written(county_tables, tmp_path / "a"), written(county_tables, tmp_path / "b")
    for name in ("graph.graphml", "graph.gexf", "edges.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


@needs_corpus
def test_implements_edges_carry_the_link_score(family_tables, tmp_path):
    edges = pd.read_csv(written(family_tables, tmp_path) / "edges.csv", encoding="utf-8-sig")
    implements = edges[edges["Label"] == "implements"]
    links = family_tables["links"]
    assert len(implements) == len(links)
    assert sorted(implements["Weight"].round(6)) == sorted(links["score"].astype(float).round(6))
    assert (edges.loc[edges["Label"] != "implements", "Weight"] == 1.0).all()


def networkx_copy(graph: nx.MultiDiGraph, gexf: bool = False) -> nx.MultiDiGraph:
    """``graph`` copied as networkx's own writers need it to write the graph files: edges keyed
    by edge_id; for GEXF, Label and Weight renamed to its fields and the edge id given as id."""
    names = {"Label": "label", "Weight": "weight"} if gexf else {}
    copy = nx.MultiDiGraph()
    copy.add_nodes_from((n, {names.get(k, k): v for k, v in d.items()}) for n, d in graph.nodes(data=True))
    for u, v, key, d in graph.edges(keys=True, data=True):
        identifier = edge_id(u, v, key)
        data = {names.get(k, k): val for k, val in d.items()} | ({"id": identifier} if gexf else {})
        copy.add_edge(u, v, identifier, **data)
    return copy


@needs_corpus
def test_graph_files_hold_what_networkxs_own_writers_write(family_tables, tmp_path):
    graph = build_graph(family_tables)
    folder = written(family_tables, tmp_path / "ours")
    nx.write_graphml(networkx_copy(graph), tmp_path / "networkx.graphml")
    assert (folder / "graph.graphml").read_bytes() == (tmp_path / "networkx.graphml").read_bytes()
    nx.write_gexf(networkx_copy(graph, gexf=True), tmp_path / "networkx.gexf")
    ours, theirs = nx.read_gexf(folder / "graph.gexf"), nx.read_gexf(tmp_path / "networkx.gexf")
    assert list(ours.nodes(data=True)) == list(theirs.nodes(data=True))
    # networkx's writer adds the key as an attribute of its own (networkx_key): the id already is it
    assert list(ours.edges(keys=True, data=True)) == list(theirs.edges(keys=True, data=True))
    assert ours.number_of_edges() == graph.number_of_edges() > 1000


def test_markup_characters_are_escaped_as_networkxs_writers_escape_them(county_tables, tmp_path):
    graph = build_graph(county_tables)
    awkward = 'A & B <C> "D"\tE\nF\rG'  # every character lxml writes as an entity or reference
    graph.add_node(awkward, Label=awkward, Type="cited", kind=awkward)
    graph.add_edge(f"{COUNTY}:T0001", awkward, key="cites", Label="cites", Weight=1.0, relation=awkward)
    exported = ExportedGraph(graph)
    write_graphml(exported, tmp_path / "ours.graphml")
    nx.write_graphml(networkx_copy(graph), tmp_path / "networkx.graphml")
    assert (tmp_path / "ours.graphml").read_bytes() == (tmp_path / "networkx.graphml").read_bytes()
    write_gexf(exported, tmp_path / "ours.gexf")
    back = nx.read_gexf(tmp_path / "ours.gexf")
    assert back.nodes[awkward] == {"label": awkward, "Type": "cited", "kind": awkward}
    assert back.edges[f"{COUNTY}:T0001", awkward, edge_id(f"{COUNTY}:T0001", awkward, "cites")]["relation"] == awkward
