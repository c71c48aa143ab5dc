"""The stage registry: every table-building stage of a run, in order, declared in one place.

A :class:`Stage` names its output tables (with their columns, from :mod:`pipeline.outputs.schema`),
an optional per-document part, run where the document is parsed (in a worker process with
``--jobs N``), and its corpus part, run once over the whole run. The corpus part is given the
per-document rows of all documents, in document order (held, or read back from the run's
dataset, :mod:`pipeline.outputs.dataset`), and builds the tables from them (and from anything
corpus-wide). Later stages read earlier stages' tables from ``corpus.tables``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.config import Settings
from pipeline.document.model import ParsedDocument
from pipeline.outputs import schema
from pipeline.outputs.dataset import read_rows
from pipeline.stages import cascade, commitments, structure, units
from pipeline.stages.corpus import Corpus, DocumentRows
from pipeline.stages.workers import WorkerPool

log = logging.getLogger(__name__)

TableBuilder = Callable[[Corpus, DocumentRows, Settings], dict[str, pd.DataFrame]]


@dataclass(frozen=True)
class Stage:
    """One step of a run: its name, the tables it writes and how it builds them."""

    name: str
    tables: Mapping[str, list[str]]
    build: TableBuilder
    per_document: Callable[[ParsedDocument], DocumentRows] | None = None


STAGES: tuple[Stage, ...] = (
    Stage(
        "structure",
        {"documents": schema.DOCUMENT_COLUMNS, "sections": schema.SECTION_COLUMNS, "tasks": schema.TASK_COLUMNS},
        structure.structure_tables,
        per_document=structure.document_structure,
    ),
    Stage(
        "units",
        {"task_units": schema.TASK_UNIT_COLUMNS, "units": schema.UNIT_COLUMNS},
        units.unit_tables,
        per_document=units.document_units,
    ),
    Stage(
        "commitments",
        {
            "obligations": schema.OBLIGATION_COLUMNS,
            "targets": schema.TARGET_COLUMNS,
            "citations": schema.CITATION_COLUMNS,
        },
        commitments.commitment_tables,
        per_document=commitments.document_commitments,
    ),
    Stage(
        "cascade",
        {
            "parents": schema.PARENT_COLUMNS,
            "links": schema.LINK_COLUMNS,
            "coverage": schema.COVERAGE_COLUMNS,
            "coverage_sections": schema.SECTION_COVERAGE_COLUMNS,
            "coverage_documents": schema.DOCUMENT_COVERAGE_COLUMNS,
            "local_additions": schema.LOCAL_ADDITION_COLUMNS,
        },
        cascade.cascade_tables,
    ),
)


RUN_TABLES: tuple[str, ...] = tuple(name for registered in STAGES for name in registered.tables)  # in stage order


def extract_document(doc: ParsedDocument) -> ParsedDocument:
    """Run every stage's per-document part on ``doc`` (kept on ``doc.extracted``); returns ``doc``."""
    for registered in STAGES:
        if registered.per_document is not None:
            doc.extracted[registered.name] = registered.per_document(doc)
    return doc


def document_rows(doc: ParsedDocument) -> DocumentRows:
    """Every per-document table's rows of ``doc`` (table name → rows), computed where it was
    parsed (:func:`extract_document`): all a streamed run keeps of it."""
    return {table: rows for extracted in doc.extracted.values() for table, rows in extracted.items()}


def corpus_rows(corpus: Corpus, registered: Stage) -> DocumentRows:
    """The rows of ``registered``'s per-document part for every document of ``corpus``, table by
    table in document order: read from the corpus's dataset when its documents were streamed,
    else those computed where each document was parsed, or computed now (a document parsed
    without :func:`extract_document`). Empty for a stage without one."""
    rows: DocumentRows = {}
    if registered.per_document is None:
        return rows
    if corpus.dataset is not None:
        return {table: read_rows(corpus.dataset, table) for table in registered.tables}
    for doc in corpus.documents:
        if registered.name not in doc.extracted:
            doc.extracted[registered.name] = registered.per_document(doc)
        for table, table_rows in doc.extracted[registered.name].items():
            rows.setdefault(table, []).extend(table_rows)
    return rows


def build_tables(
    corpus: Corpus,
    settings: Settings | None = None,
    *,
    on_tables: Callable[[dict[str, pd.DataFrame]], None] | None = None,
    only: Collection[str] | None = None,
    workers: WorkerPool | None = None,
) -> dict[str, pd.DataFrame]:
    """Run every stage in order over ``corpus`` (or the stages named in ``only``); return all
    tables by name (also kept in ``corpus.tables``). ``workers`` (a run's worker pool) become
    ``corpus.workers`` while the stages run: corpus stages may spread their work over them.

    ``on_tables`` receives each stage's tables as soon as they are built (the output writer
    starts on them while later stages run). Every table has exactly the columns its stage
    declares.
    """
    settings = settings or Settings()
    corpus.workers = workers
    try:
        _run_stages(corpus, settings, on_tables, only)
    finally:
        corpus.workers = None
    return corpus.tables


def _run_stages(
    corpus: Corpus,
    settings: Settings,
    on_tables: Callable[[dict[str, pd.DataFrame]], None] | None,
    only: Collection[str] | None,
) -> None:
    """Run the stages of :func:`build_tables`."""
    for registered in STAGES:
        if only is not None and registered.name not in only:
            continue
        started = time.perf_counter()
        tables = registered.build(corpus, corpus_rows(corpus, registered), settings)
        log.info(
            "stage %s: %s in %.2f s",
            registered.name,
            ", ".join(f"{len(table)} {name}" for name, table in tables.items()),
            time.perf_counter() - started,
        )
        corpus.tables.update(tables)
        if on_tables is not None:
            on_tables(tables)
