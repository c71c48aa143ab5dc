"""What the command line prints: the run summary, notes, and the inputs that could not be read."""

from __future__ import annotations

import logging
import shlex
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from pipeline.stages.units import unit_workload, unresolved_units

out = Console()
err = Console(stderr=True)  # errors: always shown
notes = Console(stderr=True)  # notes and progress: silenced by --quiet

LISTED = 10  # documents and notes printed in the run summary; the tables hold all of them
EXIT_INPUT_FAILED = 1  # an input (document, manifest) could not be read
EXIT_OUTPUT_FAILED = 2  # outputs could not be written


class _ErrorConsoleHandler(logging.Handler):
    """Log records as lines on stderr (the stream of the moment, so tests can capture it)."""

    def emit(self, record: logging.LogRecord) -> None:
        err.print(self.format(record), markup=False, highlight=False, soft_wrap=True)


_LOG_HANDLER = _ErrorConsoleHandler()
_LOG_HANDLER.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))


def configure_output(*, quiet: bool = False, verbose: int = 0) -> None:
    """Set what the command line prints: with ``quiet`` only errors; otherwise the summaries,
    notes and progress, and with ``verbose`` the ``pipeline`` log too (1: each step, at INFO;
    2 and up: DEBUG)."""
    out.quiet = notes.quiet = quiet
    logger = logging.getLogger("pipeline")
    logger.setLevel(logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)])
    if _LOG_HANDLER not in logger.handlers:
        logger.addHandler(_LOG_HANDLER)


def conclude(summary: str, failures: list, *, outputs: Path | None = None) -> None:
    """Print a command's summary and the folder it wrote its ``outputs`` to (if any), then the
    inputs that could not be read (exit 1 if any)."""
    out.print(summary, markup=False, highlight=False, soft_wrap=True)
    if outputs is not None:
        print_outputs(outputs)
    report_failures(failures, len(failures) + 1)


def print_outputs(folder: Path) -> None:
    """Print ``outputs: <folder>``, the folder a command wrote, on one line however long."""
    out.print(f"outputs: {folder}", markup=False, highlight=False, soft_wrap=True)


def report_failures(failures: list, n_inputs: int) -> None:
    """List inputs that could not be read, one line each, then how many of the ``n_inputs``
    that is, and exit 1 when there are any."""
    for failure in failures:
        err.print(f"error: {failure.message}", markup=False, highlight=False, soft_wrap=True)
    if failures:
        err.print(failure_count(len(failures), n_inputs), markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT_FAILED)


def failure_count(failed: int, n_inputs: int) -> str:
    """The closing line of a run in which ``failed`` of ``n_inputs`` inputs could not be read."""
    if failed < n_inputs:
        return f"{failed} of {n_inputs} input(s) could not be read; the others were processed."
    if n_inputs == 1:
        return "the input could not be read."
    return f"none of the {n_inputs} inputs could be read."


def print_summary(tables: dict, out_dir: Path | None, *, workbook_left_out: int | None = None) -> None:
    """Print documents read, sections and tasks found, and where the outputs are; when the
    workbook was left out (``workbook_left_out``: the rows its sheets would have held), say so
    and how to build it."""
    documents = tables["documents"]
    out.print(
        f"{len(documents)} document(s) read, {len(tables['sections'])} sections, {len(tables['tasks'])} tasks",
        highlight=False,
    )
    extracted = [
        f"{len(tables[name])} {name.replace('_', ' ')}"
        for name in ("task_units", "obligations", "targets", "citations", "links")
        if name in tables
    ]
    if extracted:
        out.print(
            "extracted: " + ", ".join(extracted).replace("task units", "unit assignments"),
            highlight=False,
            soft_wrap=True,
        )
    tasks_per_document = tables["tasks"]["doc_id"].value_counts()
    for row in documents.head(LISTED).itertuples():
        out.print(
            f"  {row.doc_id}: {row.title} ({row.level}, {row.issued_on or 'undated'}) — "
            f"{int(tasks_per_document.get(row.doc_id, 0))} tasks",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if len(documents) > LISTED:
        out.print(f"  … and {len(documents) - LISTED} more (see documents.csv)", highlight=False)
    if "task_units" in tables:
        print_units(tables["task_units"])
    if out_dir is not None:
        print_outputs(out_dir)
        if workbook_left_out is not None:
            out.print(
                f"workbook left out: its sheets would hold {workbook_left_out:,} rows — build it with: "
                f"guanche workbook {shlex.quote(str(out_dir))}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    else:
        out.print("no outputs written: no input could be read", highlight=False)


def print_notes(listed: list[str], *, more: str = "more notes") -> None:
    """Print notes on stderr, one line each, at most LISTED of them."""
    for note in listed[:LISTED]:
        notes.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
    if len(listed) > LISTED:
        notes.print(f"note: … and {len(listed) - LISTED} {more}", markup=False, highlight=False, soft_wrap=True)


def print_units(task_units: pd.DataFrame, *, top: int = 10) -> None:
    """Print the unit workload (tasks led and supported) and the units the registry lacks."""
    workload = unit_workload(task_units)
    if workload.empty:
        return
    table = Table(title=f"Unit workload (top {min(top, len(workload))} of {len(workload)} units)", title_justify="left")
    for column in ("unit", "tasks led", "tasks supported"):
        table.add_column(column, justify="left" if column == "unit" else "right")
    for row in workload.head(top).itertuples():
        table.add_row(row.unit, str(row.tasks_led), str(row.tasks_supported))
    out.print(table)
    unresolved = unresolved_units(task_units)
    if not unresolved.empty:
        names = "、".join(unresolved["unit"].tolist())
        out.print(
            f"{len(unresolved)} unit(s) not in the registry (add them to models/units.csv): {names}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
