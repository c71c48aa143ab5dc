"""Coverage: which parent directives a child document carries out, which it leaves out (gaps),
and which of its tasks implement no parent directive (local additions).

All rates count the directives of kind task/article that are not boilerplate (purpose, scope
and effective-date articles); section lead text (总体要求 and the like) and boilerplate stay in
the coverage table, flagged, but out of the rates.
"""

from __future__ import annotations

import pandas as pd

from pipeline.link import boilerplate_kind
from pipeline.tables import make_table

COVERAGE_COLUMNS = [
    "child_doc_id", "parent_doc_id", "parent_task_id", "parent_section_id", "kind", "number", "title",
    "boilerplate", "covered", "covering_task_ids", "best_child_doc_id", "best_child_task_id", "score",
    "relation",
]
SECTION_COVERAGE_COLUMNS = [
    "child_doc_id", "parent_doc_id", "section_id", "number", "title", "directives", "covered", "share",
]
DOCUMENT_COVERAGE_COLUMNS = [
    "child_doc_id", "parent_doc_id", "directives", "covered", "share", "child_tasks", "linked_tasks",
    "local_additions",
]
LOCAL_ADDITION_COLUMNS = ["doc_id", "task_id", "section_id", "number", "title", "boilerplate"]


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
    by_parent = {doc_id: group for doc_id, group in directives.groupby("doc_id", sort=False)}
    boilerplate = {task_id: bool(boilerplate_kind(text)) for task_id, text in zip(directives["task_id"], directives["text"])}
    rows = []
    for pair in pairs.itertuples():
        child_links = links[(links["child_doc_id"] == pair.child_doc_id)
                            & (links["parent_doc_id"] == pair.parent_doc_id)]
        child_links = child_links.sort_values(["score", "child_task_id"], ascending=[False, True])
        by_directive: dict[str, list[dict]] = {}
        for link in child_links.to_dict("records"):
            by_directive.setdefault(link["parent_task_id"], []).append(link)
        for directive in by_parent.get(pair.parent_doc_id, directives.iloc[:0]).itertuples():
            covering = by_directive.get(directive.task_id, [])
            best = covering[0] if covering else {}
            rows.append({
                "child_doc_id": pair.child_doc_id, "parent_doc_id": pair.parent_doc_id,
                "parent_task_id": directive.task_id, "parent_section_id": directive.section_id,
                "kind": directive.kind, "number": directive.number, "title": directive.title,
                "boilerplate": boilerplate[directive.task_id],
                "covered": bool(covering),
                "covering_task_ids": "; ".join(link["child_task_id"] for link in covering),
                "best_child_doc_id": pair.child_doc_id if covering else "",
                "best_child_task_id": best.get("child_task_id", ""),
                "score": float(best["score"]) if covering else None,
                "relation": best.get("relation", ""),
            })
    return make_table(rows, COVERAGE_COLUMNS)


def section_coverage(coverage: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """Per child document and parent section: directives counted, covered, share covered."""
    counted = coverage[counts_in_rates(coverage) & coverage["parent_section_id"].notna()]
    titles = sections.set_index("section_id")
    rows = []
    for (child, parent, section), group in counted.groupby(
            ["child_doc_id", "parent_doc_id", "parent_section_id"], sort=False):
        rows.append({
            "child_doc_id": child, "parent_doc_id": parent, "section_id": section,
            "number": titles.at[section, "number"] if section in titles.index else "",
            "title": titles.at[section, "title"] if section in titles.index else "",
            "directives": len(group), "covered": int(group["covered"].sum()),
            "share": round(float(group["covered"].mean()), 4),
        })
    return make_table(rows, SECTION_COVERAGE_COLUMNS)


def local_additions(links: pd.DataFrame, tasks: pd.DataFrame, child_doc_ids) -> pd.DataFrame:
    """Tasks of the given child documents that implement no parent directive, in text order."""
    linked = set(links["child_task_id"])
    wanted = tasks[tasks["doc_id"].isin(set(child_doc_ids)) & ~tasks["task_id"].isin(linked)]
    return make_table([
        {**row, "boilerplate": bool(boilerplate_kind(row["text"]))}
        for row in wanted.to_dict("records")
    ], LOCAL_ADDITION_COLUMNS)


def document_coverage(coverage: pd.DataFrame, links: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per (child document, parent document): share of directives covered, and how many of the
    child's tasks (boilerplate left out) link to that parent or to no parent at all."""
    counted = coverage[counts_in_rates(coverage)]
    rows = []
    for (child, parent), group in coverage.groupby(["child_doc_id", "parent_doc_id"], sort=False):
        group = counted.loc[counted.index.intersection(group.index)]
        child_tasks = tasks[tasks["doc_id"] == child]
        child_tasks = child_tasks[[not boilerplate_kind(text) for text in child_tasks["text"]]]
        child_links = links[links["child_doc_id"] == child]
        rows.append({
            "child_doc_id": child, "parent_doc_id": parent,
            "directives": len(group), "covered": int(group["covered"].sum()),
            "share": round(float(group["covered"].mean()), 4) if len(group) else None,
            "child_tasks": len(child_tasks),
            "linked_tasks": int(child_tasks["task_id"].isin(
                child_links.loc[child_links["parent_doc_id"] == parent, "child_task_id"]).sum()),
            "local_additions": int((~child_tasks["task_id"].isin(child_links["child_task_id"])).sum()),
        })
    return make_table(rows, DOCUMENT_COVERAGE_COLUMNS)


def coverage_summary(documents: pd.DataFrame, coverage: pd.DataFrame, by_document: pd.DataFrame,
                     additions: pd.DataFrame, *, limit: int = 30) -> str:
    """A readable summary per (child, parent) pair: coverage rate, the gaps by title, and the
    child's local additions (at most ``limit`` of each listed)."""
    titles = dict(zip(documents["doc_id"], documents["title"]))
    lines = []
    for row in by_document.itertuples():
        share = f"{row.share:.0%}" if row.share is not None and not pd.isna(row.share) else "n/a"
        lines.append(f"《{titles.get(row.child_doc_id, row.child_doc_id)}》 → "
                     f"《{titles.get(row.parent_doc_id, row.parent_doc_id)}》")
        lines.append(f"  coverage: {row.covered} of {row.directives} parent directives covered ({share}); "
                     "boilerplate and section lead text left out")
        pair = coverage[(coverage["child_doc_id"] == row.child_doc_id)
                        & (coverage["parent_doc_id"] == row.parent_doc_id)]
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
