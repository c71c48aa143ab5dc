"""The table contract: every output table's columns, in order (see DESIGN.md)."""

from __future__ import annotations

import pandas as pd

TABLE_COLUMNS: dict[str, list[str]] = {
    "documents": [
        "doc_id", "title", "issuer", "level", "region", "year", "issued_on", "published_on",
        "doc_number", "parents", "source_path", "sha256", "encoding", "n_chars",
    ],
    "sections": ["doc_id", "section_id", "parent_id", "depth", "number", "title", "text"],
    "tasks": [
        "doc_id", "task_id", "section_id", "kind", "path", "number", "title", "text",
        "start", "end",
    ],
}


def make_table(name: str, rows: list[dict]) -> pd.DataFrame:
    """Build table ``name`` from row dicts with exactly the contract's columns, in order."""
    columns = TABLE_COLUMNS[name]
    return pd.DataFrame([{column: row.get(column) for column in columns} for row in rows], columns=columns)
