"""The table contract (see DESIGN.md): every table's columns, in order, in one place, and
:func:`make_table`, which every stage builds its tables with."""

from __future__ import annotations

import pandas as pd

# structure stage
DOCUMENT_COLUMNS = [
    "doc_id",
    "title",
    "issuer",
    "level",
    "region",
    "year",
    "issued_on",
    "published_on",
    "doc_number",
    "parents",
    "source_path",
    "sha256",
    "encoding",
    "script",
    "n_chars",
]
PARENT_SEPARATOR = "; "  # between the manifest's parents in the documents table
SECTION_COLUMNS = ["doc_id", "section_id", "parent_id", "depth", "number", "title", "text"]
TASK_COLUMNS = [
    "doc_id",
    "task_id",
    "section_id",
    "kind",
    "path",
    "number",
    "title",
    "text",
    "start",
    "end",
]

# units stage, and the run summary's views of it
TASK_UNIT_COLUMNS = [
    "doc_id",
    "task_id",
    "order",
    "mention",
    "unit",
    "unit_id",
    "role",
    "collective",
    "resolved",
    "type",
    "jurisdiction",
]
UNIT_COLUMNS = [
    "unit_id",
    "unit",
    "full_name",
    "type",
    "jurisdiction",
    "collective",
    "resolved",
    "aliases",
    "tasks_led",
    "tasks_supported",
]
WORKLOAD_COLUMNS = ["unit_id", "unit", "type", "jurisdiction", "tasks_led", "tasks_supported", "documents"]
UNRESOLVED_COLUMNS = ["mention", "unit", "type", "jurisdiction", "doc_ids", "n_tasks"]

# commitments stage
OBLIGATION_COLUMNS = [
    "doc_id",
    "task_id",
    "obligation_id",
    "text",
    "action",
    "object",
    "strength",
    "modal",
    "start",
    "end",
]
TARGET_COLUMNS = [
    "doc_id",
    "task_id",
    "obligation_id",
    "target_id",
    "kind",
    "value",
    "unit_of_measure",
    "comparator",
    "anchor",
    "due_date",
    "text",
    "start",
    "end",
]
CITATION_COLUMNS = [
    "doc_id",
    "section_id",
    "task_id",
    "citation_id",
    "cited_title",
    "kind",
    "relation",
    "doc_number",
    "resolved_doc_id",
    "start",
    "end",
]

# cascade stage: parents, links, coverage; the directives they are measured on
# source: manifest / basis / jurisdiction+topic; topic: the topic key child and parent share ("" when
# they do not); issued_later: the parent was issued after the child (still its superior law)
PARENT_COLUMNS = ["child_doc_id", "parent_doc_id", "parent_title", "source", "found", "topic", "issued_later"]
LINK_COLUMNS = [
    "child_doc_id",
    "child_task_id",
    "parent_doc_id",
    "parent_task_id",
    "rank",
    "score",
    "similarity",
    "reuse",
    "relation",
    "boilerplate",
    "evidence",
]
DIRECTIVE_COLUMNS = ["doc_id", "task_id", "section_id", "kind", "number", "title", "text"]
COVERAGE_COLUMNS = [
    "child_doc_id",
    "parent_doc_id",
    "parent_task_id",
    "parent_section_id",
    "kind",
    "number",
    "title",
    "boilerplate",
    "covered",
    "covering_task_ids",
    "best_child_doc_id",
    "best_child_task_id",
    "score",
    "relation",
]
SECTION_COVERAGE_COLUMNS = [
    "child_doc_id",
    "parent_doc_id",
    "section_id",
    "number",
    "title",
    "directives",
    "covered",
    "share",
]
DOCUMENT_COVERAGE_COLUMNS = [
    "child_doc_id",
    "parent_doc_id",
    "directives",
    "covered",
    "share",
    "child_tasks",
    "linked_tasks",
    "local_additions",
]
LOCAL_ADDITION_COLUMNS = ["doc_id", "task_id", "section_id", "number", "title", "boilerplate"]

# guanche reuse
SOURCE_COLUMNS = ["rank", "source_doc_id", "title", "level", "tasks", "shared_chars", "best_evidence"]
PASSAGE_COLUMNS = [
    "child_task_id",
    "number",
    "title",
    "rank",
    "source_doc_id",
    "source_item_id",
    "score",
    "reuse",
    "shared_chars",
    "relation",
    "evidence",
]

# Columns of ISO dates (2024-07-05, or empty): Excel dates in the workbook, date32 in Parquet, text in CSV.
DATE_COLUMNS = frozenset({"issued_on", "published_on", "due_date"})
# Columns holding a list joined by a separator: list<string> in Parquet, joined text in CSV and XLSX.
LIST_SEPARATORS = {"parents": "; ", "aliases": "|", "covering_task_ids": "; ", "doc_ids": "; "}

# guanche diff: two versions of one document
VERSION_DIFF_COLUMNS = [
    "old_doc_id",
    "new_doc_id",
    "group",
    "change",
    "classes",
    "old_task_ids",
    "new_task_ids",
    "old_numbers",
    "new_numbers",
    "old_section",
    "new_section",
    "score",
    "similarity",
    "strengthened",
    "softened",
    "units_reassigned",
    "targets_changed",
    "moved",
]
VERSION_PASSAGE_COLUMNS = ["group", "operation", "old_passage", "new_passage"]

# graph files, with Gephi's column names
NODE_COLUMNS = ["Id", "Label", "Type"]
EDGE_COLUMNS = ["Source", "Target", "Type", "Id", "Label", "Weight"]


def make_table(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Build a table from row dicts with exactly ``columns``, in order (missing values → None)."""
    return pd.DataFrame([[row.get(column) for column in columns] for row in rows], columns=columns)
