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

from pathlib import Path

import networkx as nx
import pandas as pd

from extractors.citations import display_title
from pipeline.outputs.graph_xml import ExportedGraph, edge_id, write_gexf, write_graphml
from pipeline.outputs.schema import EDGE_COLUMNS, NODE_COLUMNS
from pipeline.outputs.writer import write_csv

TASK_UNIT_RELATIONS = ("leads", "supports")
ROLE_EDGE = {"lead": "leads", "support": "supports"}


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NA


def _attributes(**values) -> dict:
    """Attributes GraphML can hold: missing values left out, numpy scalars made plain."""
    clean = {}
    for name, value in values.items():
        if not _present(value) or value == "":
            continue
        clean[name] = value.item() if hasattr(value, "item") else value
    return clean


def _heading(number, title) -> str:
    return " ".join(str(part) for part in (number, title) if _present(part) and part)


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
    documents, sections, tasks = tables["documents"], tables["sections"], tables["tasks"]
    for d in documents.itertuples():
        graph.add_node(
            d.doc_id,
            **_attributes(
                Label=d.title or d.doc_id, Type="document", level=d.level, region=d.region, year=d.year, doc_id=d.doc_id
            ),
        )
    for s in sections.itertuples():
        graph.add_node(
            s.section_id,
            **_attributes(Label=_heading(s.number, s.title), Type="section", doc_id=s.doc_id, number=s.number),
        )
        _add_edge(graph, s.parent_id if _present(s.parent_id) else s.doc_id, s.section_id, "contains")
    for t in tasks.itertuples():
        graph.add_node(
            t.task_id,
            **_attributes(
                Label=_heading(t.number, t.title), Type="task", doc_id=t.doc_id, number=t.number, kind=t.kind
            ),
        )
        _add_edge(graph, t.section_id if _present(t.section_id) else t.doc_id, t.task_id, "contains")
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
    for row in task_units.to_dict("records"):
        unit_id = row.get("unit_id") or row["unit"]
        node = unit_node(unit_id)
        if node not in graph:
            graph.add_node(
                node,
                **_attributes(
                    Label=row["unit"],
                    Type="unit",
                    unit_type=row.get("type"),
                    jurisdiction=row.get("jurisdiction"),
                    collective=bool(row["collective"]),
                ),
            )
        _add_edge(graph, node, row["task_id"], ROLE_EDGE.get(row["role"], row["role"]), mention=row["mention"])


def _add_citations(graph: nx.MultiDiGraph, citations: pd.DataFrame | None) -> None:
    if citations is None:
        return
    for row in citations.to_dict("records"):
        target = row.get("resolved_doc_id")
        if not (_present(target) and target in graph):
            target = cited_node(row["cited_title"])
            if target not in graph:
                graph.add_node(
                    target,
                    **_attributes(Label=f"《{display_title(row['cited_title'])}》", Type="cited", kind=row.get("kind")),
                )
        task_id = row.get("task_id")
        source = task_id if _present(task_id) and task_id in graph else row["doc_id"]
        _add_edge(graph, source, target, "cites", kind=row.get("kind"), relation=row.get("relation"))


def _add_parents(graph: nx.MultiDiGraph, parents: pd.DataFrame | None) -> None:
    if parents is None:
        return
    for row in parents.itertuples():
        target = row.parent_doc_id if row.found else cited_node(row.parent_title)
        if target not in graph:
            graph.add_node(target, **_attributes(Label=f"《{display_title(row.parent_title)}》", Type="cited"))
        _add_edge(graph, row.child_doc_id, target, "basis", found_by=row.source)


def _add_links(graph: nx.MultiDiGraph, links: pd.DataFrame | None) -> None:
    if links is None:
        return
    for row in links.itertuples():
        _add_edge(
            graph,
            row.child_task_id,
            row.parent_task_id,
            "implements",
            weight=row.score,
            relation=row.relation,
            rank=int(row.rank),
            boilerplate=bool(row.boilerplate),
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
