"""Coverage: which parent directives a child document carries out, which it leaves out (gaps),
and which of its tasks implement no parent directive (local additions).

All rates count the directives of kind task/article that are not boilerplate (purpose, scope
and effective-date articles); section lead text (总体要求 and the like) and boilerplate stay in
the coverage table, flagged, but out of the rates.
"""

from __future__ import annotations

import pandas as pd

from pipeline.cascade.linker import boilerplate_kind
from pipeline.outputs.schema import (
    COVERAGE_COLUMNS,
    DOCUMENT_COVERAGE_COLUMNS,
    LOCAL_ADDITION_COLUMNS,
    SECTION_COVERAGE_COLUMNS,
    make_table,
)


def counts_in_rates(coverage: pd.DataFrame) -> pd.Series:
    """True for the coverage rows that count in coverage rates (tasks/articles, not boilerplate)."""
    return (coverage["kind"] != "section") & ~coverage["boilerplate"].astype(bool)


def directive_coverage(links: pd.DataFrame, directives: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per (child document, directive of one of its parent documents).

    ``directives`` has doc_id, task_id, section_id, kind, number, title, text; ``pairs`` has
    child_doc_id and parent_doc_id (found parents only). A directive is covered when at least one
    task of the child document links to it (at any rank); covering_task_ids lists those tasks,
    best first, and the best link gives score and relation.
    """
    directives = directives[directives["doc_id"].isin(set(pairs["parent_doc_id"]))]
    by_parent = {doc_id: group for doc_id, group in directives.groupby("doc_id", sort=False)}  # noqa: C416 (dict() takes a groupby for a mapping: it has .keys)
    boilerplate = {
        task_id: bool(boilerplate_kind(text)) for task_id, text in zip(directives["task_id"], directives["text"])
    }
    # every pair's links, best first, grouped once (not filtered out of all links per pair)
    by_pair: dict[tuple[str, str], dict[str, list[dict]]] = {}
    ranked = links.sort_values(["score", "child_task_id"], ascending=[False, True])
    for link in ranked.to_dict("records"):
        pair_links = by_pair.setdefault((link["child_doc_id"], link["parent_doc_id"]), {})
        pair_links.setdefault(link["parent_task_id"], []).append(link)
    rows = []
    for pair in pairs.itertuples():
        by_directive = by_pair.get((pair.child_doc_id, pair.parent_doc_id), {})
        for directive in by_parent.get(pair.parent_doc_id, directives.iloc[:0]).itertuples():
            covering = by_directive.get(directive.task_id, [])
            best = covering[0] if covering else {}
            rows.append(
                {
                    "child_doc_id": pair.child_doc_id,
                    "parent_doc_id": pair.parent_doc_id,
                    "parent_task_id": directive.task_id,
                    "parent_section_id": directive.section_id,
                    "kind": directive.kind,
                    "number": directive.number,
                    "title": directive.title,
                    "boilerplate": boilerplate[directive.task_id],
                    "covered": bool(covering),
                    "covering_task_ids": "; ".join(link["child_task_id"] for link in covering),
                    "best_child_doc_id": pair.child_doc_id if covering else "",
                    "best_child_task_id": best.get("child_task_id", ""),
                    "score": float(best["score"]) if covering else None,
                    "relation": best.get("relation", ""),
                }
            )
    return make_table(rows, COVERAGE_COLUMNS)


def section_coverage(coverage: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """Per child document and parent section: directives counted, covered, share covered."""
    counted = coverage[counts_in_rates(coverage) & coverage["parent_section_id"].notna()]
    titles = sections.set_index("section_id")
    rows = []
    for (child, parent, section), group in counted.groupby(
        ["child_doc_id", "parent_doc_id", "parent_section_id"], sort=False
    ):
        rows.append(
            {
                "child_doc_id": child,
                "parent_doc_id": parent,
                "section_id": section,
                "number": titles.at[section, "number"] if section in titles.index else "",
                "title": titles.at[section, "title"] if section in titles.index else "",
                "directives": len(group),
                "covered": int(group["covered"].sum()),
                "share": round(float(group["covered"].mean()), 4),
            }
        )
    return make_table(rows, SECTION_COVERAGE_COLUMNS)


def local_additions(links: pd.DataFrame, tasks: pd.DataFrame, child_doc_ids) -> pd.DataFrame:
    """Tasks of the given child documents that implement no parent directive, in text order."""
    linked = set(links["child_task_id"])
    wanted = tasks[tasks["doc_id"].isin(set(child_doc_ids)) & ~tasks["task_id"].isin(linked)]
    return make_table(
        [{**row, "boilerplate": bool(boilerplate_kind(row["text"]))} for row in wanted.to_dict("records")],
        LOCAL_ADDITION_COLUMNS,
    )


def document_coverage(coverage: pd.DataFrame, links: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per (child document, parent document): share of directives covered, and how many of the
    child's tasks (boilerplate left out) link to that parent or to no parent at all."""
    counted = counts_in_rates(coverage)
    children = set(coverage["child_doc_id"])
    # each child's tasks (boilerplate left out) and the parents each of them links to, built once
    child_tasks: dict[str, list[str]] = {}
    for doc_id, task_id, text in zip(tasks["doc_id"], tasks["task_id"], tasks["text"]):
        if doc_id in children and not boilerplate_kind(text):
            child_tasks.setdefault(doc_id, []).append(task_id)
    linked_to: dict[str, set[str]] = {}
    for task_id, parent in zip(links["child_task_id"], links["parent_doc_id"]):
        linked_to.setdefault(task_id, set()).add(parent)
    rows = [
        _document_row(child, parent, group["covered"][counted[group.index]], child_tasks.get(child, []), linked_to)
        for (child, parent), group in coverage.groupby(["child_doc_id", "parent_doc_id"], sort=False)
    ]
    return make_table(rows, DOCUMENT_COVERAGE_COLUMNS)


def _document_row(
    child: str, parent: str, covered: pd.Series, tasks: list[str], linked_to: dict[str, set[str]]
) -> dict:
    """One row of :func:`document_coverage`: ``covered`` holds the pair's counted directives'
    flags, ``tasks`` the child's tasks (boilerplate left out)."""
    return {
        "child_doc_id": child,
        "parent_doc_id": parent,
        "directives": len(covered),
        "covered": int(covered.sum()),
        "share": round(float(covered.mean()), 4) if len(covered) else None,
        "child_tasks": len(tasks),
        "linked_tasks": sum(parent in linked_to.get(task_id, ()) for task_id in tasks),
        "local_additions": sum(task_id not in linked_to for task_id in tasks),
    }


def describe_coverage(
    documents: pd.DataFrame,
    coverage: pd.DataFrame,
    by_document: pd.DataFrame,
    additions: pd.DataFrame,
    *,
    limit: int = 30,
) -> str:
    """A readable summary per (child, parent) pair: coverage rate, the gaps by title, and the
    child's local additions (at most ``limit`` of each listed)."""
    titles = dict(zip(documents["doc_id"], documents["title"]))
    lines = []
    for row in by_document.itertuples():
        share = f"{row.share:.0%}" if row.share is not None and not pd.isna(row.share) else "n/a"
        lines.append(
            f"《{titles.get(row.child_doc_id, row.child_doc_id)}》 → "
            f"《{titles.get(row.parent_doc_id, row.parent_doc_id)}》"
        )
        lines.append(
            f"  coverage: {row.covered} of {row.directives} parent directives covered ({share}); "
            "boilerplate and section lead text left out"
        )
        pair = coverage[
            (coverage["child_doc_id"] == row.child_doc_id) & (coverage["parent_doc_id"] == row.parent_doc_id)
        ]
        gaps = pair[counts_in_rates(pair) & ~pair["covered"].astype(bool)]
        lines.append(f"  gaps ({len(gaps)}):")
        lines += [f"    {g.number} {g.title}" for g in gaps.head(limit).itertuples()]
        if len(gaps) > limit:
            lines.append(f"    … and {len(gaps) - limit} more (see the coverage table)")
        own = additions[(additions["doc_id"] == row.child_doc_id) & ~additions["boilerplate"].astype(bool)]
        lines.append(f"  local additions ({len(own)} of {row.child_tasks} tasks link to no parent directive):")
        lines += [f"    {a.number} {a.title}" for a in own.head(limit).itertuples()]
        if len(own) > limit:
            lines.append(f"    … and {len(own) - limit} more (see the local_additions table)")
    return "\n".join(lines)
