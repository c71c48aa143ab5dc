"""Parent directives and what is measured on them: the tasks of child documents linked to the
directives of their parents, and the coverage of those directives.

Directives are the tasks/articles of a document plus the lead text of its sections (总体要求,
主要目标 … when a section has text of its own before its tasks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import starmap

import pandas as pd

from pipeline.cascade.coverage import (
    directive_coverage,
    document_coverage,
    local_additions,
    section_coverage,
)
from pipeline.cascade.linker import DirectiveLinker
from pipeline.outputs.schema import DIRECTIVE_COLUMNS, LINK_COLUMNS, make_table


def directive_items(tasks: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """Directives in text order: each section's own lead text (kind 'section', task_id = the
    section_id), then the tasks/articles under it."""
    section_order = {section_id: i for i, section_id in enumerate(sections["section_id"])}
    lead = sections[sections["text"].fillna("").str.strip() != ""]
    rows = [
        {
            "doc_id": s.doc_id,
            "task_id": s.section_id,
            "section_id": s.section_id,
            "kind": "section",
            "number": s.number,
            "title": s.title,
            "text": s.text,
            "_order": (section_order[s.section_id], 0, 0),
        }
        for s in lead.itertuples()
    ] + [
        {**t, "_order": (section_order.get(t["section_id"], -1), 1, i)}
        for i, t in enumerate(tasks[DIRECTIVE_COLUMNS].to_dict("records"))
    ]
    rows.sort(key=lambda row: (row["doc_id"], row["_order"]))
    return make_table(rows, DIRECTIVE_COLUMNS)


Mapper = Callable[[Callable, Iterable[tuple]], Iterable]  # fn over argument tuples → results in order


def link_to_parents(
    pairs: pd.DataFrame,
    directives: pd.DataFrame,
    tasks: pd.DataFrame,
    linker: DirectiveLinker,
    sections: pd.DataFrame | None = None,
    *,
    mapper: Mapper = starmap,
) -> pd.DataFrame:
    """Links of each child document's tasks to the directives of all its parents at once.

    Child documents with the same parents share one fitted linker; each such group is linked
    on its own (:func:`link_group`), through ``mapper``: in this process by default, or e.g. in
    a run's worker processes. The groups come back in order, so the table does not depend on
    where they ran. ``sections`` (of both sides) gives the linker the chapter titles of
    directives and tasks.
    """
    parent_sets = pairs.groupby("child_doc_id", sort=True)["parent_doc_id"].agg(lambda ids: tuple(sorted(ids)))
    if sections is not None:  # the chapter titles, a feature of the linker
        titles = dict(zip(sections["section_id"], sections["title"]))
        directives = directives.assign(section_title=directives["section_id"].map(titles))
        tasks = tasks.assign(section_title=tasks["section_id"].map(titles))
    parents_by_doc = dict(tuple(directives.groupby("doc_id", sort=False)))
    tasks_by_doc = dict(tuple(tasks.groupby("doc_id", sort=False)))
    params = linker.params()

    def groups() -> Iterator[tuple[dict, pd.DataFrame, pd.DataFrame]]:
        for parent_ids, children in parent_sets.groupby(parent_sets, sort=True):
            parent_directives = _rows_of(parents_by_doc, parent_ids, directives)
            child_tasks = _rows_of(tasks_by_doc, children.index, tasks)
            if not parent_directives.empty and not child_tasks.empty:
                yield params, parent_directives, child_tasks

    tables = list(mapper(link_group, groups()))
    return pd.concat(tables, ignore_index=True) if tables else make_table([], LINK_COLUMNS)


def _rows_of(by_doc: dict[str, pd.DataFrame], doc_ids: Iterable[str], table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` (grouped by doc_id in ``by_doc``) of the documents ``doc_ids``, in
    ``table``'s order."""
    parts = [by_doc[doc_id] for doc_id in doc_ids if doc_id in by_doc]
    return pd.concat(parts).sort_index() if parts else table.iloc[:0]


def link_group(params: dict, parent_directives: pd.DataFrame, child_tasks: pd.DataFrame) -> pd.DataFrame:
    """The links table of ``child_tasks`` to ``parent_directives`` by a new
    :class:`DirectiveLinker` of ``params``."""
    return DirectiveLinker(**params).fit(parent_directives).link(child_tasks)


def linked_and_covered(
    pairs: pd.DataFrame,
    child_tasks: pd.DataFrame,
    parent_tasks: pd.DataFrame,
    parent_sections: pd.DataFrame,
    linker: DirectiveLinker | None = None,
    child_sections: pd.DataFrame | None = None,
    *,
    mapper: Mapper = starmap,
) -> dict[str, pd.DataFrame]:
    """links, coverage, coverage_sections, coverage_documents and local_additions for the
    (child_doc_id, parent_doc_id) ``pairs``: the child documents' tasks linked to the directives
    (tasks and section lead text) of their parents. ``child_sections`` are the child documents'
    sections when ``parent_sections`` does not hold them; ``mapper`` runs the linking
    (:func:`link_to_parents`)."""
    directives = directive_items(parent_tasks, parent_sections)
    sections = parent_sections if child_sections is None else pd.concat([child_sections, parent_sections])
    links = link_to_parents(pairs, directives, child_tasks, linker or DirectiveLinker(), sections, mapper=mapper)
    coverage_table = directive_coverage(links, directives, pairs)
    return {
        "links": links,
        "coverage": coverage_table,
        "coverage_sections": section_coverage(coverage_table, parent_sections),
        "coverage_documents": document_coverage(coverage_table, links, child_tasks),
        "local_additions": local_additions(links, child_tasks, pairs["child_doc_id"].unique()),
    }
