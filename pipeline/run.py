"""The main job: read inputs, parse them, run every table-building stage, write the outputs.

Stages are small callables named in one registry (:data:`STAGES`), run in order; each takes
the :class:`Corpus` and returns the tables it builds, which later stages can read from
``corpus.tables``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import GuancheError
from pipeline.ingest import discover_inputs, read_source
from pipeline.manifest import Manifest, default_doc_id, find_manifests, load_manifest
from pipeline.structure import ParsedDocument, parse_document
from pipeline.tables import make_table


@dataclass
class Corpus:
    """All documents of one run, their manifest-declared parents, and the tables built so far."""

    documents: list[ParsedDocument]
    declared_parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class InputFailure:
    """An input that could not be read, with the one-line reason."""

    path: Path
    message: str


DOCUMENT_COLUMNS = [
    "doc_id", "title", "issuer", "level", "region", "year", "issued_on", "published_on",
    "doc_number", "parents", "source_path", "sha256", "encoding", "n_chars",
]
SECTION_COLUMNS = ["doc_id", "section_id", "parent_id", "depth", "number", "title", "text"]
TASK_COLUMNS = [
    "doc_id", "task_id", "section_id", "kind", "path", "number", "title", "text", "start", "end",
]


def structure_tables(corpus: Corpus) -> dict[str, pd.DataFrame]:
    """documents, sections and tasks tables: documents by doc_id, the rest in text order."""
    documents = make_table([
        {**doc.record, "parents": "; ".join(corpus.declared_parents.get(doc.doc_id, ()))}
        for doc in corpus.documents
    ], DOCUMENT_COLUMNS)
    documents["year"] = documents["year"].astype("Int64")
    sections = make_table([s.__dict__ for doc in corpus.documents for s in doc.sections], SECTION_COLUMNS)
    tasks = make_table([t.__dict__ for doc in corpus.documents for t in doc.tasks], TASK_COLUMNS)
    return {"documents": documents, "sections": sections, "tasks": tasks}


Stage = Callable[[Corpus], dict[str, pd.DataFrame]]
STAGES: dict[str, Stage] = {
    "structure": structure_tables,
}


def read_documents(
    paths: Iterable[str | Path],
    manifest: Manifest,
    on_progress: Callable[[Path], None] | None = None,
) -> tuple[Corpus, list[InputFailure]]:
    """Read and parse every input; collect failures instead of stopping at the first.

    Returns the corpus of documents that could be read, sorted by doc_id so that results do not
    depend on the order files are found in, and the failures in input order.
    """
    documents: list[ParsedDocument] = []
    failures: list[InputFailure] = []
    parents: dict[str, tuple[str, ...]] = {}
    used_ids: set[str] = set()
    for path in discover_inputs(paths):
        try:
            source = read_source(path)
            entry = manifest.entry_for(path)
            doc_id = (entry.doc_id if entry and entry.doc_id else None) or default_doc_id(path)
            if doc_id in used_ids:
                doc_id = f"{doc_id}-{source.sha256[:8]}"
            used_ids.add(doc_id)
            documents.append(parse_document(source, doc_id, entry.overrides if entry else None))
            if entry and entry.parents:
                parents[doc_id] = entry.parents
        except GuancheError as error:
            failures.append(InputFailure(path, str(error)))
        except Exception as error:  # a reader bug must not lose the other documents
            failures.append(InputFailure(
                path, f"{path}: could not be read ({type(error).__name__}: {error}) — "
                      "please report this file to the guanche developers"))
        if on_progress is not None:
            on_progress(path)
    documents.sort(key=lambda doc: doc.doc_id)
    return Corpus(documents, parents), failures


def build_tables(corpus: Corpus) -> dict[str, pd.DataFrame]:
    """Run every stage of :data:`STAGES` in order; return all tables by name."""
    for stage in STAGES.values():
        corpus.tables.update(stage(corpus))
    return corpus.tables


def resolve_manifest(paths: list[Path], manifest_path: Path | None) -> Manifest:
    """The manifest given with --manifest, else every manifest.toml beside the inputs."""
    return load_manifest(manifest_path) if manifest_path else find_manifests(paths)
