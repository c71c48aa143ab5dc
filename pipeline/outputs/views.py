"""Analyst views: the tables of one run joined into what a reader looks at first.

Each view takes the tables of a run by name (what :func:`pipeline.api.read` returns)
and returns a DataFrame. The views read the stages' own tables (coverage figures come from the
cascade stage's coverage_documents, coverage_sections and local_additions, never recounted
here). A view whose source table is absent from the tables given returns ``None``, so that the
report and the notebooks can leave that part out; a table that is present but empty gives an
empty view.
"""

from __future__ import annotations

import pandas as pd

from pipeline.cascade.coverage import counts_in_rates
from pipeline.cascade.directives import directive_items
from pipeline.cascade.parents import parent_relations
from pipeline.outputs.schema import PARENT_SEPARATOR
from pipeline.stages.units import unit_workload

UNIT_SEPARATOR = "、"
NO_SECTION = "—"


def _is_true(values: pd.Series) -> pd.Series:
    """Flags as written by any stage or read back from CSV (True, "true", 1) → bool."""
    return values.fillna(False).astype(str).str.strip().str.lower().isin({"true", "1", "yes"})


def numbered(numbers: pd.Series, titles: pd.Series) -> pd.Series:
    """Headings as a reader sees them: "number title" (either may be missing)."""
    return (numbers.fillna("") + " " + titles.fillna("")).str.strip()


def _section_labels(tables: dict[str, pd.DataFrame], section_ids: pd.Series) -> pd.Series:
    """The section of each of ``section_ids`` as "number title" ("—" for no heading)."""
    sections = tables["sections"]
    labels = dict(zip(sections["section_id"], numbered(sections["number"], sections["title"])))
    return section_ids.map(labels).fillna(NO_SECTION)


def _tasks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Tasks in text order with their section label: doc_id, task_id, section, number, title, text."""
    tasks = tables["tasks"][["doc_id", "task_id", "section_id", "path", "number", "title", "text"]].copy()
    tasks.insert(3, "section", _section_labels(tables, tasks["section_id"]).to_numpy())
    return tasks


def document_titles(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """doc_id → title, the doc_id itself for a document without one."""
    documents = tables["documents"]
    return {doc_id: str(title or doc_id) for doc_id, title in zip(documents["doc_id"], documents["title"])}


def _joined(units: pd.Series) -> str:
    return UNIT_SEPARATOR.join(dict.fromkeys(units.dropna()))


def task_assignments(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every task in text order: doc_id, task_id, section, number, title, and — when the run has
    a task_units table — lead_units and support_units (canonical names in the order written,
    joined with "、")."""
    tasks = _tasks(tables).drop(columns=["section_id", "path", "text"])
    task_units = tables.get("task_units")
    if task_units is None:
        return tasks
    for role, column in (("lead", "lead_units"), ("support", "support_units")):
        named = task_units[task_units["role"] == role].groupby("task_id", sort=False)["unit"].agg(_joined)
        tasks[column] = [named.get(task_id, "") for task_id in tasks["task_id"]]
    return tasks


def workload_by_unit(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Tasks led and supported per specific canonical unit, busiest first (see
    :func:`pipeline.stages.units.unit_workload`: unit_id, unit, type, jurisdiction, tasks_led,
    tasks_supported, documents). Collective mentions (各有关部门 and the like) are left out."""
    task_units = tables.get("task_units")
    return None if task_units is None else unit_workload(task_units)


def co_leadership(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Pairs of units leading the same task: unit_a, unit_b (a < b), tasks (how many), most first."""
    task_units = tables.get("task_units")
    if task_units is None:
        return None
    leads = task_units[(task_units["role"] == "lead") & ~_is_true(task_units["collective"])]
    leads = leads.drop_duplicates(["task_id", "unit"])[["task_id", "unit"]]
    pairs = leads.merge(leads, on="task_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["unit_a"] < pairs["unit_b"]]
    counted = pairs.groupby(["unit_a", "unit_b"]).size().rename("tasks").reset_index()
    return counted.sort_values(["tasks", "unit_a", "unit_b"], ascending=[False, True, True], ignore_index=True)


def commitment_strength(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Obligations per section (rows, in text order; "document title / section" when the run has
    several documents) and commitment strength (columns, most frequent first), as counts."""
    obligations = tables.get("obligations")
    if obligations is None:
        return None
    sections = _tasks(tables)[["doc_id", "task_id", "section"]]
    if sections["doc_id"].nunique() > 1:
        sections["section"] = sections["doc_id"].map(document_titles(tables)) + " / " + sections["section"]
    counted = obligations[["task_id", "strength"]].merge(sections, on="task_id", how="left")
    counted["section"] = counted["section"].fillna(NO_SECTION)
    counted["strength"] = counted["strength"].fillna("unknown")
    strengths = counted["strength"].value_counts().index.tolist()
    order = list(dict.fromkeys(sections["section"]))
    table = counted.groupby(["section", "strength"]).size().unstack("strength", fill_value=0)
    return table.reindex(index=[s for s in order if s in table.index], columns=strengths, fill_value=0)


def targets_and_deadlines(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Quantified targets and deadlines with the task that sets them, in text order:
    doc_id, task_id, number, task_title, kind, comparator, value, unit_of_measure, due_date, text.

    A target's task is its own task_id, or its obligation's when the targets table has none.
    """
    targets = tables.get("targets")
    if targets is None:
        return None
    obligations = tables.get("obligations")
    if "task_id" not in targets:
        targets = (
            targets.assign(task_id=None)
            if obligations is None
            else targets.merge(obligations[["obligation_id", "task_id"]], on="obligation_id", how="left")
        )
    tasks = _tasks(tables)[["doc_id", "task_id", "number", "title"]].rename(columns={"title": "task_title"})
    placed = targets.drop(columns="doc_id", errors="ignore").merge(tasks, on="task_id", how="left")
    order = {task_id: position for position, task_id in enumerate(tasks["task_id"])}
    placed = placed.assign(_order=placed["task_id"].map(order)).sort_values("_order", kind="stable")
    columns = [
        "doc_id",
        "task_id",
        "number",
        "task_title",
        "kind",
        "comparator",
        "value",
        "unit_of_measure",
        "due_date",
        "text",
    ]
    return placed[[column for column in columns if column in placed]].reset_index(drop=True)


def citation_resolutions(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Cited instruments and what they resolved to: doc_id, task_id, number, task_title,
    cited_title, kind, relation ("" when the citations table has none), resolved_doc_id,
    resolved_title ("" when the cited text is not in the run)."""
    citations = tables.get("citations")
    if citations is None:
        return None
    tasks = _tasks(tables)[["task_id", "number", "title"]].rename(columns={"title": "task_title"})
    if "relation" not in citations:
        citations = citations.assign(relation="")
    resolved = citations[["doc_id", "task_id", "cited_title", "kind", "relation", "resolved_doc_id"]].merge(
        tasks, on="task_id", how="left"
    )
    resolved["resolved_title"] = resolved["resolved_doc_id"].map(document_titles(tables)).fillna("")
    return resolved[
        [
            "doc_id",
            "task_id",
            "number",
            "task_title",
            "cited_title",
            "kind",
            "relation",
            "resolved_doc_id",
            "resolved_title",
        ]
    ]


def declared_parents(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each parent of each document: doc_id, parent (its title as named), parent_doc_id (the
    document of this run it is, or "" when it is not in the run).

    From the parents table (manifest, basis citations and inference, see :mod:`pipeline.cascade.parents`);
    tables without one get it from the manifest's parents in the documents table, by the same
    :func:`pipeline.cascade.parents.parent_relations`.
    """
    relations = tables.get("parents")
    if relations is None:
        documents = tables["documents"]
        declared = {
            doc_id: tuple(p for p in str(parents or "").split(PARENT_SEPARATOR) if p)
            for doc_id, parents in zip(documents["doc_id"], documents["parents"])
        }
        relations = parent_relations(documents, declared)
    found = _is_true(relations["found"])
    return pd.DataFrame(
        {
            "doc_id": relations["child_doc_id"].to_numpy(),
            "parent": relations["parent_title"].fillna(relations["parent_doc_id"]).fillna("").to_numpy(),
            "parent_doc_id": relations["parent_doc_id"].where(found, "").fillna("").to_numpy(),
        },
        columns=["doc_id", "parent", "parent_doc_id"],
    )


def missing_parents(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Parents a document names that are not in the run: doc_id, title, parent. Empty when every
    named parent was read."""
    parents = declared_parents(tables)
    missing = parents[parents["parent_doc_id"] == ""]
    missing = missing.assign(title=missing["doc_id"].map(document_titles(tables)))
    return missing[["doc_id", "title", "parent"]].reset_index(drop=True)


def _directive_labels(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every directive a link or coverage row can name (tasks, and sections' own lead text, as
    the cascade stage links them): task_id, section, number, title, text."""
    directives = directive_items(tables["tasks"], tables["sections"])
    directives = directives.assign(section=_section_labels(tables, directives["section_id"]))
    return directives[["task_id", "section", "number", "title", "text"]]


def coverage_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Per child and parent document, from the coverage_documents table: child_doc_id,
    child_title, parent_doc_id, parent_title, directives, covered, gaps, share."""
    summary = tables.get("coverage_documents")
    if summary is None:
        return None
    titles = document_titles(tables)
    summary = summary.assign(
        child_title=summary["child_doc_id"].map(titles).fillna(""),
        parent_title=summary["parent_doc_id"].map(titles),
        covered=summary["covered"].astype(int),
        gaps=(summary["directives"] - summary["covered"]).astype(int),
    )
    return summary[
        ["child_doc_id", "child_title", "parent_doc_id", "parent_title", "directives", "covered", "gaps", "share"]
    ].reset_index(drop=True)


def coverage_by_section(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Per child document and parent section, in text order, from the coverage_sections table:
    child_doc_id, parent_doc_id, section ("number title"), directives, covered."""
    sections = tables.get("coverage_sections")
    if sections is None:
        return None
    label = numbered(sections["number"], sections["title"])
    return sections.assign(section=label)[["child_doc_id", "parent_doc_id", "section", "directives", "covered"]]


def coverage_gaps(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Parent directives a child document does not take up (boilerplate left out), in text
    order: child_doc_id, parent_doc_id, parent_task_id, section, number, title, text."""
    coverage = tables.get("coverage")
    if coverage is None:
        return None
    gaps = coverage[counts_in_rates(coverage) & ~_is_true(coverage["covered"])][
        ["child_doc_id", "parent_doc_id", "parent_task_id"]
    ]
    return (
        gaps.merge(_directive_labels(tables), left_on="parent_task_id", right_on="task_id", how="left")
        .drop(columns="task_id")
        .reset_index(drop=True)
    )


def local_addition_tasks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Tasks of documents whose parents were read that link to no parent directive (boilerplate
    left out), from the local_additions table, in text order: doc_id, task_id, section, number,
    title, text."""
    listed = tables.get("local_additions")
    if listed is None:
        return None
    tasks = _tasks(tables)
    chosen = tasks["task_id"].isin(set(listed.loc[~_is_true(listed["boilerplate"]), "task_id"]))
    return tasks[chosen].drop(columns=["section_id", "path"]).reset_index(drop=True)


def link_evidence(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Each child task's best link (lowest rank) with both texts side by side, in child text
    order: child_doc_id, child_task_id, child_number, child_title, child_text, parent_doc_id,
    parent_task_id, parent_number, parent_title, parent_text, relation, score, evidence."""
    links = tables.get("links")
    if links is None:
        return None
    best = links.sort_values(["child_task_id", "rank"], kind="stable").drop_duplicates("child_task_id")
    labels = _directive_labels(tables)[["task_id", "number", "title", "text"]]
    child = labels.add_prefix("child_")
    parent = labels.add_prefix("parent_")
    paired = child.merge(best, on="child_task_id", how="inner").merge(parent, on="parent_task_id", how="left")
    return paired[
        [
            "child_doc_id",
            "child_task_id",
            "child_number",
            "child_title",
            "child_text",
            "parent_doc_id",
            "parent_task_id",
            "parent_number",
            "parent_title",
            "parent_text",
            "relation",
            "score",
            "evidence",
        ]
    ].reset_index(drop=True)


def coverage_by_child(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Share of each parent section's directives that each child document takes up.

    Rows: (parent title, section) in text order; columns: child document titles; values in
    [0, 1], blank where the column's document is not a child of the row's parent.
    """
    sections = coverage_by_section(tables)
    if sections is None:
        return None
    titles = document_titles(tables)
    sections = sections.assign(
        parent=sections["parent_doc_id"].map(titles),
        child=sections["child_doc_id"].map(titles).fillna(""),
        share=sections["covered"] / sections["directives"],
    )
    order = list(dict.fromkeys(zip(sections["parent"], sections["section"])))
    table = sections.pivot_table(index=["parent", "section"], columns="child", values="share", sort=False)
    table = table.reindex(pd.MultiIndex.from_tuples(order, names=["parent", "section"]))
    table.columns.name = None
    return table
