"""The documents of one run and the tables built from them, passed from stage to stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.document.model import ParsedDocument

if TYPE_CHECKING:
    from pipeline.stages.workers import WorkerPool


@dataclass
class Corpus:
    """All documents of one run, their manifest-declared parents, and the tables built so far.

    ``workers`` are the run's worker processes or cluster while its tables are built (None:
    this process does all the work); a corpus stage may spread independent parts over them.

    The documents are either held (``documents``, parsed in this process or sent back by the
    workers) or streamed: then ``documents`` is empty and ``dataset`` is the folder of their
    per-document rows (:mod:`pipeline.outputs.dataset`), ``doc_ids`` their ids.
    """

    documents: list[ParsedDocument]
    declared_parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dataset: Path | None = None
    doc_ids: list[str] = field(default_factory=list)
    workers: WorkerPool | None = None

    def __post_init__(self) -> None:
        if self.documents and not self.doc_ids:
            self.doc_ids = [doc.doc_id for doc in self.documents]


@dataclass
class InputFailure:
    """An input that could not be read, with the one-line reason."""

    path: Path
    message: str


DocumentRows = dict[str, list[dict]]  # table name → rows of one document
