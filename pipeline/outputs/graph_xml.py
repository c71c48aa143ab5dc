"""graph.graphml and graph.gexf, written from the run's one graph as they are produced.

The graph files hold the graph as XML can hold it (:class:`ExportedGraph`): edges keyed by
:func:`edge_id`, and node ids, edge ids and text attributes cleaned by
:func:`~pipeline.outputs.xmltext.xml_text` when some text is not XML text (a control character in
a document's text would otherwise stop the writers). Both files are written element by element
as markup text, escaped as lxml escapes it, from one graph, with no copy of it and no XML
document in memory. networkx's writers needed a copy of the graph with cleaned texts and edge
ids, and its GEXF writer builds the whole document as an ElementTree first: at the 3,410
documents of ../shared/lawrefbook the graph files took 34.8 s and 1.5 GB more than the tables;
written element by element through lxml's incremental writer 21.8 s and 0.5 GB; as markup text
11.6 s (2026-12-04; each XML file 2.8 s instead of 5.3 and 6.2 s).
:func:`write_graphml` writes the bytes networkx's lxml writer wrote (key ids d0, d1 … in order
of first use, declared in reverse, as it does); :func:`write_gexf` writes what networkx reads back
as the graph networkx's GEXF writer wrote.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx

from pipeline.outputs.xmltext import is_xml_text, xml_text

GEXF_DATE = "2000-01-01"  # the fixed date of graph.gexf, so that the same graph gives the same bytes
_GRAPHML_ROOT = {
    "xmlns": "http://graphml.graphdrawing.org/xmlns",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsi:schemaLocation": "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
}
_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}  # networkx's names
_GEXF_ROOT = {
    "xmlns": "http://www.gexf.net/1.2draft",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsi:schemaLocation": "http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd",
    "version": "1.2",
}
_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
# what lxml (libxml2) writes as a character reference or entity, in text and in attribute values
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTRIBUTE_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
_TEXT_SPECIAL, _ATTRIBUTE_SPECIAL = (re.compile(f"[{''.join(table)}]") for table in (_TEXT_ESCAPES, _ATTRIBUTE_ESCAPES))
_TEXT_TABLE, _ATTRIBUTE_TABLE = (str.maketrans(table) for table in (_TEXT_ESCAPES, _ATTRIBUTE_ESCAPES))
# attributes GEXF keeps in its own fields rather than as <attvalue>s, by scope
_GEXF_FIELDS = {"node": {"Label": "label"}, "edge": {"Label": "label", "Weight": "weight"}}


def edge_id(source: str, target: str, relation: str) -> str:
    """The id of an edge in the graph files: its relation, source and target
    (``leads:unit:阿拉善左旗:旗委编办→…:T0001``), unique because the graph has at most one edge of a
    relation between two nodes, and the same in every run that has the edge."""
    return f"{relation}:{source}→{target}"


class ExportedGraph:
    """A view of a graph as its XML files hold it, computed as it is read (the graph is not
    copied): edges keyed by :func:`edge_id`, texts cleaned when some text of the graph is not
    XML text."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph
        # one search over all the texts joined: far faster than one per text
        self._clean: Callable | None = None if is_xml_text("".join(_texts(graph))) else _xml_value

    def nodes(self) -> Iterator[tuple[str, dict]]:
        """``(node id, attributes)`` of every node, in the graph's order."""
        clean = self._clean
        for node, attributes in self._graph.nodes(data=True):
            yield (clean(node), _cleaned(attributes, clean)) if clean else (node, attributes)

    def edges(self) -> Iterator[tuple[str, str, str, dict]]:
        """``(source, target, edge id, attributes)`` of every edge, in the graph's order."""
        clean = self._clean
        for u, v, key, attributes in self._graph.edges(keys=True, data=True):
            identifier = edge_id(u, v, key)
            if clean:
                yield clean(u), clean(v), clean(identifier), _cleaned(attributes, clean)
            else:
                yield u, v, identifier, attributes


def write_graphml(graph: ExportedGraph, path: Path) -> None:
    """Write ``graph`` as GraphML at ``path``, element by element: one <key> per attribute name,
    scope and type, then the nodes and edges with their <data>. Raises OSError when the file
    cannot be written."""
    keys: dict[tuple[str, str, str], str] = {}  # (scope, name, type) → key id, in order of first use
    for scope, items in _scopes(graph):
        for data in items:
            for name, value in data.items():
                keys.setdefault((scope, name, _GRAPHML_TYPES[type(value)]), f"d{len(keys)}")

    def element(start: str, end: str, scope: str, data: dict) -> str:
        if not data:
            return f"<{start}/>\n"
        values = "".join(
            f'  <data key="{keys[scope, name, _GRAPHML_TYPES[type(value)]]}">{_escaped_text(str(value))}</data>\n'
            for name, value in data.items()
        )
        return f"<{start}>\n{values}</{end}>\n"

    with _markup_file(path) as out:
        out.write(f"{_DECLARATION}<{_start_tag('graphml', _GRAPHML_ROOT)}>")
        out.writelines(
            f"<{_start_tag('key', {'id': identifier, 'for': scope, 'attr.name': name, 'attr.type': kind})}/>\n"
            for (scope, name, kind), identifier in reversed(keys.items())
        )
        out.write('<graph edgedefault="directed">')
        out.writelines(element(f'node id="{_escaped(node)}"', "node", "node", data) for node, data in graph.nodes())
        out.writelines(
            element(f'edge source="{_escaped(u)}" target="{_escaped(v)}" id="{_escaped(key)}"', "edge", "edge", data)
            for u, v, key, data in graph.edges()
        )
        out.write("</graph></graphml>")


def write_gexf(graph: ExportedGraph, path: Path) -> None:
    """Write ``graph`` as GEXF 1.2 at ``path``, dated :data:`GEXF_DATE`, element by element.

    Node and edge labels go into GEXF's ``label`` field, edge weights into ``weight``, edge ids
    into ``id``; every other attribute is declared once (its type: boolean, long, double or
    string, the most general its values need) and given as an attvalue. Raises OSError when the
    file cannot be written.
    """
    declared = {scope: _declared(items, _GEXF_FIELDS[scope]) for scope, items in _scopes(graph)}
    identifiers: dict[tuple[str, str], str] = {}
    for scope, types in declared.items():
        for title in types:
            identifiers[scope, title] = str(len(identifiers))

    def element(start: str, end: str, scope: str, data: dict) -> str:
        values = "".join(
            f'    <attvalue for="{identifiers[scope, name]}" value="{_escaped(_gexf_text(value))}"/>\n'
            for name, value in data.items()
            if name not in _GEXF_FIELDS[scope]
        )
        return f"<{start}>\n  <attvalues>\n{values}  </attvalues>\n</{end}>\n" if values else f"<{start}/>\n"

    def fields(scope: str, data: dict) -> str:
        return "".join(
            f' {field}="{_escaped(_gexf_text(data[name]))}"'
            for name, field in _GEXF_FIELDS[scope].items()
            if name in data
        )

    with _markup_file(path) as out:
        out.write(f"{_DECLARATION}<{_start_tag('gexf', _GEXF_ROOT)}>")
        out.write(f'<meta lastmodifieddate="{GEXF_DATE}">\n  <creator>guanche</creator>\n</meta>\n')
        out.write('<graph defaultedgetype="directed" mode="static">')
        for scope, types in declared.items():
            attributes = "".join(
                f"  <{_start_tag('attribute', {'id': identifiers[scope, title], 'title': title, 'type': kind})}/>\n"
                for title, kind in types.items()
            )
            start = f'attributes class="{scope}" mode="static"'
            out.write(f"<{start}>\n{attributes}</attributes>\n" if attributes else f"<{start}/>\n")
        out.write("<nodes>")
        # a node's label defaults to its id, as networkx's writer gives it
        out.writelines(
            element(
                f'node id="{_escaped(node)}" label="{_escaped(_gexf_text(data.get("Label", node)))}"',
                "node",
                "node",
                data,
            )
            for node, data in graph.nodes()
        )
        out.write("</nodes><edges>")
        out.writelines(
            element(
                f'edge source="{_escaped(u)}" target="{_escaped(v)}" id="{_escaped(key)}"{fields("edge", data)}',
                "edge",
                "edge",
                data,
            )
            for u, v, key, data in graph.edges()
        )
        out.write("</edges></graph></gexf>")


def _scopes(graph: ExportedGraph) -> Iterator[tuple[str, Iterator[dict]]]:
    """``("node", the nodes' attributes)`` and ``("edge", the edges' attributes)``."""
    yield "node", (data for _, data in graph.nodes())
    yield "edge", (data for _, _, _, data in graph.edges())


def _declared(items: Iterator[dict], fields: dict[str, str]) -> dict[str, str]:
    """The GEXF type of every attribute of ``items`` but those kept in ``fields``, in order of
    first appearance."""
    types: dict[str, set[type]] = defaultdict(set)
    for data in items:
        for name, value in data.items():
            if name not in fields:
                types[name].add(type(value))
    return {name: _gexf_type(kinds) for name, kinds in types.items()}


def _gexf_type(kinds: set[type]) -> str:
    """The most specific GEXF type that holds values of the Python types ``kinds``."""
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _markup_file(path: Path):
    """``path`` opened to write markup (UTF-8, newlines as written)."""
    return path.open("w", encoding="utf-8", newline="")


def _start_tag(name: str, attributes: dict[str, str]) -> str:
    """``name`` and its ``attributes`` as a start tag holds them (no angle brackets)."""
    return name + "".join(f' {attribute}="{_escaped(value)}"' for attribute, value in attributes.items())


def _escaped(text: str) -> str:
    """``text`` as an attribute value, escaped as lxml escapes it."""
    return text.translate(_ATTRIBUTE_TABLE) if _ATTRIBUTE_SPECIAL.search(text) else text


def _escaped_text(text: str) -> str:
    """``text`` as an element's text, escaped as lxml escapes it."""
    return text.translate(_TEXT_TABLE) if _TEXT_SPECIAL.search(text) else text


def _gexf_text(value) -> str:
    """A value as GEXF writes it: booleans as true/false, anything else as ``str``."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _texts(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Every text of ``graph``: node ids, edge keys, attribute values."""
    for node, data in graph.nodes(data=True):
        yield from (value for value in (node, *data.values()) if isinstance(value, str))
    for _, _, key, data in graph.edges(keys=True, data=True):
        yield from (value for value in (key, *data.values()) if isinstance(value, str))


def _xml_value(value):
    return xml_text(value) if isinstance(value, str) else value


def _cleaned(data: dict, clean: Callable) -> dict:
    return {name: clean(value) for name, value in data.items()}
