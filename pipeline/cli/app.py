"""The ``guanche`` command line. Errors become one line on stderr and a non-zero exit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline import __version__
from pipeline.api import stream_corpus
from pipeline.cascade.compare import compare_with_parents
from pipeline.cascade.diff import diff_documents, version_notes
from pipeline.cascade.parents import missing_parent_messages
from pipeline.cascade.reuse import trace_reuse
from pipeline.cli.skipped import no_document_error, skipped_files, skipped_note
from pipeline.cli.summary import (
    EXIT_INPUT_FAILED,
    EXIT_OUTPUT_FAILED,
    conclude,
    configure_output,
    err,
    notes,
    out,
    print_notes,
    print_summary,
    report_failures,
)
from pipeline.config import default_out_dir, default_raw_dir
from pipeline.errors import GuancheError, OutputError
from pipeline.ingest.discover import discover_inputs
from pipeline.outputs.diff_report import write_diff_outputs
from pipeline.outputs.graph import write_graph_files
from pipeline.outputs.labels import LabelLanguage
from pipeline.outputs.ledger import ledger_command
from pipeline.outputs.report import report_command
from pipeline.outputs.writer import OutputWriter, build_workbook, ensure_writable, write_outputs
from pipeline.stages.corpus import Corpus
from pipeline.stages.merging import merge_datasets
from pipeline.stages.registry import RUN_TABLES, STAGES, build_tables
from pipeline.stages.workers import WorkerPool, run_pool

app = typer.Typer(
    help="guanche (贯彻): tasks, responsible units, obligations and links to higher-level plans.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)


# the options of commands that write a run's outputs
WorkbookChoice = Annotated[
    Optional[bool],
    typer.Option(
        "--workbook/--no-workbook",
        help="Write guanche.xlsx always / never. Default: unless its sheets would hold over 300,000 rows.",
        show_default=False,
    ),
]
WorkbookLabels = Annotated[
    LabelLanguage,
    typer.Option("--labels", help="Column labels of guanche.xlsx: en (the table columns) or zh (中文)."),
]


def fail(error: GuancheError) -> None:
    """Print ``error`` as one line on stderr and exit 2 for output errors, 1 for input errors."""
    err.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OUTPUT_FAILED if isinstance(error, OutputError) else EXIT_INPUT_FAILED)


def show_version(value: bool) -> None:
    """``--version``: print guanche's version and exit."""
    if value:
        out.print(f"guanche {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=show_version, is_eager=True)
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="Also log each step on stderr (-vv: more).")
    ] = 0,
) -> None:
    """guanche (贯彻): read Chinese plans and regulations and show how they cascade."""
    configure_output(quiet=quiet, verbose=verbose)


@app.command()
def run(
    paths: Annotated[
        Optional[list[Path]], typer.Argument(help="Files or folders (recursive). Default: data/raw/")
    ] = None,
    out_dir: Annotated[
        Optional[Path],
        typer.Option("--out", help="Output folder. Default: data/processed/, or ./guanche-output/ for named PATHs"),
    ] = None,
    manifest: Annotated[Optional[Path], typer.Option("--manifest", help="Manifest TOML describing the inputs.")] = None,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: one per core for 50+ inputs."),
    ] = None,
    dask: Annotated[
        bool,
        typer.Option("--dask", help='Run on a local Dask cluster of --jobs workers (pip install "guanche[dask]").'),
    ] = False,
    scheduler: Annotated[
        Optional[str],
        typer.Option(
            "--scheduler", help="Run on the Dask cluster whose scheduler is at this address (tcp://host:8786)."
        ),
    ] = None,
    workbook: WorkbookChoice = None,
    labels: WorkbookLabels = LabelLanguage.en,
) -> None:
    """Read plans, extract tasks and units, link to parent plans, write tables."""
    try:
        out_dir = out_dir or default_out_dir(inputs_named=bool(paths))
        paths = paths or [default_raw_dir()]
        ensure_writable(out_dir)
        files = list(discover_inputs(paths))
        skipped = skipped_files(paths, found=files)
        if not files:
            raise no_document_error(paths, skipped)
        with _progress(disable=len(files) < 5) as progress:
            reading = progress.add_task("reading", total=len(files))
            # The workers parse the documents, whose rows go to the new outputs' dataset as
            # they come; then they write the tables' files while this process builds the later
            # stages and the graph files, and at the end the workbook's sheets. A remote
            # cluster's workers may not see the output folder, so this process writes them then.
            with (
                run_pool(jobs, len(files), dask=dask, scheduler=scheduler) as pool,
                OutputWriter(
                    out_dir, workbook=workbook, pool=None if scheduler else pool, labels=labels.value
                ) as writer,
            ):
                corpus, failures = stream_corpus(
                    paths,
                    writer.dataset,
                    manifest=manifest,
                    jobs=1,
                    pool=pool,
                    on_progress=lambda _: progress.advance(reading),
                )
                tables = _corpus_outputs(corpus, writer, progress, workers=pool)
    except GuancheError as error:
        fail(error)
    _run_summary(tables, corpus, out_dir, writer, extra_notes=[skipped_note(skipped)] if skipped else [])
    report_failures(failures, len(files))


def _progress(*, disable: bool) -> Progress:
    """The progress bars of a run on stderr (none when ``disable``), gone when it ends."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=notes,
        disable=disable,
        transient=True,
    )


def _corpus_outputs(
    corpus: Corpus, writer: OutputWriter, progress: Progress, *, workers: WorkerPool | None = None
) -> dict:
    """Build every table of the streamed ``corpus`` (the corpus stages' work spread over
    ``workers``, when given) and write them, its dataset and the graph files through ``writer``
    (nothing when the corpus has no document: the writer then publishes nothing); returns the
    tables. A step on ``progress`` per stage and one for the graph files,
    the last open while the workbook is built."""
    finishing = progress.add_task("tables, links and outputs", total=len(STAGES) + 1 + (writer.workbook is not False))
    if not corpus.doc_ids:
        writer.abandon()

    def add_tables(stage_tables: dict) -> None:
        if corpus.doc_ids:
            writer.add_tables(stage_tables)
        progress.advance(finishing)

    tables = build_tables(corpus, on_tables=add_tables, workers=workers)
    writer.add_dataset()
    writer.add_files(lambda folder: write_graph_files(folder, tables) if corpus.doc_ids else [])
    progress.advance(finishing)
    return tables


def _run_summary(
    tables: dict, corpus: Corpus, out_dir: Path | None, writer: OutputWriter, *, extra_notes: list[str]
) -> None:
    """Print the summary of a run or merge and its notes: duplicates read once (with
    ``extra_notes``), documents in several versions, parents not among the inputs."""
    print_summary(tables, out_dir if corpus.doc_ids else None, workbook_left_out=writer.workbook_left_out)
    print_notes(corpus.notes + extra_notes)
    print_notes(version_notes(tables["documents"]), more="more documents come in several versions")
    print_notes(
        missing_parent_messages(tables["parents"], tables["documents"]),
        more="more documents name parents that are not among the inputs (parents.csv, found = False)",
    )


@app.command()
def merge(
    runs: Annotated[list[Path], typer.Argument(help="Output folders of runs (or merges) to join.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder of the merged tables.")],
    workbook: WorkbookChoice = None,
    labels: WorkbookLabels = LabelLanguage.en,
) -> None:
    """Join separate runs' tables and link across them, without reading the documents again."""
    try:
        ensure_writable(out_dir)
        with (
            _progress(disable=not notes.is_terminal) as progress,
            OutputWriter(out_dir, workbook=workbook, labels=labels.value) as writer,
        ):
            corpus = merge_datasets(runs, writer.dataset)
            tables = _corpus_outputs(corpus, writer, progress)
    except GuancheError as error:
        fail(error)
    _run_summary(tables, corpus, out_dir, writer, extra_notes=[])


@app.command()
def workbook(
    out_dir: Annotated[Path, typer.Argument(help="The output folder of a run (its --out).")],
    labels: WorkbookLabels = LabelLanguage.en,
) -> None:
    """Build guanche.xlsx from a run's Parquet tables (for a run that left it out)."""
    try:
        path = build_workbook(out_dir, list(RUN_TABLES), labels=labels.value)
    except GuancheError as error:
        fail(error)
    out.print(f"workbook: {path}", markup=False, highlight=False, soft_wrap=True)


@app.command()
def reuse(
    plan: Annotated[Path, typer.Argument(help="The plan whose wording to trace.")],
    against: Annotated[Path, typer.Option("--against", help="Folder (or file) of possible sources.")],
    top: Annotated[int, typer.Option("--top", min=1, help="Sources kept per task.")] = 3,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", help="Also write the sources and passages tables here.")
    ] = None,
) -> None:
    """Rank where a plan's text comes from across a corpus, with the shared passages."""
    try:
        result = trace_reuse(plan, against, top_k=top)
        if out_dir is not None:
            write_outputs({"reuse_sources": result.sources, "reuse_passages": result.passages}, out_dir)
    except GuancheError as error:
        fail(error)
    conclude(result.summary, result.failures, outputs=out_dir)


@app.command()
def coverage(
    child: Annotated[Path, typer.Argument(help="The lower-level plan or regulation.")],
    parent: Annotated[Path, typer.Argument(help="Its parent document, or a folder of parents.")],
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", help="Output folder. Default: ./guanche-output/coverage/")
    ] = None,
) -> None:
    """Which parent directives the child takes up, which it leaves out, what it adds."""
    try:
        result = compare_with_parents(child, parent)
        out_dir = out_dir or default_out_dir(inputs_named=True) / "coverage"
        write_outputs(result.tables, out_dir)
    except GuancheError as error:
        fail(error)
    conclude(result.summary, result.failures, outputs=out_dir)


@app.command()
def report(
    paths: Annotated[
        Optional[list[Path]], typer.Argument(help="Files or folders (recursive). Default: data/raw/")
    ] = None,
    out_file: Annotated[
        Optional[Path],
        typer.Option("--out", help="Report file. Default: data/processed/report.html, or ./guanche-output/ for PATHs"),
    ] = None,
    manifest: Annotated[Optional[Path], typer.Option("--manifest", help="Manifest TOML describing the inputs.")] = None,
) -> None:
    """Write one self-contained HTML report (opens offline): tasks, units, targets, citations, coverage."""
    try:
        path, failures = report_command(paths, out_file, manifest)
    except GuancheError as error:
        fail(error)
    conclude(f"report: {path}", failures)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The older version of the document.")],
    new: Annotated[Path, typer.Argument(help="The newer version.")],
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", help="Output folder. Default: data/processed/diff/")
    ] = None,
) -> None:
    """What changed between two versions of one plan or regulation: tables, a summary and diff.html."""
    try:
        result = diff_documents(old, new)
        write_diff_outputs(result, out_dir or default_out_dir(inputs_named=True) / "diff")
    except GuancheError as error:
        fail(error)
    conclude(result.summary, result.failures)


@app.command()
def ledger(
    paths: Annotated[
        Optional[list[Path]], typer.Argument(help="Files or folders (recursive). Default: data/raw/")
    ] = None,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", help="Output folder. Default: data/processed/ledger/")
    ] = None,
) -> None:
    """Write the task-division ledger (任务分工台账): ledger.xlsx, a sheet per unit, and CSV."""
    try:
        written, failures = ledger_command(paths or [], out_dir)
    except GuancheError as error:
        fail(error)
    conclude(f"ledger: {written[-1]}", failures)
