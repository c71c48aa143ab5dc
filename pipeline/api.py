"""The one path from files to tables: read the inputs with their manifest, run the stages.

The command line, the report, ``guanche coverage`` / ``guanche reuse``, the notebooks and the
tests all call these functions. From Python::

    from pipeline import api
    tables = api.read("data/raw/")
    tables.tasks            # a pandas DataFrame, one row per task
    tables["task_units"]    # the same tables by name

:func:`read` raises :class:`~pipeline.errors.InputError` when no document could be read;
:func:`read_corpus` and :func:`build_tables` are its two halves, for callers (the command
line) that show progress or write outputs while the stages run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Settings
from pipeline.document.manifest import Manifest, resolve_manifest
from pipeline.document.model import ParsedDocument
from pipeline.errors import InputError
from pipeline.stages.corpus import Corpus, InputFailure
from pipeline.stages.reading import read_documents, stream_documents
from pipeline.stages.registry import build_tables

log = logging.getLogger(__name__)

STRUCTURE_ONLY = ("structure",)  # the stages a comparison of documents needs

__all__ = ["STRUCTURE_ONLY", "Tables", "build_tables", "read", "read_corpus", "single_document", "stream_corpus"]


class Tables(dict[str, pd.DataFrame]):
    """The tables of a run by name, each also an attribute (``tables.tasks``).

    ``failures`` lists the inputs that could not be read (the others were), ``notes`` the
    inputs read only once as duplicates.
    """

    def __init__(
        self, tables: dict[str, pd.DataFrame], *, failures: Iterable[InputFailure] = (), notes: Iterable[str] = ()
    ) -> None:
        super().__init__(tables)
        self.failures = list(failures)
        self.notes = list(notes)

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no table named {name!r}; tables: {', '.join(self)}") from None


def read_corpus(
    paths: Iterable[str | Path],
    *,
    manifest: str | Path | Manifest | None = None,
    jobs: int | None = None,
    pool: ProcessPoolExecutor | None = None,
    on_progress: Callable[[Path], None] | None = None,
    stages: Collection[str] | None = None,
    settings: Settings | None = None,
    require_documents: bool = True,
) -> tuple[Corpus, list[InputFailure]]:
    """Read every document under ``paths`` and build the tables of ``stages`` (default: none).

    The manifest is ``manifest`` when given (a file, or a :class:`Manifest`; ``Manifest()`` for
    none), else every manifest.toml beside the inputs. With a
    ``pool`` (:func:`pipeline.stages.workers.worker_pool`) its workers parse the documents;
    ``on_progress`` is called once for every input found. Returns the corpus (tables in
    ``corpus.tables``) and the inputs that could not be read. Raises :class:`InputError` when a
    manifest cannot be read, and, unless ``require_documents`` is false, when no document could
    be read (naming the first failure, if any).
    """
    inputs = [Path(path) for path in paths]
    corpus, failures = read_documents(inputs, _manifest_for(inputs, manifest), on_progress, jobs, pool=pool)
    log.info("read %d document(s); %d input(s) could not be read", len(corpus.documents), len(failures))
    if require_documents and not corpus.documents:
        if failures:
            raise InputError(None, failures[0].message)
        raise InputError(
            ", ".join(map(str, paths)) or None,
            "no readable document found",
            "check the path and the file types (.txt .md .html .docx .pdf)",
        )
    if stages:
        build_tables(corpus, settings, only=stages)
    return corpus, failures


def stream_corpus(
    paths: Iterable[str | Path],
    dataset: Path,
    *,
    manifest: str | Path | Manifest | None = None,
    jobs: int | None = None,
    pool: ProcessPoolExecutor | None = None,
    on_progress: Callable[[Path], None] | None = None,
) -> tuple[Corpus, list[InputFailure]]:
    """Read every document under ``paths`` as :func:`read_corpus` does (``jobs``, ``pool`` as
    there), but keep none: their
    per-document rows go to the dataset folder ``dataset`` as they are read, and
    :func:`build_tables` reads them from there. Returns the streamed corpus (no documents held;
    ``corpus.doc_ids`` those read) and the inputs that could not be read. Raises
    :class:`InputError` when a manifest cannot be read, OSError when the dataset cannot be
    written."""
    inputs = [Path(path) for path in paths]
    corpus, failures = stream_documents(inputs, _manifest_for(inputs, manifest), dataset, on_progress, jobs, pool=pool)
    log.info("read %d document(s); %d input(s) could not be read", len(corpus.doc_ids), len(failures))
    return corpus, failures


def _manifest_for(inputs: list[Path], manifest: str | Path | Manifest | None) -> Manifest:
    """``manifest`` when it is one, else the manifest file it names, else every manifest.toml
    beside the ``inputs``. Raises :class:`InputError` when one cannot be read."""
    if isinstance(manifest, Manifest):
        return manifest
    return resolve_manifest(inputs, Path(manifest) if manifest else None)


def read(
    paths: str | Path | Iterable[str | Path],
    *,
    manifest: str | Path | Manifest | None = None,
    jobs: int | None = None,
    linker: dict[str, Any] | None = None,
) -> Tables:
    """Read every document under ``paths`` (files or folders) and build all tables.

    ``linker`` holds :class:`~pipeline.cascade.linker.DirectiveLinker` parameters for the cascade
    stage. Returns the :class:`Tables`; raises :class:`InputError` when no document could be read.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    corpus, failures = read_corpus(paths, manifest=manifest, jobs=jobs)
    tables = build_tables(corpus, Settings(linker=dict(linker or {})))
    return Tables(tables, failures=failures, notes=corpus.notes)


def single_document(corpus: Corpus, path: str | Path) -> ParsedDocument:
    """The one document read from ``path``; raises :class:`InputError` when it held several."""
    if len(corpus.documents) > 1:
        raise InputError(
            path,
            f"holds {len(corpus.documents)} documents, not one plan",
            "give the path of a single plan or regulation file",
        )
    return corpus.documents[0]
