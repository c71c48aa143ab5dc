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

from pipeline.errors import OutputError
from pipeline.outputs import generations
from pipeline.outputs.schema import DATE_COLUMNS, LIST_SEPARATORS
from pipeline.outputs.workbook import WORKBOOK_NAME, assemble_workbook, iso_date, write_sheet_part

if TYPE_CHECKING:
    from pipeline.stages.workers import WorkerPool

log = logging.getLogger(__name__)

WORKER_NICENESS = 10  # scheduling priority of worker processes once they write the outputs


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
    list<string>, empty → an empty list; every other column as pandas gives it."""
    types = {column: pa.date32() for column in table.columns if column in DATE_COLUMNS}
    types |= {column: pa.list_(pa.string()) for column in table.columns if column in LIST_SEPARATORS}
    if not types:
        table.to_parquet(path, index=False, engine="pyarrow")
        return
    typed = table.assign(
        **{
            column: pd.Series(
                [_date_or_none(value) for value in table[column]]
                if column in DATE_COLUMNS
                else [_split(value, LIST_SEPARATORS[column]) for value in table[column]],
                index=table.index,
                dtype=object,
            )
            for column in types
        }
    )
    schema = pa.Schema.from_pandas(typed, preserve_index=False)
    for column, arrow_type in types.items():
        schema = schema.set(schema.get_field_index(column), pa.field(column, arrow_type))
    pq.write_table(pa.Table.from_pandas(typed, schema=schema, preserve_index=False), path)


def _date_or_none(value) -> date | None:
    """``value`` as a date when it is an ISO date (2024-07-05), else None (a year alone, a
    phrase such as 年底, missing)."""
    value = iso_date(value)
    return value if isinstance(value, date) else None


def _split(joined, separator: str) -> list[str]:
    """The items of a list written as ``joined`` text (missing or empty: none)."""
    return joined.split(separator) if isinstance(joined, str) and joined else []


def write_table_files(name: str, table: pd.DataFrame, folder: Path, part: Path | None, labels: str = "en") -> None:
    """Write ``table`` as ``<name>.csv`` and ``<name>.parquet`` in ``folder`` and, unless
    ``part`` is None, as the sheet part at ``part`` (:func:`write_sheet_part`, its header in the
    ``labels`` language). Raises OSError when a file cannot be written."""
    write_csv(table, folder / f"{name}.csv")
    write_parquet(table, folder / f"{name}.parquet")
    if part is not None:
        write_sheet_part(name, table, part, labels=labels)


def _write_table_files_behind(
    name: str, table: pd.DataFrame, folder: Path, part: Path | None, labels: str = "en"
) -> None:
    """:func:`write_table_files` in a worker process that yields the CPU to the run's own
    process (lower priority): the files fill the time the later stages leave, and do not slow
    them."""
    global _lowered
    if not _lowered:
        _lowered = True
        try:
            os.nice(WORKER_NICENESS)  # relative to the run's own priority; allowed to fail
        except (OSError, AttributeError):  # AttributeError: not on Windows
            pass
    write_table_files(name, table, folder, part, labels)


_lowered = False  # whether this (worker) process has lowered its priority


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
    one set (:func:`generations.publish`); on an exception the folder is removed and ``out_dir``
    is left exactly as it was. Each table becomes ``<name>.csv`` and ``<name>.parquet`` and,
    unless ``workbook=False``, a sheet of guanche.xlsx, its header in the ``labels`` language
    (:func:`~pipeline.outputs.labels.column_labels`: ``en`` or ``zh``). With a ``pool`` of worker processes
    (``guanche run --jobs 2`` and up) the tables' files are written there, several at once, while
    later stages still run; the files are the same either way. ``paths`` lists the visible files
    after the exit. Raises :class:`OutputError` when anything cannot be written.

    Where symlinks or file locks are not available (:func:`generations.supported`: Windows
    without symlink rights, some network drives) it falls back to a staging folder whose files
    are renamed into ``out_dir`` one by one: a run killed during those renames leaves a mix of
    two runs there.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        workbook: bool = True,
        pool: WorkerPool | None = None,
        labels: str = "en",
    ) -> None:
        self.out_dir = Path(out_dir)
        self.workbook = workbook
        self.labels = labels
        self.pool = pool
        self.paths: list[Path] = []

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
        self._tables: list[tuple[tuple, Future | None]] = []  # write_table_files arguments, work in the pool
        return self

    def add_tables(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write each table as CSV, Parquet and a sheet part of the workbook: now, or in the pool
        when there is one. A worker may read a table later, so tables must not change after
        they are added (no stage changes the tables of an earlier one)."""
        with _output_errors(self.out_dir):
            for name, table in tables.items():
                files = (
                    name,
                    table,
                    self._folder,
                    self._folder / f".sheet{len(self._tables)}.xlsx" if self.workbook else None,
                    self.labels,
                )
                if self.pool is None:
                    write_table_files(*files)
                    self._tables.append((files, None))
                else:
                    self._tables.append((files, self.pool.submit(_write_table_files_behind, *files)))
                self._names += [f"{name}.csv", f"{name}.parquet"]

    def add_files(self, write: Callable[[Path], list[str]]) -> None:
        """Write further files (the graph files …): ``write(folder)`` writes them into the folder
        it is given and returns their names."""
        with _output_errors(self.out_dir):
            self._names += write(self._folder)

    def _finish(self) -> None:
        """Write here the tables the pool has not started (the last first, while the workers
        go on from the first), wait for the others, assemble the workbook, remove its parts."""
        for files, written in reversed(self._tables):
            if written is not None and written.cancel():
                write_table_files(*files)
        for _, written in self._tables:
            if written is not None and not written.cancelled():
                written.result()
        if self.workbook:
            parts = [(files[0], files[3]) for files, _ in self._tables]
            assemble_workbook(parts, self._folder / WORKBOOK_NAME)
            self._names.append(WORKBOOK_NAME)
            for _, part in parts:
                part.unlink()

    def _publish(self) -> list[Path]:
        """Make the written files the outputs of ``out_dir``; return their visible paths."""
        if self._generations:
            return generations.publish(self.out_dir, self._claimed, self._names)
        for name in self._names:
            target = self.out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._folder / name, target)
        return [self.out_dir / name for name in self._names]

    def __exit__(self, error_type, error, traceback) -> None:
        try:
            if error_type is None:
                with _output_errors(self.out_dir):
                    self._finish()
                    self.paths = self._publish()
                log.info("wrote %d file(s) to %s", len(self.paths), self.out_dir)
        finally:
            # a failed run waits for the tables in the pool before cleaning up
            wait([written for _, written in self._tables if written is not None and not written.cancel()])
            if self._generations:
                generations.close(self.out_dir, self._claimed)  # deleted unless published
            else:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._claimed.release()


def write_outputs(tables: dict[str, pd.DataFrame], out_dir: Path, *, workbook: bool = True) -> list[Path]:
    """Write every table (CSV + Parquet) and the workbook unless ``workbook=False`` to
    ``out_dir`` atomically; return the final paths.

    Raises :class:`OutputError` when the folder cannot be written; on any failure nothing in
    ``out_dir`` is changed.
    """
    with OutputWriter(out_dir, workbook=workbook) as writer:
        writer.add_tables(tables)
    return writer.paths
