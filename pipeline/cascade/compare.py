"""One child document against its parent document(s): links, coverage and a readable summary
(``guanche coverage``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.api import STRUCTURE_ONLY, read_corpus, single_document
from pipeline.cascade.coverage import describe_coverage
from pipeline.cascade.directives import linked_and_covered
from pipeline.cascade.linker import DirectiveLinker
from pipeline.errors import InputError
from pipeline.stages.corpus import InputFailure


@dataclass
class CoverageResult:
    """A child document against its parent document(s): tables and a readable summary."""

    child_doc_id: str
    parent_doc_ids: list[str]
    tables: dict[str, pd.DataFrame]
    summary: str
    failures: list[InputFailure] = field(default_factory=list)

    @property
    def coverage(self) -> pd.DataFrame:
        """The coverage table: one row per parent directive."""
        return self.tables["coverage"]


def compare_with_parents(
    child_path: str | Path, parent_path: str | Path, *, linker: DirectiveLinker | None = None
) -> CoverageResult:
    """Link the child document's tasks to the directives of the parent document(s) at
    ``parent_path`` (a file or a folder) and measure coverage.

    Returns the links, coverage, coverage_sections, coverage_documents and local_additions
    tables and a summary: coverage rate, the gaps by title, the local additions. Raises
    :class:`InputError` when either side holds no readable document.
    """
    child_corpus, _ = read_corpus([child_path], stages=STRUCTURE_ONLY)
    parent_corpus, failures = read_corpus([parent_path], stages=STRUCTURE_ONLY)
    child = single_document(child_corpus, child_path)
    parent_docs = [doc for doc in parent_corpus.documents if doc.source.sha256 != child.source.sha256]
    if not parent_docs:
        raise InputError(parent_path, "holds no document other than the child", "give the parent document")
    parent_ids = [doc.doc_id for doc in parent_docs]
    tasks = child_corpus.tables["tasks"]
    parent_tables = {name: t[t["doc_id"].isin(parent_ids)] for name, t in parent_corpus.tables.items()}
    if child.doc_id in parent_ids:  # same file name in both places: keep the two apart
        raise InputError(
            parent_path, f"a parent has the same id as the child ({child.doc_id})", "rename one of the files"
        )
    pairs = pd.DataFrame({"child_doc_id": child.doc_id, "parent_doc_id": parent_ids})
    tables = linked_and_covered(
        pairs, tasks, parent_tables["tasks"], parent_tables["sections"], linker, child_corpus.tables["sections"]
    )
    documents = pd.concat([child_corpus.tables["documents"], parent_tables["documents"]], ignore_index=True)
    summary = describe_coverage(documents, tables["coverage"], tables["coverage_documents"], tables["local_additions"])
    return CoverageResult(child.doc_id, parent_ids, tables, summary, failures)
