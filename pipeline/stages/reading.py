"""Read every input of a run: find the files, give each a stable id, parse them (in worker
processes with ``--jobs N``) and run each stage's per-document part where the document is parsed.
A file that cannot be read becomes an :class:`InputFailure`; it never stops the others.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from pipeline.document.manifest import Manifest, default_doc_id
from pipeline.document.model import ParsedDocument
from pipeline.document.structure import parse_document
from pipeline.errors import GuancheError
from pipeline.ingest.discover import discover_inputs
from pipeline.ingest.source import printable, read_source
from pipeline.outputs.dataset import DatasetWriter, iter_rows
from pipeline.stages.corpus import Corpus, DocumentRows, InputFailure
from pipeline.stages.registry import document_rows, extract_document
from pipeline.stages.workers import WorkerPool, worker_count, worker_pool

PARSE_CHUNK = 12  # files sent to a worker at once: fewer round trips, still an even share at the end


def parse_file(path: Path, doc_id: str, overrides: dict | None) -> ParsedDocument | InputFailure:
    """Read, parse and extract one file; returns the document, or an :class:`InputFailure` for a
    problem (never raises for a bad file)."""
    try:
        return extract_document(parse_document(read_source(path), doc_id, overrides))
    except GuancheError as error:
        return InputFailure(path, str(error))
    except Exception as error:  # a reader bug must not lose the other documents
        return InputFailure(
            path,
            f"{printable(path)}: could not be read ({type(error).__name__}: {error}) — "
            "please report this file to the guanche developers",
        )


def _file_digest(path: Path) -> str | None:
    """sha256 of a regular file's bytes, or None for anything else or a file that cannot be read
    (read_source will say why; a FIFO is never opened, so it cannot block the run)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _input_order(path: Path, manifest: Manifest) -> tuple[bool, bytes]:
    """The sort key of an input: the files a manifest describes first, then by the path's bytes
    (a total order, names not valid UTF-8 too)."""
    return manifest.entry_for(path) is None, os.fsencode(path)


def plan_inputs(files: list[Path], manifest: Manifest) -> tuple[list[Path], list[str], list[str]]:
    """The files to read, in :func:`_input_order`, each with a unique doc id, and notes on the inputs read
    only once.

    Ids come from the manifest or the file name; files that would share an id get a content hash.
    A file named twice, or a byte-identical copy of another input, is read once (with a note)
    under the path a manifest describes, else the first of its paths in path order, so that no
    document appears twice in the tables and the outputs do not depend on the order the inputs
    were given in.
    """
    seen_paths: set[str] = set()
    seen_content: dict[str, Path] = {}
    kept, digests, notes = [], [], []
    for path in sorted(files, key=lambda path: _input_order(path, manifest)):
        real = os.path.realpath(path)  # never raises, a link loop included
        if real in seen_paths:
            continue
        seen_paths.add(real)
        digest = _file_digest(path)
        if digest is not None and digest in seen_content:
            notes.append(f"{printable(path)}: same content as {printable(seen_content[digest])} — read once")
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
    ids = [
        f"{doc_id}-{digest[:8]}" if counts[doc_id] > 1 and digest else doc_id for doc_id, digest in zip(ids, digests)
    ]
    return kept, ids, notes


def extract_file(path: Path, doc_id: str, overrides: dict | None) -> DocumentRows | InputFailure:
    """Read, parse and extract one file; returns the rows of every per-document table
    (:func:`document_rows`), or an :class:`InputFailure` for a problem (never raises for a bad
    file). What a streamed run sends back from its workers: rows, not the document."""
    parsed = parse_file(path, doc_id, overrides)
    return parsed if isinstance(parsed, InputFailure) else document_rows(parsed)


Parser = Callable[[Path, str, "dict | None"], Any]


def _parsed_inputs(
    parser: Parser,
    paths: Iterable[str | Path],
    manifest: Manifest,
    on_progress: Callable[[Path], None] | None,
    jobs: int | None,
    pool: WorkerPool | None,
) -> tuple[Iterator[tuple[Path, Any]], list[str]]:
    """Every input to read with what ``parser`` made of it, in input order (a lazy iterator,
    parsing while it is consumed), and the notes on inputs read only once
    (:func:`plan_inputs`). ``on_progress`` is called once for every input found: at once for a
    duplicate, else as its result is taken from the iterator."""
    inputs = list(discover_inputs(paths))
    files, ids, notes = plan_inputs(inputs, manifest)
    if on_progress is not None:
        unread = Counter(inputs) - Counter(files)
        for path in unread.elements():
            on_progress(path)
    overrides = [(entry.overrides if (entry := manifest.entry_for(path)) else None) for path in files]

    def parsed() -> Iterator[tuple[Path, Any]]:
        with nullcontext(pool) if pool is not None else worker_pool(worker_count(jobs, len(files))) as workers:
            mapper = workers.map if workers is not None else map
            chunk = {"chunksize": PARSE_CHUNK} if workers is not None else {}
            for path, result in zip(files, mapper(parser, files, ids, overrides, **chunk)):
                yield path, result
                if on_progress is not None:
                    on_progress(path)

    return parsed(), notes


def _declared_parents(manifest: Manifest, read: Iterable[tuple[Path, str]]) -> dict[str, tuple[str, ...]]:
    """The parents the manifest declares for the documents ``read`` (path, doc_id), by doc_id."""
    return {doc_id: entry.parents for path, doc_id in read if (entry := manifest.entry_for(path)) and entry.parents}


def read_documents(
    paths: Iterable[str | Path],
    manifest: Manifest,
    on_progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    *,
    pool: WorkerPool | None = None,
) -> tuple[Corpus, list[InputFailure]]:
    """Read and parse every input, in ``jobs`` worker processes; collect failures, never stop.

    ``jobs=None`` uses one process per core when there are at least 50 inputs, else one. With a
    ``pool`` (:func:`worker_pool`), its workers parse and ``jobs`` is not used.
    ``on_progress`` is called once for every input found: as it is read, or at once for a
    duplicate that is not read again. Returns the corpus of documents that could be read,
    sorted by doc_id so that results do not depend on the order files are given, found or finish
    in (``corpus.notes`` says which inputs were read once as duplicates), and the failures in
    path order.
    """
    parsed, notes = _parsed_inputs(parse_file, paths, manifest, on_progress, jobs, pool)
    documents: list[ParsedDocument] = []
    failures: list[InputFailure] = []
    for _, result in parsed:
        (failures if isinstance(result, InputFailure) else documents).append(result)
    parents = _declared_parents(manifest, ((doc.source.path, doc.doc_id) for doc in documents))
    documents.sort(key=lambda doc: doc.doc_id)
    return Corpus(documents, parents, notes=notes), failures


def stream_documents(
    paths: Iterable[str | Path],
    manifest: Manifest,
    dataset: Path,
    on_progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    *,
    pool: WorkerPool | None = None,
) -> tuple[Corpus, list[InputFailure]]:
    """Read, parse and extract every input, as :func:`read_documents` does (``jobs`` and
    ``pool`` as there), but keep no
    document: each one's rows go to the dataset folder ``dataset`` (:class:`DatasetWriter`) as
    it is read. Returns the streamed corpus (its ``dataset`` and ``doc_ids``, sorted) and the
    failures in path order. Raises OSError when the dataset cannot be written."""
    parsed, notes = _parsed_inputs(extract_file, paths, manifest, on_progress, jobs, pool)
    writer = DatasetWriter(dataset)
    failures: list[InputFailure] = []
    for path, result in parsed:
        if isinstance(result, InputFailure):
            failures.append(result)
            continue
        entry = manifest.entry_for(path)
        result["documents"][0]["parents"] = list(entry.parents if entry else ())  # so that a merge knows them
        writer.add(result)
    writer.close()
    return streamed_corpus(dataset, notes=notes), failures


def streamed_corpus(dataset: Path, *, notes: list[str] | None = None) -> Corpus:
    """The corpus whose documents' rows are the dataset folder ``dataset``: its doc ids (sorted)
    and the parents its documents declare, from the dataset's documents table."""
    records = list(iter_rows(dataset, "documents"))
    parents = {record["doc_id"]: tuple(record["parents"]) for record in records if record.get("parents")}
    doc_ids = sorted(record["doc_id"] for record in records)
    return Corpus([], parents, notes=list(notes or []), dataset=dataset, doc_ids=doc_ids)
