"""Write tables atomically: CSV (UTF-8 with BOM, opens in Excel), Parquet, and the XLSX workbook
(:mod:`pipeline.outputs.workbook`).

A run's files are written into a new generation folder of the output folder and then made the
visible outputs all at once (:mod:`pipeline.outputs.generations`): readers see the previous set
or the new one, never a mix, even when the run is killed; a run that fails part-way leaves the
previous outputs exactly as they were.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Future, wait
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import InputError, OutputError
from pipeline.outputs import generations
from pipeline.outputs.dataset import DATASET_FOLDER
from pipeline.outputs.schema import DATE_COLUMNS, LIST_SEPARATORS
from pipeline.outputs.workbook import WORKBOOK_NAME, assemble_workbook, iso_date, write_sheet_part

if TYPE_CHECKING:
    from pipeline.stages.workers import WorkerPool

log = logging.getLogger(__name__)

WORKER_NICENESS = 10  # scheduling priority of worker processes once they write the outputs
# Sheets' rows beyond which a run leaves the workbook out unless asked for it: Excel opens a
# workbook of this size in seconds, and building it takes about as long as the run's tables.
WORKBOOK_MAX_ROWS = 300_000


def ensure_writable(out_dir: Path) -> Path:
    """Create ``out_dir`` if needed and check files can be written there.

    Raises :class:`OutputError` naming the folder when it cannot be created or written.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with generations.scratch_folder(out_dir) as probe:
            (probe.path / "probe").write_bytes(b"")
    except OSError as error:
        raise OutputError(
            out_dir,
            f"output folder cannot be written ({error.strerror or error})",
            "choose another folder with --out",
        ) from None
    return out_dir


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write one table as CSV, UTF-8 with BOM, LF line ends."""
    table.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write one table as Parquet (pyarrow): the ISO date columns (:data:`DATE_COLUMNS`) as
    date32, empty or not a date → null; the joined lists (:data:`LIST_SEPARATORS`) as
    list<string>, empty → an empty list; text as string, whether pandas holds it as Python
    objects or as Arrow-backed text (which would give large_string); every other column as
    pandas gives it."""
    types = {column: pa.date32() for column in table.columns if column in DATE_COLUMNS}
    types |= {column: pa.list_(pa.string()) for column in table.columns if column in LIST_SEPARATORS}
    typed = (
        table.assign(
            **{
                column: pd.Series(
                    [_parquet_date(value) for value in table[column]]
                    if column in DATE_COLUMNS
                    else [_split(value, LIST_SEPARATORS[column]) for value in table[column]],
                    index=table.index,
                    dtype=object,
                )
                for column in types
            }
        )
        if types
        else table
    )
    schema = pa.Schema.from_pandas(typed, preserve_index=False)
    for index, field in enumerate(schema):
        arrow_type = types.get(field.name, pa.string() if pa.types.is_large_string(field.type) else field.type)
        schema = schema.set(index, pa.field(field.name, arrow_type))
    pq.write_table(pa.Table.from_pandas(typed, schema=schema, preserve_index=False), path)


def _parquet_date(value) -> date | None:
    """``value`` as a date when it is an ISO date text (:func:`iso_date`), else None (empty, or
    not a whole date: due dates of a plan without a year are written --03-31)."""
    parsed = iso_date(value)
    return parsed if isinstance(parsed, date) else None


def _split(joined, separator: str) -> list[str]:
    """The items of a list written as ``joined`` text (missing or empty: none)."""
    return joined.split(separator) if isinstance(joined, str) and joined else []


def read_parquet_table(path: Path) -> pd.DataFrame:
    """The table :func:`write_parquet` wrote at ``path``, as it was given: dates as ISO text,
    lists joined by their separators. Raises OSError when it cannot be read."""
    table = pd.read_parquet(path, engine="pyarrow")
    for column in table.columns:
        if column in DATE_COLUMNS:
            table[column] = pd.Series(
                [value.isoformat() if value is not None else None for value in table[column]],
                index=table.index,
                dtype=object,
            )
        elif column in LIST_SEPARATORS:
            separator = LIST_SEPARATORS[column]
            table[column] = pd.Series(
                [separator.join(value) if value is not None else None for value in table[column]],
                index=table.index,
                dtype=object,
            )
    return table


def write_table_files(name: str, table: pd.DataFrame, folder: Path) -> None:
    """Write ``table`` as ``<name>.csv`` and ``<name>.parquet`` in ``folder``. Raises OSError
    when a file cannot be written."""
    write_csv(table, folder / f"{name}.csv")
    write_parquet(table, folder / f"{name}.parquet")


def write_sheet_from_parquet(name: str, folder: Path, part: Path, labels: str = "en") -> None:
    """Write the table ``<name>.parquet`` of ``folder`` as the sheet part at ``part``
    (:func:`write_sheet_part`, its header in the ``labels`` language)."""
    write_sheet_part(name, read_parquet_table(folder / f"{name}.parquet"), part, labels=labels)


def _behind(work: Callable[..., None], *arguments) -> None:
    """``work(*arguments)`` in a worker process that yields the CPU to the run's own process
    (lower priority): the files fill the time the later stages leave, and do not slow them."""
    global _lowered
    if not _lowered:
        _lowered = True
        try:
            os.nice(WORKER_NICENESS)  # relative to the run's own priority; allowed to fail
        except (OSError, AttributeError):  # AttributeError: not on Windows
            pass
    work(*arguments)


_lowered = False  # whether this (worker) process has lowered its priority


def parquet_rows(folder: Path, names: list[str]) -> int:
    """The rows of the tables ``names`` (``<name>.parquet`` in ``folder``) together, from the
    files' footers."""
    return sum(pq.ParquetFile(folder / f"{name}.parquet").metadata.num_rows for name in names)


def write_workbook(
    folder: Path, names: list[str], path: Path, *, labels: str = "en", pool: WorkerPool | None = None
) -> None:
    """Write the workbook at ``path``: one sheet per table ``names`` (``<name>.parquet`` in
    ``folder``), in order, with headers in the ``labels`` language; the sheets in the ``pool``'s
    workers when there is one. Raises OSError when a file cannot be read or written."""
    parts = [(name, path.parent / f".sheet{number}.xlsx") for number, name in enumerate(names)]
    try:
        if pool is None:
            for name, part in parts:
                write_sheet_from_parquet(name, folder, part, labels)
        else:
            jobs = [pool.submit(_behind, write_sheet_from_parquet, name, folder, part, labels) for name, part in parts]
            for job in jobs:
                job.result()
        assemble_workbook(parts, path)
    finally:
        for _, part in parts:
            part.unlink(missing_ok=True)


def write_file_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Write one file through ``write(path)`` into a staging folder beside ``target``, then
    rename it into place (ordinary permissions, unlike a tempfile's 0600). A write killed
    meanwhile leaves a staging folder that the next run into that folder deletes
    (:func:`generations.scratch_folder`).

    Raises :class:`OutputError` when the folder cannot be written; ``target`` is then unchanged.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with generations.scratch_folder(target.parent) as staging:
            write(staging.path / target.name)
            os.replace(staging.path / target.name, target)
    except OSError as error:
        raise OutputError(
            target, f"cannot be written ({error.strerror or error})", "choose another place with --out"
        ) from None
    return target


@contextmanager
def _output_errors(out_dir: Path) -> Iterator[None]:
    """Turn an OSError while writing, or a worker process that died while writing (killed, out
    of memory), into one :class:`OutputError` for the analyst."""
    try:
        yield
    except OSError as error:
        raise OutputError(
            out_dir,
            f"writing outputs failed ({error.strerror or error}); previous outputs kept",
            "free disk space or choose another folder with --out",
        ) from None
    except BrokenExecutor:
        raise OutputError(
            out_dir,
            "a worker process stopped while writing outputs; previous outputs kept",
            "run again, with fewer --jobs if memory is short",
        ) from None


class OutputWriter:
    """Writes a run's outputs into a new folder as tables arrive, then makes them the outputs.

    Use it as a context manager. On a clean exit the files become the outputs of ``out_dir`` as
    one set (:func:`generations.publish`); on an exception, or after :meth:`abandon`, the folder
    is removed and ``out_dir`` is left exactly as it was. Each table becomes ``<name>.csv`` and
    ``<name>.parquet``; at the end the workbook guanche.xlsx is built from the Parquet tables
    (:func:`write_workbook`), a sheet per table, its header in the ``labels`` language
    (:func:`~pipeline.outputs.labels.column_labels`: ``en`` or ``zh``): always with
    ``workbook=True``, never with ``False``, and with ``None`` unless its sheets would hold more
    than :data:`WORKBOOK_MAX_ROWS` rows (``workbook_left_out`` then gives their number). With a
    ``pool`` of worker processes (``guanche run --jobs 2`` and up) the tables' files and the
    sheets are written there, several at once, while later stages still run; the files are the
    same either way. ``paths`` lists the visible files after the exit. Raises
    :class:`OutputError` when anything cannot be written.

    Where symlinks or file locks are not available (:func:`generations.supported`: Windows
    without symlink rights, some network drives) it falls back to a staging folder whose files
    are renamed into ``out_dir`` one by one: a run killed during those renames leaves a mix of
    two runs there.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        workbook: bool | None = True,
        pool: WorkerPool | None = None,
        labels: str = "en",
    ) -> None:
        self.out_dir = Path(out_dir)
        self.workbook = workbook
        self.labels = labels
        self.pool = pool
        self.paths: list[Path] = []
        self.workbook_left_out: int | None = None  # the rows of the sheets, when the workbook was left out

    def __enter__(self) -> OutputWriter:
        ensure_writable(self.out_dir)
        with _output_errors(self.out_dir):
            self._generations = generations.supported(self.out_dir)
            if self._generations:
                self._claimed = generations.start_generation(self.out_dir)
            else:
                self._claimed = generations.claim_folder(self.out_dir, generations.STAGING_PREFIX)
        self._folder = self._claimed.path
        self._names: list[str] = []
        self._tables: list[str] = []
        self._written: list[Future] = []  # the tables' files in the pool
        self._abandoned = False
        return self

    @property
    def dataset(self) -> Path:
        """The folder of the run's per-document dataset (:mod:`pipeline.outputs.dataset`), inside
        the new outputs; written by the caller, published with them (:meth:`add_dataset`)."""
        return self._folder / DATASET_FOLDER

    def add_dataset(self) -> None:
        """Publish the dataset folder with the outputs (when something was written to it)."""
        if self.dataset.is_dir():
            self._names.append(DATASET_FOLDER)

    def abandon(self) -> None:
        """Publish nothing: the exit removes the new outputs and leaves ``out_dir`` as it was."""
        self._abandoned = True

    def add_tables(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write each table as CSV and Parquet: now, or in the pool when there is one. A worker
        may read a table later, so tables must not change after they are added (no stage changes
        the tables of an earlier one)."""
        with _output_errors(self.out_dir):
            for name, table in tables.items():
                if self.pool is None:
                    write_table_files(name, table, self._folder)
                else:
                    self._written.append(self.pool.submit(_behind, write_table_files, name, table, self._folder))
                self._tables.append(name)
                self._names += [f"{name}.csv", f"{name}.parquet"]

    def add_files(self, write: Callable[[Path], list[str]]) -> None:
        """Write further files (the graph files …): ``write(folder)`` writes them into the folder
        it is given and returns their names."""
        with _output_errors(self.out_dir):
            self._names += write(self._folder)

    def _finish(self) -> None:
        """Wait for the tables' files, then build the workbook from them unless it is left out."""
        for written in self._written:
            written.result()
        if self.workbook is False:
            return
        rows = parquet_rows(self._folder, self._tables)
        if self.workbook is None and rows > WORKBOOK_MAX_ROWS:
            self.workbook_left_out = rows
            log.info("workbook left out: %d rows, more than %d", rows, WORKBOOK_MAX_ROWS)
            return
        write_workbook(self._folder, self._tables, self._folder / WORKBOOK_NAME, labels=self.labels, pool=self.pool)
        self._names.append(WORKBOOK_NAME)

    def _publish(self) -> list[Path]:
        """Make the written files the outputs of ``out_dir``; return their visible paths."""
        if self._generations:
            return generations.publish(self.out_dir, self._claimed, self._names)
        for name in self._names:
            target = self.out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)  # the previous run's dataset
            os.replace(self._folder / name, target)
        return [self.out_dir / name for name in self._names]

    def __exit__(self, error_type, error, traceback) -> None:
        try:
            if error_type is None and not self._abandoned:
                with _output_errors(self.out_dir):
                    self._finish()
                    self.paths = self._publish()
                log.info("wrote %d file(s) to %s", len(self.paths), self.out_dir)
        finally:
            # a failed run waits for the tables in the pool before cleaning up
            wait([written for written in self._written if not written.cancel()])
            if self._generations:
                generations.close(self.out_dir, self._claimed)  # deleted unless published
            else:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._claimed.release()


def build_workbook(out_dir: Path, names: list[str], *, labels: str = "en") -> Path:
    """Write guanche.xlsx into ``out_dir`` from its Parquet tables: a sheet for each of the
    tables ``names`` it holds, in that order, headers in the ``labels`` language. The workbook
    joins the current set of outputs (the next run replaces it with the rest). Returns its path.

    Raises :class:`InputError` when ``out_dir`` holds none of the tables, :class:`OutputError`
    when the workbook cannot be written.
    """
    present = [name for name in names if (out_dir / f"{name}.parquet").is_file()]
    if not present:
        raise InputError(
            out_dir,
            "holds no tables of a run (documents.parquet, tasks.parquet …)",
            "give the output folder of a guanche run (its --out)",
        )
    current = generations.current_folder(out_dir)
    folder = current if current is not None else out_dir
    write_file_atomically(folder / WORKBOOK_NAME, lambda path: write_workbook(out_dir, present, path, labels=labels))
    if current is not None:
        with _output_errors(out_dir):
            generations.add_to_current(out_dir, WORKBOOK_NAME)
    return out_dir / WORKBOOK_NAME


def write_outputs(tables: dict[str, pd.DataFrame], out_dir: Path, *, workbook: bool = True) -> list[Path]:
    """Write every table (CSV + Parquet) and the workbook unless ``workbook=False`` to
    ``out_dir`` atomically; return the final paths.

    Raises :class:`OutputError` when the folder cannot be written; on any failure nothing in
    ``out_dir`` is changed.
    """
    with OutputWriter(out_dir, workbook=workbook) as writer:
        writer.add_tables(tables)
    return writer.paths
