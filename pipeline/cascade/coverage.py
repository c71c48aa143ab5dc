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
    """One row per (child document, directive of one of its parent documents), in the order of
    ``pairs`` and then of the directives.

    ``directives`` has doc_id, task_id, section_id, kind, number, title, text; ``pairs`` has
    child_doc_id and parent_doc_id (found parents only). A directive is covered when at least one
    task of the child document links to it (at any rank); covering_task_ids lists those tasks,
    best first, and the best link gives score and relation. Built by joins and grouped
    aggregations, not row by row.
    """
    directives = directives[directives["doc_id"].isin(set(pairs["parent_doc_id"]))]
    table = pairs[["child_doc_id", "parent_doc_id"]].merge(
        directives.rename(
            columns={"doc_id": "parent_doc_id", "task_id": "parent_task_id", "section_id": "parent_section_id"}
        ),
        on="parent_doc_id",
        how="inner",
    )
    table["boilerplate"] = table["text"].map(_is_boilerplate).astype(bool)
    keys = ["child_doc_id", "parent_doc_id", "parent_task_id"]
    ranked = links.sort_values(["score", "child_task_id"], ascending=[False, True])
    grouped = ranked.groupby(keys, sort=False)
    best = grouped.head(1).set_index(keys)[["child_task_id", "score", "relation"]]
    best["covering_task_ids"] = grouped["child_task_id"].agg("; ".join)
    table = table.join(best, on=keys)
    table["covered"] = table["covering_task_ids"].notna()
    table["best_child_doc_id"] = table["child_doc_id"].where(table["covered"], "")
    table = table.rename(columns={"child_task_id": "best_child_task_id"})
    for column in ("covering_task_ids", "best_child_task_id", "relation"):
        table[column] = table[column].fillna("")
    table["score"] = table["score"].astype(float)
    return table[COVERAGE_COLUMNS].reset_index(drop=True)


def _is_boilerplate(text: str) -> bool:
    return bool(boilerplate_kind(text))


def section_coverage(coverage: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """Per child document and parent section: directives counted, covered, share covered."""
    counted = coverage[counts_in_rates(coverage) & coverage["parent_section_id"].notna()]
    table = (
        counted.assign(covered=counted["covered"].astype(bool))
        .groupby(["child_doc_id", "parent_doc_id", "parent_section_id"], sort=False)["covered"]
        .agg(directives="size", covered="sum", share="mean")
        .reset_index()
        .rename(columns={"parent_section_id": "section_id"})
    )
    titles = sections.drop_duplicates("section_id").set_index("section_id")
    for column in ("number", "title"):
        table[column] = table["section_id"].map(titles[column]).where(table["section_id"].isin(titles.index), "")
    table["covered"] = table["covered"].astype(int)
    table["share"] = table["share"].map(lambda share: round(float(share), 4))
    return table[SECTION_COVERAGE_COLUMNS] if len(table) else make_table([], SECTION_COVERAGE_COLUMNS)


def local_additions(links: pd.DataFrame, tasks: pd.DataFrame, child_doc_ids) -> pd.DataFrame:
    """Tasks of the given child documents that implement no parent directive, in text order."""
    wanted = tasks[tasks["doc_id"].isin(set(child_doc_ids)) & ~tasks["task_id"].isin(set(links["child_task_id"]))]
    table = wanted.assign(boilerplate=wanted["text"].map(_is_boilerplate).astype(bool))
    return table.reindex(columns=LOCAL_ADDITION_COLUMNS).reset_index(drop=True)


def document_coverage(coverage: pd.DataFrame, links: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per (child document, parent document): share of directives covered, and how many of the
    child's tasks (boilerplate left out) link to that parent or to no parent at all."""
    if coverage.empty:
        return make_table([], DOCUMENT_COVERAGE_COLUMNS)
    keys = ["child_doc_id", "parent_doc_id"]
    counted = counts_in_rates(coverage)
    table = (
        coverage.assign(counted=counted, counted_covered=counted & coverage["covered"].astype(bool))
        .groupby(keys, sort=False)[["counted", "counted_covered"]]
        .sum()
        .reset_index()
        .rename(columns={"counted": "directives", "counted_covered": "covered"})
    )
    table["share"] = [round(c / d, 4) if d else None for c, d in zip(table["covered"], table["directives"])]
    own = tasks[tasks["doc_id"].isin(set(coverage["child_doc_id"]))]
    own = own[~own["text"].map(_is_boilerplate).astype(bool)]
    table["child_tasks"] = table["child_doc_id"].map(own.groupby("doc_id").size()).fillna(0).astype(int)
    linked = links.loc[
        links["child_task_id"].isin(set(own["task_id"])), ["child_doc_id", "child_task_id", "parent_doc_id"]
    ]
    per_parent = linked.drop_duplicates().groupby(keys).size().rename("linked_tasks")
    table = table.join(per_parent, on=keys)
    table["linked_tasks"] = table["linked_tasks"].fillna(0).astype(int)
    unlinked = own[~own["task_id"].isin(set(links["child_task_id"]))].groupby("doc_id").size()
    table["local_additions"] = table["child_doc_id"].map(unlinked).fillna(0).astype(int)
    table["directives"] = table["directives"].astype(int)
    table["covered"] = table["covered"].astype(int)
    return table[DOCUMENT_COVERAGE_COLUMNS]


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
