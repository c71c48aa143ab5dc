"""The table contract (see DESIGN.md): each stage module declares its tables' columns in order,
and builds its tables with :func:`make_table`."""

from __future__ import annotations

import pandas as pd


def make_table(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Build a table from row dicts with exactly ``columns``, in order (missing values → None)."""
    return pd.DataFrame([[row.get(column) for column in columns] for row in rows], columns=columns)
