"""The ``guanche`` command line. Errors become one line on stderr and a non-zero exit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline.assign import unit_workload, unresolved_units
from pipeline.cascade import coverage as parent_coverage
from pipeline.cascade import reuse as reuse_sources
from pipeline.errors import GuancheError, OutputError
from pipeline.export import OutputWriter, ensure_writable, write_outputs
from pipeline.graph import write_graph_files
from pipeline.ingest import discover_inputs
from pipeline.parents import missing_parent_messages
from pipeline.paths import default_out_dir, default_raw_dir
from pipeline.report import report_command
from pipeline.run import STAGES, build_tables, read_documents, resolve_manifest, worker_count, worker_pool

app = typer.Typer(
    help="guanche (贯彻): tasks, responsible units, obligations and links to higher-level plans.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

LISTED = 10  # documents and notes printed in the run summary; the tables hold all of them
EXIT_INPUT_FAILED = 1  # an input (document, manifest) could not be read
EXIT_OUTPUT_FAILED = 2  # outputs could not be written


def fail(error: GuancheError) -> None:
    """Print ``error`` as one line on stderr and exit 2 for output errors, 1 for input errors."""
    err.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_OUTPUT_FAILED if isinstance(error, OutputError) else EXIT_INPUT_FAILED)


@app.callback()
def main() -> None:
    """guanche (贯彻): read Chinese plans and regulations and show how they cascade."""


@app.command()
def run(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (recursive). Default: data/raw/")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Output folder. Default: data/processed/")] = None,
    manifest: Annotated[Optional[Path], typer.Option("--manifest", help="Manifest TOML describing the inputs.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: one per core for 50+ inputs.")] = None,
    workbook: Annotated[bool, typer.Option("--workbook/--no-workbook", help="Also write guanche.xlsx (slow for big corpora).")] = True,
) -> None:
    """Read plans, extract tasks and units, link to parent plans, write tables."""
    paths = paths or [default_raw_dir()]
    out_dir = out_dir or default_out_dir()
    try:
        ensure_writable(out_dir)
        manifest_data = resolve_manifest(paths, manifest)
        files = list(discover_inputs(paths))
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=err, disable=len(files) < 5, transient=True,
        ) as progress:
            reading = progress.add_task("reading", total=len(files))
            # The workers parse the documents, then write the workbook's sheets while this
            # process builds the later stages and the graph files.
            with worker_pool(worker_count(jobs, len(files))) as pool:
                corpus, failures = read_documents(files, manifest_data, lambda _: progress.advance(reading),
                                                  jobs=1, pool=pool)
                # then a step per stage and one for the graph files; the last stays open while
                # the workbook is finished
                finishing = progress.add_task("tables, links and outputs", total=len(STAGES) + 1 + workbook)
                if corpus.documents:
                    with OutputWriter(out_dir, workbook=workbook, pool=pool) as writer:
                        def add_tables(stage_tables: dict) -> None:
                            writer.add_tables(stage_tables)
                            progress.advance(finishing)

                        tables = build_tables(corpus, on_tables=add_tables)
                        writer.add_files(lambda folder: write_graph_files(folder, tables))
                        progress.advance(finishing)
                else:
                    tables = build_tables(corpus)
    except GuancheError as error:
        fail(error)
    print_summary(tables, out_dir if corpus.documents else None)
    print_notes(corpus.notes)
    print_notes(missing_parent_messages(tables["parents"], tables["documents"]),
                more="more documents name parents that are not among the inputs (parents.csv, found = False)")
    report_failures(failures, len(files))


@app.command()
def reuse(
    plan: Annotated[Path, typer.Argument(help="The plan whose wording to trace.")],
    against: Annotated[Path, typer.Option("--against", help="Folder (or file) of possible sources.")],
    top: Annotated[int, typer.Option("--top", min=1, help="Sources kept per task.")] = 3,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Also write the sources and passages tables here.")] = None,
) -> None:
    """Rank where a plan's text comes from across a corpus, with the shared passages."""
    try:
        result = reuse_sources(plan, against, top_k=top)
        if out_dir is not None:
            write_outputs({"reuse_sources": result.sources, "reuse_passages": result.passages}, out_dir)
    except GuancheError as error:
        fail(error)
    conclude(result.summary, result.failures)


@app.command()
def coverage(
    child: Annotated[Path, typer.Argument(help="The lower-level plan or regulation.")],
    parent: Annotated[Path, typer.Argument(help="Its parent document, or a folder of parents.")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Output folder. Default: data/processed/coverage/")] = None,
) -> None:
    """Which parent directives the child takes up, which it leaves out, what it adds."""
    try:
        result = parent_coverage(child, parent)
        write_outputs(result.tables, out_dir or default_out_dir() / "coverage")
    except GuancheError as error:
        fail(error)
    conclude(result.summary, result.failures)


@app.command()
def report(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (recursive). Default: data/raw/")] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Report file. Default: data/processed/report.html")] = None,
    manifest: Annotated[Optional[Path], typer.Option("--manifest", help="Manifest TOML describing the inputs.")] = None,
) -> None:
    """Write one self-contained HTML report (opens offline): tasks, units, targets, citations, coverage."""
    try:
        path, failures = report_command(paths, out_file, manifest)
    except GuancheError as error:
        fail(error)
    conclude(f"report: {path}", failures)


def conclude(summary: str, failures: list) -> None:
    """Print a command's summary, then the inputs that could not be read (exit 1 if any)."""
    out.print(summary, markup=False, highlight=False, soft_wrap=True)
    report_failures(failures, len(failures) + 1)


def report_failures(failures: list, n_inputs: int) -> None:
    """List inputs that could not be read, one line each, and exit 1 when there are any."""
    for failure in failures:
        err.print(f"error: {failure.message}", markup=False, highlight=False, soft_wrap=True)
    if failures:
        err.print(f"{len(failures)} of {n_inputs} input(s) could not be read; the others were processed.",
                  markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT_FAILED)


def print_summary(tables: dict, out_dir: Path | None) -> None:
    """Print documents read, sections and tasks found, and where the outputs are."""
    documents = tables["documents"]
    out.print(
        f"{len(documents)} document(s) read, {len(tables['sections'])} sections, "
        f"{len(tables['tasks'])} tasks",
        highlight=False,
    )
    extracted = [f"{len(tables[name])} {name.replace('_', ' ')}" for name in
                 ("task_units", "obligations", "targets", "citations", "links") if name in tables]
    if extracted:
        out.print("extracted: " + ", ".join(extracted).replace("task units", "unit assignments"),
                  highlight=False, soft_wrap=True)
    tasks_per_document = tables["tasks"]["doc_id"].value_counts()
    for row in documents.head(LISTED).itertuples():
        out.print(f"  {row.doc_id}: {row.title} ({row.level}, {row.issued_on or 'undated'}) — "
                  f"{int(tasks_per_document.get(row.doc_id, 0))} tasks",
                  markup=False, highlight=False, soft_wrap=True)
    if len(documents) > LISTED:
        out.print(f"  … and {len(documents) - LISTED} more (see documents.csv)", highlight=False)
    if "task_units" in tables:
        print_units(tables["task_units"])
    if out_dir is not None:
        out.print(f"outputs: {out_dir}", markup=False, highlight=False)
    else:
        out.print("no outputs written: no input could be read", highlight=False)


def print_notes(notes: list[str], *, more: str = "more notes") -> None:
    """Print notes on stderr, one line each, at most LISTED of them."""
    for note in notes[:LISTED]:
        err.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
    if len(notes) > LISTED:
        err.print(f"note: … and {len(notes) - LISTED} {more}", markup=False, highlight=False, soft_wrap=True)


def print_units(task_units: pd.DataFrame, *, top: int = 10) -> None:
    """Print the unit workload (tasks led and supported) and the units the registry lacks."""
    workload = unit_workload(task_units)
    if workload.empty:
        return
    table = Table(title=f"Unit workload (top {min(top, len(workload))} of {len(workload)} units)",
                  title_justify="left")
    for column in ("unit", "tasks led", "tasks supported"):
        table.add_column(column, justify="left" if column == "unit" else "right")
    for row in workload.head(top).itertuples():
        table.add_row(row.unit, str(row.tasks_led), str(row.tasks_supported))
    out.print(table)
    unresolved = unresolved_units(task_units)
    if not unresolved.empty:
        names = "、".join(unresolved["unit"].tolist())
        out.print(f"{len(unresolved)} unit(s) not in the registry (add them to models/units.csv): {names}",
                  markup=False, highlight=False, soft_wrap=True)
