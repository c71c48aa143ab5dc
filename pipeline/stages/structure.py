"""The structure stage: documents, sections and tasks tables from the parsed documents."""

from __future__ import annotations

import pandas as pd

from pipeline.config import Settings
from pipeline.outputs.schema import (
    DOCUMENT_COLUMNS,
    PARENT_SEPARATOR,
    SECTION_COLUMNS,
    TASK_COLUMNS,
    make_table,
)
from pipeline.stages.corpus import Corpus, DocumentRows


def structure_tables(
    corpus: Corpus, rows: DocumentRows | None = None, settings: Settings | None = None
) -> dict[str, pd.DataFrame]:
    """documents, sections and tasks tables: documents by doc_id, the rest in text order.

    ``rows`` and ``settings`` are not used: the tables come from the parsed documents themselves.
    """
    documents = make_table(
        [
            {**doc.record, "parents": PARENT_SEPARATOR.join(corpus.declared_parents.get(doc.doc_id, ()))}
            for doc in corpus.documents
        ],
        DOCUMENT_COLUMNS,
    )
    documents["year"] = documents["year"].astype("Int64")
    sections = make_table([s.__dict__ for doc in corpus.documents for s in doc.sections], SECTION_COLUMNS)
    tasks = make_table([t.__dict__ for doc in corpus.documents for t in doc.tasks], TASK_COLUMNS)
    return {"documents": documents, "sections": sections, "tasks": tasks}
