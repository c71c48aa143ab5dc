"""Read every input of a run: find the files, give each a stable id, parse them (in worker
processes with ``--jobs N``) and run each stage's per-document part where the document is parsed.
A file that cannot be read becomes an :class:`InputFailure`; it never stops the others.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from pathlib import Path

from pipeline.document.manifest import Manifest, default_doc_id
from pipeline.document.model import ParsedDocument
from pipeline.document.structure import parse_document
from pipeline.errors import GuancheError
from pipeline.ingest.discover import discover_inputs
from pipeline.ingest.source import printable, read_source
from pipeline.stages.corpus import Corpus, InputFailure
from pipeline.stages.registry import extract_document
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
            if isinstance(parsed, InputFailure):
                failures.append(parsed)
            else:
                documents.append(parsed)
            if on_progress is not None:
                on_progress(path)
    parents = {
        doc.doc_id: entry.parents
        for doc in documents
        if (entry := manifest.entry_for(doc.source.path)) and entry.parents
    }
    documents.sort(key=lambda doc: doc.doc_id)
    return Corpus(documents, parents, notes=notes), failures
