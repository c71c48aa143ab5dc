"""The units stage: task_units and units tables, and the unit workload for the run summary.

Each document's jurisdiction comes from its record (level, region); a document without a region
takes the prefix most of its own prefixed mentions carry (市委办公厅, 市法院 → 市). Every task's
annotations are read by :mod:`extractors.units` and resolved against the registry in models/units.csv.
"""

from __future__ import annotations

import pandas as pd

from extractors.unit_registry import jurisdiction_for
from extractors.units import FIRST_LISTED_LEADS, LEAD, SUPPORT, assignments, task_units
from pipeline.config import Settings
from pipeline.document.model import ParsedDocument
from pipeline.outputs.schema import TASK_UNIT_COLUMNS, UNIT_COLUMNS, UNRESOLVED_COLUMNS, WORKLOAD_COLUMNS, make_table
from pipeline.stages.corpus import Corpus, DocumentRows


def document_units(doc: ParsedDocument) -> DocumentRows:
    """task_units rows of one document: every unit named on each task, in text order."""
    level, region = doc.record.get("level") or "unknown", doc.record.get("region") or ""
    jurisdiction = jurisdiction_for(level, region)
    if not jurisdiction.prefix and not jurisdiction.national:
        mentions = [
            m.mention
            for task in doc.tasks
            for a in assignments(task.text, jurisdiction=jurisdiction)
            for m in a.mentions
        ]
        jurisdiction = jurisdiction_for(level, region, mentions)
    rows = []
    for task, first_listed_leads in zip(doc.tasks, _first_listed_leads(doc)):
        for unit in task_units(task.text, jurisdiction=jurisdiction, first_listed_leads=first_listed_leads):
            rows.append({"doc_id": doc.doc_id, "task_id": task.task_id, **unit.__dict__})
    return {"task_units": rows}


def _first_listed_leads(doc: ParsedDocument) -> list[bool]:
    """Per task, whether the document has stated by then that the first unit listed leads
    (排在第一位的部门为牵头部门, in any wording): in its preamble, a section above the task, or this
    or an earlier task."""
    sections = {section.section_id: section for section in doc.sections}
    stated = bool(FIRST_LISTED_LEADS.search(doc.preamble))
    flags = []
    for task in doc.tasks:
        section_id = task.section_id
        while section_id and not stated:
            stated = bool(FIRST_LISTED_LEADS.search(sections[section_id].text))
            section_id = sections[section_id].parent_id
        stated = stated or bool(FIRST_LISTED_LEADS.search(task.text))
        flags.append(stated)
    return flags


def unit_tables(corpus: Corpus, rows_by_table: DocumentRows, settings: Settings) -> dict[str, pd.DataFrame]:
    """task_units (one row per unit named on a task, in text order) and units (one row per
    canonical unit, by unit_id, with every alias seen and its task counts), from the rows of
    :func:`document_units` of every document."""
    rows = rows_by_table.get("task_units", [])
    task_table = make_table(rows, TASK_UNIT_COLUMNS)
    units: dict[str, dict] = {}
    for row in rows:
        unit = units.setdefault(
            row["unit_id"],
            {
                **{
                    k: row[k]
                    for k in ("unit_id", "unit", "full_name", "type", "jurisdiction", "collective", "resolved")
                },
                "aliases": [],
                "tasks_led": 0,
                "tasks_supported": 0,
            },
        )
        unit["full_name"] = unit["full_name"] or row["full_name"]
        if row["mention"] not in unit["aliases"]:
            unit["aliases"].append(row["mention"])
        unit["tasks_led" if row["role"] == LEAD else "tasks_supported"] += 1
    unit_rows = [{**unit, "aliases": "|".join(unit["aliases"])} for _, unit in sorted(units.items())]
    return {"task_units": task_table, "units": make_table(unit_rows, UNIT_COLUMNS)}


def unit_workload(task_units_table: pd.DataFrame) -> pd.DataFrame:
    """Per specific (non-collective) canonical unit: tasks led, tasks supported, documents, across
    the run; busiest first."""
    specific = task_units_table[~task_units_table["collective"].astype(bool)]
    rows = []
    for unit_id, group in specific.groupby("unit_id", sort=True):
        first = group.iloc[0]
        rows.append(
            {
                "unit_id": unit_id,
                "unit": first["unit"],
                "type": first["type"],
                "jurisdiction": first["jurisdiction"],
                "tasks_led": int((group["role"] == LEAD).sum()),
                "tasks_supported": int((group["role"] == SUPPORT).sum()),
                "documents": int(group["doc_id"].nunique()),
            }
        )
    table = make_table(rows, WORKLOAD_COLUMNS)
    if table.empty:
        return table
    return table.sort_values(
        ["tasks_led", "tasks_supported", "unit_id"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def unresolved_units(task_units_table: pd.DataFrame) -> pd.DataFrame:
    """Mentions the registry does not know (add them to models/units.csv), with where they occur."""
    unknown = task_units_table[~task_units_table["resolved"].astype(bool)]
    rows = []
    for (mention, unit), group in unknown.groupby(["mention", "unit"], sort=True):
        rows.append(
            {
                "mention": mention,
                "unit": unit,
                "type": group.iloc[0]["type"],
                "jurisdiction": group.iloc[0]["jurisdiction"],
                "doc_ids": "; ".join(sorted(group["doc_id"].unique())),
                "n_tasks": int(len(group)),
            }
        )
    return make_table(rows, UNRESOLVED_COLUMNS)
