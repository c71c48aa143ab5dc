"""The per-document dataset of a run: every per-document table's rows, in Parquet parts, written
as the documents are read, so that no process holds every document.

Layout, inside the run's generation folder (and visible as ``OUT/dataset/``)::

    dataset/<table>/part-00000.parquet     the rows of the first batch of documents read
    dataset/<table>/part-00001.parquet     the next batch …

One part holds the rows of :data:`BATCH_DOCUMENTS` documents (fewer in the last), in the order
they were read (path order), each document's rows together and in text order; part numbers are
shared by all tables, and a batch without rows of a table writes no part of it. The tables are
the per-document parts of the stages (:mod:`pipeline.stages.registry`): documents, sections,
tasks, task_units, obligations, targets, citations, the citations not yet resolved to the
documents of the run (that needs all of them). ``guanche merge`` reads these folders.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.stages.corpus import DocumentRows

DATASET_FOLDER = "dataset"
BATCH_DOCUMENTS = 64  # documents per part: a few MB of rows, written while the next are read
PART_PATTERN = "part-*.parquet"


class DatasetWriter:
    """Writes the rows of documents, one document at a time (:meth:`add`), in parts of
    :data:`BATCH_DOCUMENTS` documents into ``folder``; :meth:`close` writes the last part.
    Raises OSError when a part cannot be written."""

    def __init__(self, folder: Path, *, batch_documents: int = BATCH_DOCUMENTS) -> None:
        self.folder = Path(folder)
        self.batch_documents = batch_documents
        self._batch: DocumentRows = {}
        self._documents = 0
        self._parts = 0

    def add(self, rows: DocumentRows) -> None:
        """Keep one document's rows (table name → rows) for the current part; write the part
        when it holds a batch."""
        for table, table_rows in rows.items():
            self._batch.setdefault(table, []).extend(table_rows)
        self._documents += 1
        if self._documents == self.batch_documents:
            self._flush()

    def close(self) -> None:
        """Write the rows not yet written."""
        if self._documents:
            self._flush()

    def _flush(self) -> None:
        for table, table_rows in self._batch.items():
            if table_rows:
                (self.folder / table).mkdir(parents=True, exist_ok=True)
                pq.write_table(
                    pa.Table.from_pylist(table_rows), self.folder / table / f"part-{self._parts:05d}.parquet"
                )
        self._batch, self._documents = {}, 0
        self._parts += 1


def table_parts(folder: Path, table: str) -> list[Path]:
    """The parts of ``table`` in the dataset ``folder``, in the order they were written (none
    when the table has no rows)."""
    return sorted((Path(folder) / table).glob(PART_PATTERN))


def iter_rows(folder: Path, table: str) -> Iterator[dict]:
    """The rows of ``table`` in the dataset ``folder``, in the order they were written."""
    for part in table_parts(folder, table):
        yield from pq.read_table(part).to_pylist()


def read_rows(folder: Path, table: str) -> list[dict]:
    """The rows of ``table`` in the dataset ``folder``, by doc_id, each document's rows in text
    order (the order of a run that holds its documents)."""
    return sorted(iter_rows(folder, table), key=lambda row: row["doc_id"])
