"""The structure stage: documents, sections and tasks tables from the parsed documents."""

from __future__ import annotations

import pandas as pd

from pipeline.config import Settings
from pipeline.document.model import ParsedDocument
from pipeline.outputs.schema import (
    DOCUMENT_COLUMNS,
    PARENT_SEPARATOR,
    SECTION_COLUMNS,
    TASK_COLUMNS,
    make_table,
)
from pipeline.stages.corpus import Corpus, DocumentRows


def document_structure(doc: ParsedDocument) -> DocumentRows:
    """documents (its one record), sections and tasks rows of one document, in text order."""
    return {
        "documents": [dict(doc.record)],
        "sections": [dict(section.__dict__) for section in doc.sections],
        "tasks": [dict(task.__dict__) for task in doc.tasks],
    }


def structure_tables(corpus: Corpus, rows: DocumentRows, settings: Settings | None = None) -> dict[str, pd.DataFrame]:
    """documents, sections and tasks tables: documents by doc_id, the rest in text order, from
    the rows of :func:`document_structure` of every document; each document's ``parents`` are
    the manifest's (``corpus.declared_parents``). ``settings`` is not used."""
    documents = make_table(
        [
            {**record, "parents": PARENT_SEPARATOR.join(corpus.declared_parents.get(record["doc_id"], ()))}
            for record in rows.get("documents", [])
        ],
        DOCUMENT_COLUMNS,
    )
    documents["year"] = documents["year"].astype("Int64")
    sections = make_table(rows.get("sections", []), SECTION_COLUMNS)
    tasks = make_table(rows.get("tasks", []), TASK_COLUMNS)
    return {"documents": documents, "sections": sections, "tasks": tasks}
