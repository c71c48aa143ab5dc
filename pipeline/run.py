"""The main job: read inputs, parse them, run every table-building stage, write the outputs.

Stages are small callables named in one registry (:data:`STAGES`), run in order; each takes
the :class:`Corpus` and returns the tables it builds, which later stages can read from
``corpus.tables``.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pandas as pd

from pipeline.assign import document_units, unit_tables
from pipeline.cascade import cascade_tables
from pipeline.commitments import commitment_pipeline, commitment_tables, document_commitments
from pipeline.corpus import Corpus, DocumentRows, InputFailure, extracted
from pipeline.errors import GuancheError
from pipeline.ingest import discover_inputs, read_source
from pipeline.manifest import Manifest, default_doc_id, find_manifests, load_manifest
from pipeline.structure import ParsedDocument, parse_document
from pipeline.tables import make_table


DOCUMENT_COLUMNS = [
    "doc_id", "title", "issuer", "level", "region", "year", "issued_on", "published_on",
    "doc_number", "parents", "source_path", "sha256", "encoding", "n_chars",
]
SECTION_COLUMNS = ["doc_id", "section_id", "parent_id", "depth", "number", "title", "text"]
PARENT_SEPARATOR = "; "  # between the manifest's parents in the documents table
TASK_COLUMNS = [
    "doc_id", "task_id", "section_id", "kind", "path", "number", "title", "text", "start", "end",
]


def structure_tables(corpus: Corpus) -> dict[str, pd.DataFrame]:
    """documents, sections and tasks tables: documents by doc_id, the rest in text order."""
    documents = make_table([
        {**doc.record, "parents": PARENT_SEPARATOR.join(corpus.declared_parents.get(doc.doc_id, ()))}
        for doc in corpus.documents
    ], DOCUMENT_COLUMNS)
    documents["year"] = documents["year"].astype("Int64")
    sections = make_table([s.__dict__ for doc in corpus.documents for s in doc.sections], SECTION_COLUMNS)
    tasks = make_table([t.__dict__ for doc in corpus.documents for t in doc.tasks], TASK_COLUMNS)
    return {"documents": documents, "sections": sections, "tasks": tasks}


Stage = Callable[[Corpus], dict[str, pd.DataFrame]]
STAGES: dict[str, Stage] = {
    "structure": structure_tables,
    "units": unit_tables,
    "commitments": commitment_tables,
    "cascade": cascade_tables,
}


PARALLEL_FROM = 50  # inputs; below this, worker start-up costs more than it saves
PARSE_CHUNK = 12  # files sent to a worker at once: fewer round trips, still an even share at the end


# Per-document extractors, run where the document is parsed (in a worker with --jobs N); the
# stages in STAGES assemble their rows into tables.
DOCUMENT_EXTRACTORS: dict[str, Callable[[ParsedDocument], DocumentRows]] = {
    "units": document_units,
    "commitments": document_commitments,
}


def parse_file(path: Path, doc_id: str, overrides: dict | None) -> ParsedDocument | InputFailure:
    """Read, parse and extract one file; a problem comes back as an :class:`InputFailure`."""
    try:
        doc = parse_document(read_source(path), doc_id, overrides)
        for name, extractor in DOCUMENT_EXTRACTORS.items():
            extracted(doc, name, extractor)
        return doc
    except GuancheError as error:
        return InputFailure(path, str(error))
    except Exception as error:  # a reader bug must not lose the other documents
        return InputFailure(path, f"{path}: could not be read ({type(error).__name__}: {error}) — "
                                  "please report this file to the guanche developers")


def _file_digest(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it cannot be read (read_source will say why)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def plan_inputs(files: list[Path], manifest: Manifest) -> tuple[list[Path], list[str], list[str]]:
    """The files to read, each with a unique doc id, and notes on the inputs read only once.

    Ids come from the manifest or the file name; files that would share an id get a content hash.
    A file named twice, or a byte-identical copy of an earlier input, is read once (with a note),
    so that no document appears twice in the tables.
    """
    seen_paths: set[Path] = set()
    seen_content: dict[str, Path] = {}
    kept, digests, notes = [], [], []
    for path in files:
        if path.resolve() in seen_paths:
            continue
        seen_paths.add(path.resolve())
        digest = _file_digest(path) if path.is_file() else None
        if digest is not None and digest in seen_content:
            notes.append(f"{path}: same content as {seen_content[digest]} — read once")
            continue
        if digest is not None:
            seen_content[digest] = path
        kept.append(path)
        digests.append(digest)
    ids = []
    for path in kept:
        entry = manifest.entry_for(path)
        ids.append(entry.doc_id if entry and entry.doc_id else default_doc_id(path))
    counts = Counter(ids)
    ids = [f"{doc_id}-{digest[:8]}" if counts[doc_id] > 1 and digest else doc_id
           for doc_id, digest in zip(ids, digests)]
    return kept, ids, notes


def worker_count(jobs: int | None, n_inputs: int) -> int:
    """The worker processes to use: ``jobs`` if given, else one per core from 50 inputs up; never
    more than there are inputs, never fewer than one."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if n_inputs >= PARALLEL_FROM else 1
    return max(1, min(jobs, n_inputs))


@contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """``jobs`` worker processes for parsing documents and writing sheets, or None for one job.

    The extraction pipeline is loaded first, here: on Linux, the workers are forked and share it
    instead of each loading it (elsewhere they start afresh, the system's default). Everything
    loaded is frozen out of the garbage collector while the pool lives, as Python's manual
    advises before a fork: the workers' collections then leave the shared pages untouched
    (2–5% faster on 204 and 1,020 documents).
    """
    if jobs <= 1:
        yield None
        return
    commitment_pipeline()
    fork = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    gc.freeze()
    try:
        with ProcessPoolExecutor(jobs, mp_context=fork, initializer=_ignore_interrupts) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the run's own process, which then stops them in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def read_documents(
    paths: Iterable[str | Path],
    manifest: Manifest,
    on_progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    *,
    pool: ProcessPoolExecutor | None = None,
) -> tuple[Corpus, list[InputFailure]]:
    """Read and parse every input, in ``jobs`` worker processes; collect failures, never stop.

    ``jobs=None`` uses one process per core when there are at least 50 inputs, else one. With a
    ``pool`` (:func:`worker_pool`), its workers parse and ``jobs`` is not used.
    ``on_progress`` is called once for every input found: as it is read, or at once for a
    duplicate that is not read again. Returns the corpus of documents that could be read,
    sorted by doc_id so that results do not depend on the order files are found in or finish in
    (``corpus.notes`` says which inputs were read once as duplicates), and the failures in input
    order.
    """
    inputs = list(discover_inputs(paths))
    files, ids, notes = plan_inputs(inputs, manifest)
    if on_progress is not None:
        unread = Counter(inputs) - Counter(files)
        for path in unread.elements():
            on_progress(path)
    overrides = [(entry.overrides if (entry := manifest.entry_for(path)) else None) for path in files]
    documents: list[ParsedDocument] = []
    failures: list[InputFailure] = []
    with nullcontext(pool) if pool is not None else worker_pool(worker_count(jobs, len(files))) as workers:
        mapper = workers.map if workers is not None else map
        chunk = {"chunksize": PARSE_CHUNK} if workers is not None else {}
        for path, parsed in zip(files, mapper(parse_file, files, ids, overrides, **chunk)):
            (failures if isinstance(parsed, InputFailure) else documents).append(parsed)
            if on_progress is not None:
                on_progress(path)
    parents = {
        doc.doc_id: entry.parents
        for doc in documents
        if (entry := manifest.entry_for(doc.source.path)) and entry.parents
    }
    documents.sort(key=lambda doc: doc.doc_id)
    return Corpus(documents, parents, notes=notes), failures


def build_tables(
    corpus: Corpus, on_tables: Callable[[dict[str, pd.DataFrame]], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run every stage of :data:`STAGES` in order; return all tables by name.

    ``on_tables`` receives each stage's tables as soon as they are built (the output writer
    starts on them while later stages run).
    """
    for stage in STAGES.values():
        tables = stage(corpus)
        corpus.tables.update(tables)
        if on_tables is not None:
            on_tables(tables)
    return corpus.tables


def resolve_manifest(paths: list[Path], manifest_path: Path | None) -> Manifest:
    """The manifest given with --manifest, else every manifest.toml beside the inputs."""
    return load_manifest(manifest_path) if manifest_path else find_manifests(paths)
