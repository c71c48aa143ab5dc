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

For notebooks and scripts, everything else a researcher needs is here too, so that nothing
is imported from the modules behind it:

- the shipped example: :func:`example_plan` (the county plan's folder, package data);
- parents declared in code: :func:`declare_parents` (a :class:`Manifest` for ``read``);
- the views, each taking the tables and returning a DataFrame (``None`` when the run lacks the
  table it reads): :func:`task_assignments`, :func:`workload_by_unit`, :func:`co_leadership`,
  :func:`commitment_strength`, :func:`targets_and_deadlines`, :func:`citation_resolutions`,
  :func:`declared_parents`, :func:`missing_parents`, :func:`coverage_summary`,
  :func:`coverage_by_section`, :func:`coverage_by_child`, :func:`coverage_gaps`,
  :func:`local_addition_tasks`, :func:`link_evidence`; and :func:`document_titles`;
- the graph: :func:`build_graph` (networkx), :func:`task_unit_graph`;
- writing what ``guanche run`` writes: :func:`write`; the evidence as HTML: :func:`side_by_side`;
- charts that show Chinese: :func:`use_cjk_font` (matplotlib).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Settings
from pipeline.document.manifest import Manifest, ManifestEntry, resolve_manifest
from pipeline.document.model import ParsedDocument
from pipeline.errors import InputError
from pipeline.outputs.graph import build_graph, task_unit_graph, write_graph_files
from pipeline.outputs.views import (
    citation_resolutions,
    co_leadership,
    commitment_strength,
    coverage_by_child,
    coverage_by_section,
    coverage_gaps,
    coverage_summary,
    declared_parents,
    document_titles,
    link_evidence,
    local_addition_tasks,
    missing_parents,
    targets_and_deadlines,
    task_assignments,
    workload_by_unit,
)
from pipeline.outputs.writer import OutputWriter
from pipeline.stages.corpus import Corpus, InputFailure
from pipeline.stages.reading import read_documents, stream_documents
from pipeline.stages.registry import build_tables
from pipeline.stages.workers import WorkerPool

log = logging.getLogger(__name__)

STRUCTURE_ONLY = ("structure",)  # the stages a comparison of documents needs

__all__ = [
    "STRUCTURE_ONLY",
    "Manifest",
    "Tables",
    "build_graph",
    "build_tables",
    "citation_resolutions",
    "co_leadership",
    "commitment_strength",
    "coverage_by_child",
    "coverage_by_section",
    "coverage_gaps",
    "coverage_summary",
    "declare_parents",
    "declared_parents",
    "document_titles",
    "example_plan",
    "link_evidence",
    "local_addition_tasks",
    "missing_parents",
    "read",
    "read_corpus",
    "side_by_side",
    "single_document",
    "stream_corpus",
    "targets_and_deadlines",
    "task_assignments",
    "task_unit_graph",
    "use_cjk_font",
    "workload_by_unit",
    "write",
]


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
    pool: WorkerPool | None = None,
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
    pool: WorkerPool | None = None,
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


EXAMPLES = "pipeline.examples"  # the package whose data holds the shipped example inputs


def example_plan() -> Path:
    """The folder of the shipped county plan (阿拉善左旗2024年法治政府建设工作计划, 26 tasks) with
    its manifest.toml, wherever guanche is installed: ``api.read(api.example_plan())``.

    The files are package data of :mod:`pipeline.examples` (the same files as the repository's
    data/raw/), found through importlib.resources, never through a path computed from the
    repository. Raises FileNotFoundError when the package is not installed as files (a zip).
    """
    folder = files(EXAMPLES).joinpath("county")
    if not isinstance(folder, Path) or not folder.is_dir():
        raise FileNotFoundError(f"the example plan of {EXAMPLES} is not a folder on disk ({folder})")
    return folder


def declare_parents(parents: Mapping[str, Iterable[str]]) -> Manifest:
    """A manifest that gives each document the parents named for it, for ``read(..., manifest=)``.

    Keys are doc_ids (a file's name without its extension, when no manifest names it), values
    the parents' doc_ids or titles. The parents its text names as its basis count too; a
    document given here is no longer matched to parents by jurisdiction and topic.
    """
    return Manifest([ManifestEntry(doc_id, None, parents=tuple(named)) for doc_id, named in parents.items()])


def write(tables: Mapping[str, pd.DataFrame], out_dir: str | Path, *, workbook: bool = True) -> list[Path]:
    """Write what ``guanche run`` writes for ``tables`` into ``out_dir``: every table as CSV and
    Parquet, the graph files (GraphML, GEXF, the Gephi CSV pairs) and, unless ``workbook`` is
    false, guanche.xlsx. The files replace the folder's previous outputs as one set.

    Returns the paths written; raises :class:`~pipeline.errors.OutputError` when the folder
    cannot be written (its previous outputs are then kept).
    """
    tables = dict(tables)
    with OutputWriter(Path(out_dir), workbook=workbook) as writer:
        writer.add_tables(tables)
        writer.add_files(lambda folder: write_graph_files(folder, tables))
    return writer.paths


def side_by_side(pairs: pd.DataFrame) -> str:
    """HTML of links with the child's text beside the parent directive's, their shared wording
    marked, as in the report; ``pairs`` holds rows of :func:`link_evidence`."""
    from pipeline.outputs.report import side_by_side as rendered  # the report reads through this module

    return rendered(pairs)


def use_cjk_font() -> str | None:
    """Make matplotlib draw text with an installed CJK font, so that charts show Chinese; return
    the font's family name.

    Without one it warns (:class:`~pipeline.outputs.fonts.MissingCJKFontWarning`, saying how to
    install fonts-noto-cjk) and returns None. Needs matplotlib (the ``dev`` extra); raises
    ImportError without it.
    """
    from pipeline.outputs.fonts import use_cjk_font as use  # matplotlib only when charts are drawn

    return use()
