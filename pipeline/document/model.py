"""The document model: a parsed document with its record, preamble, sections and tasks."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.ingest.source import SourceText


@dataclass(frozen=True)
class Section:
    """A heading above the task level. ``text`` holds body lines that sit under it directly."""

    doc_id: str
    section_id: str
    parent_id: str | None
    depth: int
    number: str
    title: str
    text: str = ""


@dataclass(frozen=True)
class Task:
    """A task of a plan or an article of a regulation, with its full text as written.

    ``start``/``end`` are character offsets of the task in the document's normalised text.
    """

    doc_id: str
    task_id: str
    section_id: str | None
    kind: str
    path: str
    number: str
    title: str
    text: str
    start: int
    end: int


@dataclass
class ParsedDocument:
    """One document: its record for the documents table, preamble, sections, tasks.

    ``extracted`` holds the rows that per-document extractors produced for it, by extractor
    name (see :func:`pipeline.stages.corpus.extracted`), so that they can be computed in the worker
    process that parsed the document.
    """

    doc_id: str
    source: SourceText
    record: dict
    preamble: str
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    extracted: dict[str, dict[str, list[dict]]] = field(default_factory=dict, repr=False)
