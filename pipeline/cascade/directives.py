"""Parent directives and what is measured on them: the tasks of child documents linked to the
directives of their parents, and the coverage of those directives.

Directives are the tasks/articles of a document plus the lead text of its sections (总体要求,
主要目标 … when a section has text of its own before its tasks).
"""

from __future__ import annotations

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


def link_to_parents(
    pairs: pd.DataFrame,
    directives: pd.DataFrame,
    tasks: pd.DataFrame,
    linker: DirectiveLinker,
    sections: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Links of each child document's tasks to the directives of all its parents at once.

    Child documents with the same parents share one fitted linker. ``sections`` (of both sides)
    gives the linker the chapter titles of directives and tasks.
    """
    parent_sets = pairs.groupby("child_doc_id", sort=True)["parent_doc_id"].agg(lambda ids: tuple(sorted(ids)))
    if sections is not None:  # the chapter titles, a feature of the linker
        titles = dict(zip(sections["section_id"], sections["title"]))
        directives = directives.assign(section_title=directives["section_id"].map(titles))
        tasks = tasks.assign(section_title=tasks["section_id"].map(titles))
    tables = []
    for parent_ids, children in parent_sets.groupby(parent_sets, sort=True):
        parent_directives = directives[directives["doc_id"].isin(parent_ids)]
        child_tasks = tasks[tasks["doc_id"].isin(children.index)]
        if parent_directives.empty or child_tasks.empty:
            continue
        tables.append(linker.fit(parent_directives).link(child_tasks))
    return pd.concat(tables, ignore_index=True) if tables else make_table([], LINK_COLUMNS)


def linked_and_covered(
    pairs: pd.DataFrame,
    child_tasks: pd.DataFrame,
    parent_tasks: pd.DataFrame,
    parent_sections: pd.DataFrame,
    linker: DirectiveLinker | None = None,
    child_sections: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """links, coverage, coverage_sections, coverage_documents and local_additions for the
    (child_doc_id, parent_doc_id) ``pairs``: the child documents' tasks linked to the directives
    (tasks and section lead text) of their parents. ``child_sections`` are the child documents'
    sections when ``parent_sections`` does not hold them."""
    directives = directive_items(parent_tasks, parent_sections)
    sections = parent_sections if child_sections is None else pd.concat([child_sections, parent_sections])
    links = link_to_parents(pairs, directives, child_tasks, linker or DirectiveLinker(), sections)
    coverage_table = directive_coverage(links, directives, pairs)
    return {
        "links": links,
        "coverage": coverage_table,
        "coverage_sections": section_coverage(coverage_table, parent_sections),
        "coverage_documents": document_coverage(coverage_table, links, child_tasks),
        "local_additions": local_additions(links, child_tasks, pairs["child_doc_id"].unique()),
    }
