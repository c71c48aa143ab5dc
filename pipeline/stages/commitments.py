"""The commitments stage: obligations, targets and citations tables for every document of a run.

Every task (plan task or regulation article) runs through the spaCy pipeline of
:mod:`extractors.nlp` in one ``nlp.pipe`` pass, together with each document's front matter
(preamble), which yields citations only. A text longer than one Doc may hold runs as pieces cut where
no result crosses (:func:`extractors.nlp.text_pieces`), whose results are joined again. Cited titles are resolved to documents of the same run
with :class:`pipeline.document.titles.TitleIndex`.

Ids are derived from position, so they are stable across runs: ``<task_id>:O01`` is the first
obligation of a task, ``<obligation_id>:G01`` its first target, ``<doc_id>:C001`` the first
citation of a document (in text order). Citations also come from a section's own body text
(lines under a heading with no tasks below them): then ``task_id`` is empty and ``section_id``
set; both are empty for the preamble. Offsets ``start``/``end`` are in the task's text (or the
preamble's, or the section's).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import pandas as pd
from spacy.language import Language

from extractors.citations import own_references, title_aliases
from extractors.nlp import commitment_docs, get_pipeline
from extractors.unit_registry import jieba_entries
from pipeline.config import Settings
from pipeline.document.model import ParsedDocument
from pipeline.document.titles import TitleIndex
from pipeline.outputs.schema import CITATION_COLUMNS, OBLIGATION_COLUMNS, TARGET_COLUMNS, make_table
from pipeline.stages.corpus import Corpus, DocumentRows


def _texts(doc: ParsedDocument) -> Iterator[tuple[str | None, str | None, str, str]]:
    """(section_id, task_id, text kind, text) of a document's preamble, section body texts and
    tasks, in text order (a section's own text comes before the tasks under it)."""
    yield None, None, "preamble", doc.preamble
    tasks_by_section: dict[str | None, list] = {}
    for task in doc.tasks:
        tasks_by_section.setdefault(task.section_id, []).append(task)
    for task in tasks_by_section.get(None, []):
        yield task.section_id, task.task_id, task.kind, task.text
    for section in doc.sections:
        if section.text:
            yield section.section_id, None, "section", section.text
        for task in tasks_by_section.get(section.section_id, []):
            yield task.section_id, task.task_id, task.kind, task.text


@lru_cache(maxsize=1)
def commitment_pipeline() -> Language:
    """The spaCy pipeline with the unit registry's names in its jieba dictionary, without span
    groups, which the tables do not use (built once)."""
    return get_pipeline(user_words=[word for word, _, _ in jieba_entries()], span_groups=False)


def document_commitments(doc: ParsedDocument) -> DocumentRows:
    """obligations, targets and citations rows of one document, in text order.

    Citations are not resolved here (that needs the whole run): see :func:`commitment_tables`.
    """
    nlp = commitment_pipeline()
    record = doc.record
    own = own_references(record.get("title") or "", record.get("doc_number") or "", doc.preamble)
    aliases = title_aliases("\n".join(text for *_, text in _texts(doc)))
    year = record.get("year")
    year = int(year) if year is not None and not pd.isna(year) else None
    prepared = (
        (piece, (section_id, task_id, offset))
        for section_id, task_id, kind, text in _texts(doc)
        for offset, piece in commitment_docs(
            nlp, text, text_kind=kind, year=year, own_references=own, title_aliases=aliases
        )
    )
    obligations: list[dict] = []
    targets: list[dict] = []
    citations: list[dict] = []
    ids: list[str] = []  # obligation ids of the current text, over all its pieces
    for processed, (section_id, task_id, offset) in nlp.pipe(prepared, as_tuples=True):
        ext = processed._
        if offset == 0:
            ids = []
        first = len(ids)
        for number, obligation in enumerate(ext.guanche_obligations or [], start=first + 1):
            obligation_id = f"{task_id}:O{number:02d}"
            ids.append(obligation_id)
            obligations.append(
                {
                    "doc_id": doc.doc_id,
                    "task_id": task_id,
                    "obligation_id": obligation_id,
                    "text": obligation.text,
                    "action": obligation.action,
                    "object": obligation.object,
                    "strength": obligation.strength,
                    "modal": obligation.modal,
                    "start": obligation.start + offset,
                    "end": obligation.end + offset,
                }
            )
        target_counts: dict[int, int] = {}
        for position, target in ext.guanche_targets or []:
            target_counts[position] = target_counts.get(position, 0) + 1
            obligation_id = ids[first + position]
            targets.append(
                {
                    "doc_id": doc.doc_id,
                    "task_id": task_id,
                    "obligation_id": obligation_id,
                    "target_id": f"{obligation_id}:G{target_counts[position]:02d}",
                    "kind": target.kind,
                    "value": target.value,
                    "unit_of_measure": target.unit_of_measure,
                    "comparator": target.comparator,
                    "anchor": target.anchor,
                    "due_date": target.due_date,
                    "text": target.text,
                    "start": target.start + offset,
                    "end": target.end + offset,
                }
            )
        for citation in ext.guanche_citations or []:
            citations.append(
                {
                    "doc_id": doc.doc_id,
                    "section_id": section_id,
                    "task_id": task_id,
                    "citation_id": f"{doc.doc_id}:C{len(citations) + 1:03d}",
                    "cited_title": citation.cited_title,
                    "kind": citation.kind,
                    "relation": citation.relation,
                    "doc_number": citation.doc_number,
                    "start": citation.start + offset,
                    "end": citation.end + offset,
                }
            )
    return {"obligations": obligations, "targets": targets, "citations": citations}


def commitment_tables(corpus: Corpus, rows_by_table: DocumentRows, settings: Settings) -> dict[str, pd.DataFrame]:
    """obligations, targets and citations tables, each in document and text order, from the rows
    of :func:`document_commitments` of every document; each citation resolved to the document of
    the run it names (``resolved_doc_id``)."""
    documents = corpus.tables.get("documents")
    if documents is None:
        documents = pd.DataFrame([doc.record for doc in corpus.documents], columns=["doc_id", "title", "doc_number"])
    index = TitleIndex(documents)
    rows = {name: rows_by_table.get(name, []) for name in ("obligations", "targets", "citations")}
    for citation in rows["citations"]:
        resolved = index.resolve(citation["cited_title"], doc_number=citation["doc_number"])
        citation["resolved_doc_id"] = resolved if resolved != citation["doc_id"] else None
    tables = {
        "obligations": make_table(rows["obligations"], OBLIGATION_COLUMNS),
        "targets": make_table(rows["targets"], TARGET_COLUMNS),
        "citations": make_table(rows["citations"], CITATION_COLUMNS),
    }
    tables["targets"]["value"] = tables["targets"]["value"].astype("Float64")
    for table in tables.values():
        for column in ("start", "end"):
            table[column] = table[column].astype("Int64")
    return tables
