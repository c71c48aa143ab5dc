"""One graph of the run: documents, sections, tasks, units, cited instruments, and the links.

Nodes (attribute ``Type``): document, section, task, unit, cited (an instrument cited or named as
a parent but not among the inputs). Edges (their relation in attribute ``Label``, keyed by it in a
MultiDiGraph):

- contains: document → section → sub-section → task (document → task when there is no section)
- leads / supports: unit → task (from the task_units table)
- cites: task (or document, for its preamble) → cited instrument, or → the document it resolves to
- basis: child document → parent document (attribute ``found_by``: manifest/basis/jurisdiction+topic), or →
  a cited node when the parent is not among the inputs
- implements: child task → parent directive, ``Weight`` = the link score, with relation and rank

Every node has ``Label`` and ``Type``, every edge ``Label`` and ``Weight``. The files use Gephi's
names, so that they open in Gephi and Cytoscape as they are: graph.graphml and graph.gexf (Gephi's
own format) give every edge a unique id (:func:`~pipeline.outputs.graph_xml.edge_id`); in
nodes.csv/edges.csv the edges have Source, Target, Type (``Directed``, the edge direction
Gephi's spreadsheet import reads), Id, Label (the relation) and Weight. The task-unit graph (tasks, units, lead/support edges) is also
written as its own CSV pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pandas as pd

from extractors.citations import display_title
from pipeline.outputs.graph_xml import ExportedGraph, edge_id, write_gexf, write_graphml
from pipeline.outputs.schema import EDGE_COLUMNS, NODE_COLUMNS
from pipeline.outputs.writer import write_csv

TASK_UNIT_RELATIONS = ("leads", "supports")
ROLE_EDGE = {"lead": "leads", "support": "supports"}


def _rows(table: pd.DataFrame, *columns: str) -> Iterator[tuple]:
    """The values of ``columns`` row by row, as plain Python values, missing ones as None (a
    column the table lacks is missing throughout)."""
    values = [
        table[column].astype(object).where(table[column].notna(), None).tolist()
        if column in table
        else [None] * len(table)
        for column in columns
    ]
    return zip(*values, strict=True)


def _attributes(**values) -> dict:
    """Attributes GraphML can hold: missing and empty values left out."""
    return {name: value for name, value in values.items() if value is not None and value != ""}


def _heading(number: str | None, title: str | None) -> str:
    return " ".join(part for part in (number, title) if part)


def unit_node(unit_id: str) -> str:
    """The node id of a canonical unit."""
    return f"unit:{unit_id}"


def cited_node(title: str) -> str:
    """The node id of an instrument known only by its title."""
    return f"cited:{display_title(title)}"


def build_graph(tables: dict[str, pd.DataFrame]) -> nx.MultiDiGraph:
    """The run's graph from its tables: documents, sections and tasks (required); task_units,
    citations, parents and links when present."""
    graph = nx.MultiDiGraph()
    for doc_id, title, level, region, year in _rows(tables["documents"], "doc_id", "title", "level", "region", "year"):
        graph.add_node(
            doc_id,
            **_attributes(Label=title or doc_id, Type="document", level=level, region=region, year=year, doc_id=doc_id),
        )
    sections = _rows(tables["sections"], "section_id", "number", "title", "doc_id", "parent_id")
    for section_id, number, title, doc_id, parent_id in sections:
        graph.add_node(
            section_id, **_attributes(Label=_heading(number, title), Type="section", doc_id=doc_id, number=number)
        )
        _add_edge(graph, parent_id or doc_id, section_id, "contains")
    tasks = _rows(tables["tasks"], "task_id", "number", "title", "doc_id", "kind", "section_id")
    for task_id, number, title, doc_id, kind, section_id in tasks:
        graph.add_node(
            task_id,
            **_attributes(Label=_heading(number, title), Type="task", doc_id=doc_id, number=number, kind=kind),
        )
        _add_edge(graph, section_id or doc_id, task_id, "contains")
    _add_task_units(graph, tables.get("task_units"))
    _add_citations(graph, tables.get("citations"))
    _add_parents(graph, tables.get("parents"))
    _add_links(graph, tables.get("links"))
    return graph


def _add_edge(graph: nx.MultiDiGraph, source: str, target: str, label: str, weight: float = 1.0, **extra) -> None:
    """Add the edge ``label`` (its relation: contains, leads …) from ``source`` to ``target``."""
    graph.add_edge(source, target, key=label, **_attributes(Label=label, Weight=float(weight), **extra))


def _add_task_units(graph: nx.MultiDiGraph, task_units: pd.DataFrame | None) -> None:
    if task_units is None:
        return
    columns = ("unit_id", "unit", "type", "jurisdiction", "collective", "task_id", "role", "mention")
    for unit_id, unit, unit_type, jurisdiction, collective, task_id, role, mention in _rows(task_units, *columns):
        node = unit_node(unit_id or unit)
        if node not in graph:
            graph.add_node(
                node,
                **_attributes(
                    Label=unit, Type="unit", unit_type=unit_type, jurisdiction=jurisdiction, collective=bool(collective)
                ),
            )
        _add_edge(graph, node, task_id, ROLE_EDGE.get(role, role), mention=mention)


def _add_citations(graph: nx.MultiDiGraph, citations: pd.DataFrame | None) -> None:
    if citations is None:
        return
    columns = ("resolved_doc_id", "cited_title", "kind", "task_id", "doc_id", "relation")
    for target, cited_title, kind, task_id, doc_id, relation in _rows(citations, *columns):
        if not (target and target in graph):
            target = cited_node(cited_title)
            if target not in graph:
                graph.add_node(
                    target, **_attributes(Label=f"《{display_title(cited_title)}》", Type="cited", kind=kind)
                )
        source = task_id if task_id and task_id in graph else doc_id
        _add_edge(graph, source, target, "cites", kind=kind, relation=relation)


def _add_parents(graph: nx.MultiDiGraph, parents: pd.DataFrame | None) -> None:
    if parents is None:
        return
    for child, parent, title, found, found_by in _rows(
        parents, "child_doc_id", "parent_doc_id", "parent_title", "found", "source"
    ):
        target = parent if found else cited_node(title)
        if target not in graph:
            graph.add_node(target, **_attributes(Label=f"《{display_title(title)}》", Type="cited"))
        _add_edge(graph, child, target, "basis", found_by=found_by)


def _add_links(graph: nx.MultiDiGraph, links: pd.DataFrame | None) -> None:
    if links is None:
        return
    columns = ("child_task_id", "parent_task_id", "score", "relation", "rank", "boilerplate")
    for child, parent, score, relation, rank, boilerplate in _rows(links, *columns):
        _add_edge(
            graph,
            child,
            parent,
            "implements",
            weight=score,
            relation=relation,
            rank=int(rank),
            boilerplate=bool(boilerplate),
        )


def task_unit_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The tasks and units of ``graph`` joined by lead/support edges (nothing else)."""
    edges = [
        (u, v, k, data)
        for u, v, k, data in graph.edges(keys=True, data=True)
        if data.get("Label") in TASK_UNIT_RELATIONS
    ]
    touched = {node for u, v, _, _ in edges for node in (u, v)}
    subgraph = nx.MultiDiGraph()
    # Built node by node in the graph's own order: edge_subgraph orders nodes by a set, which
    # changes from process to process and would make the exports differ between runs.
    subgraph.add_nodes_from((node, data) for node, data in graph.nodes(data=True) if node in touched)
    subgraph.add_edges_from(edges)
    return subgraph


def gephi_tables(graph: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (Id, Label, Type, then other attributes by name) and edges (Source, Target, Type =
    Directed, Id, Label = the relation, Weight, then other attributes by name), in the graph's
    order: the columns Gephi's spreadsheet import reads."""
    nodes = pd.DataFrame([{"Id": node, **data} for node, data in graph.nodes(data=True)], dtype=object)
    edges = pd.DataFrame(
        [
            {"Source": u, "Target": v, "Type": "Directed", "Id": edge_id(u, v, key), **data}
            for u, v, key, data in graph.edges(keys=True, data=True)
        ],
        dtype=object,
    )
    return _ordered(nodes, NODE_COLUMNS), _ordered(edges, EDGE_COLUMNS)


def _ordered(table: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    for column in first:
        if column not in table:
            table[column] = pd.Series(dtype=object)
    return table[first + sorted(c for c in table.columns if c not in first)]


def write_graph_files(folder: Path, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Build the graph of ``tables`` and write it into ``folder``: graph.graphml and graph.gexf
    (as XML can hold it, :class:`~pipeline.outputs.graph_xml.ExportedGraph`), nodes.csv and
    edges.csv (the whole graph, text as read), task_unit_nodes.csv and task_unit_edges.csv.
    Returns the names written. Raises OSError when a file cannot be written."""
    graph = build_graph(tables)
    exported = ExportedGraph(graph)
    write_graphml(exported, folder / "graph.graphml")
    write_gexf(exported, folder / "graph.gexf")
    files = {"": gephi_tables(graph), "task_unit_": gephi_tables(task_unit_graph(graph))}
    for prefix, (nodes, edges) in files.items():
        write_csv(nodes, folder / f"{prefix}nodes.csv")
        write_csv(edges, folder / f"{prefix}edges.csv")
    return ["graph.graphml", "graph.gexf"] + [f"{prefix}{kind}.csv" for prefix in files for kind in ("nodes", "edges")]
