"""Write tables atomically: CSV (UTF-8 with BOM, opens in Excel), Parquet, one XLSX workbook.

Everything is first written to a staging folder beside the outputs and only then renamed into
place, so a run that fails part-way leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd

from pipeline.errors import OutputError

EXCEL_CELL_LIMIT = 32767
EXCEL_ROW_LIMIT = 1_048_576  # rows of a sheet, the header included
TRUNCATION_MARK = "…[truncated: the CSV holds the full text]"
WORKBOOK_NAME = "guanche.xlsx"
# A fixed creation time, so that the same inputs give a byte-identical workbook.
WORKBOOK_TIMESTAMP = datetime(2000, 1, 1)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def ensure_writable(out_dir: Path) -> Path:
    """Create ``out_dir`` if needed and check files can be written there.

    Raises :class:`OutputError` naming the folder when it cannot be created or written.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".guanche-check-"):
            pass
    except OSError as error:
        raise OutputError(
            out_dir, f"output folder cannot be written ({error.strerror or error})",
            "choose another folder with --out",
        ) from None
    return out_dir


def _excel_cell(value):
    """A value as openpyxl can store it: missing → empty, numpy scalars → Python, text cut."""
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", value)
        if len(value) > EXCEL_CELL_LIMIT:
            return value[: EXCEL_CELL_LIMIT - len(TRUNCATION_MARK)] + TRUNCATION_MARK
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (list, tuple, dict)):
        return str(value)
    return value.item() if hasattr(value, "item") else value


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write one table as CSV, UTF-8 with BOM, LF line ends."""
    table.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write one table as Parquet (pyarrow)."""
    table.to_parquet(path, index=False, engine="pyarrow")


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Write all tables as sheets of one workbook, cells cut to Excel's 32,767-character limit
    and sheets to its 1,048,576 rows (the last row then says how many more the CSV holds)."""
    write_sheets(tables.items(), path)


def write_sheets(sheets: Iterable[tuple[str, pd.DataFrame]], path: Path) -> None:
    """Write ``(name, table)`` pairs as sheets of one workbook, in order, as they come.

    Uses openpyxl's streaming (write-only) mode: several times faster than pandas' writer. The
    workbook is first saved uncompressed, then packed once with fixed entry times (see
    :func:`_pack_workbook`).
    """
    from openpyxl import Workbook  # here, so that a background writer process loads it, not the run
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook(write_only=True)
    workbook.properties.created = workbook.properties.modified = WORKBOOK_TIMESTAMP
    for name, table in sheets:
        _write_sheet(workbook.create_sheet(title=name[:31]), name, table)
    if not workbook.worksheets:  # no tables: an empty sheet, as openpyxl's own save would add
        workbook.create_sheet()
    unpacked = path.with_name(path.name + ".unpacked")
    try:
        with zipfile.ZipFile(unpacked, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            ExcelWriter(workbook, archive).save()
        _pack_workbook(unpacked, path)
    finally:
        unpacked.unlink(missing_ok=True)


def _write_sheet(sheet, name: str, table: pd.DataFrame) -> None:
    """Fill a write-only sheet with ``table``: a header row, then the rows that fit in Excel; when
    some do not, the last row Excel allows says how many more the CSV and Parquet files hold."""
    sheet.append([str(column) for column in table.columns])
    fits = EXCEL_ROW_LIMIT - 2 if len(table) > EXCEL_ROW_LIMIT - 1 else len(table)
    for row in table.iloc[:fits].astype(object).itertuples(index=False, name=None):
        sheet.append([_excel_cell(value) for value in row])
    if fits < len(table):
        sheet.append([f"…[{len(table) - fits:,} more rows than a sheet holds: {name}.csv and "
                      f"{name}.parquet hold all {len(table):,}]"])


def _workbook_process(queue, path: Path) -> None:
    """Body of the background workbook writer: sheets arrive on ``queue`` until None."""
    write_sheets(iter(queue.get, None), path)


def _pack_workbook(unpacked: Path, path: Path) -> None:
    """Compress the entries of ``unpacked`` into ``path`` with a fixed time on every entry
    (openpyxl stamps them with the clock), so that the same tables always give the same bytes."""
    with zipfile.ZipFile(unpacked) as original, zipfile.ZipFile(path, "w", allowZip64=True) as packed:
        for info in original.infolist():
            # compresslevel 1: several times faster than the default, the file a little larger
            packed.writestr(zipfile.ZipInfo(info.filename, date_time=WORKBOOK_TIMESTAMP.timetuple()[:6]),
                            original.read(info), compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def write_file_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Write one file through ``write(path)`` into a staging folder beside ``target``, then
    rename it into place (ordinary permissions, unlike a tempfile's 0600).

    Raises :class:`OutputError` when the folder cannot be written; ``target`` is then unchanged.
    """
    staging = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".guanche-staging-"))
        write(staging / target.name)
        os.replace(staging / target.name, target)
    except OSError as error:
        raise OutputError(target, f"cannot be written ({error.strerror or error})",
                          "choose another place with --out") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target


@contextmanager
def _output_errors(out_dir: Path) -> Iterator[None]:
    """Turn an OSError while writing into one :class:`OutputError` for the analyst."""
    try:
        yield
    except OSError as error:
        raise OutputError(
            out_dir, f"writing outputs failed ({error.strerror or error}); previous outputs kept",
            "free disk space or choose another folder with --out",
        ) from None


class OutputWriter:
    """Writes a run's outputs into a staging folder as tables arrive, then renames them into place.

    Use it as a context manager. On a clean exit every file is renamed into ``out_dir``; on an
    exception the staging folder is removed and ``out_dir`` is left exactly as it was. Each table
    becomes ``<name>.csv`` and ``<name>.parquet`` and, unless ``workbook=False``, a sheet of
    guanche.xlsx. With ``background_workbook`` the workbook is written by a second process while
    later stages still run (``guanche run --jobs 2`` and up); the file is the same either way.
    ``paths`` lists the final files after the exit. Raises :class:`OutputError` when anything
    cannot be written.
    """

    def __init__(self, out_dir: Path, *, workbook: bool = True, background_workbook: bool = False) -> None:
        self.out_dir = Path(out_dir)
        self.workbook = workbook
        self.background_workbook = background_workbook
        self.paths: list[Path] = []

    def __enter__(self) -> "OutputWriter":
        ensure_writable(self.out_dir)
        self._staging = Path(tempfile.mkdtemp(dir=self.out_dir, prefix=".guanche-staging-"))
        self._names: list[str] = []
        self._sheets: list[tuple[str, pd.DataFrame]] = []
        self._process = None
        if self.workbook and self.background_workbook:
            context = multiprocessing.get_context("fork")
            self._queue = context.Queue()
            self._process = context.Process(
                target=_workbook_process, args=(self._queue, self._staging / WORKBOOK_NAME), daemon=True)
            self._process.start()
        return self

    def add_tables(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write these tables as CSV and Parquet now, and pass them on to the workbook."""
        with _output_errors(self.out_dir):
            for name, table in tables.items():
                write_csv(table, self._staging / f"{name}.csv")
                write_parquet(table, self._staging / f"{name}.parquet")
                self._names += [f"{name}.csv", f"{name}.parquet"]
                if self._process is not None:
                    self._queue.put((name, table))
                elif self.workbook:
                    self._sheets.append((name, table))

    def add_files(self, writers: dict[str, Callable[[Path], None]]) -> None:
        """Write further files (graph.graphml …), each by the function given for its name."""
        with _output_errors(self.out_dir):
            for name, writer in writers.items():
                (self._staging / name).parent.mkdir(parents=True, exist_ok=True)
                writer(self._staging / name)
                self._names.append(name)

    def _finish_workbook(self) -> None:
        if self._process is not None:
            self._queue.put(None)
            self._process.join()
            if self._process.exitcode != 0:
                raise OSError(f"the workbook writer stopped with exit code {self._process.exitcode}")
        elif self.workbook:
            write_workbook(dict(self._sheets), self._staging / WORKBOOK_NAME)
        if self.workbook:
            self._names.append(WORKBOOK_NAME)

    def __exit__(self, error_type, error, traceback) -> bool:
        try:
            if error_type is None:
                with _output_errors(self.out_dir):
                    self._finish_workbook()
                    for name in self._names:
                        target = self.out_dir / name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(self._staging / name, target)
                        self.paths.append(target)
        finally:
            if self._process is not None and self._process.is_alive():
                self._process.terminate()
                self._process.join()
            shutil.rmtree(self._staging, ignore_errors=True)
        return False


def write_outputs(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    extra_writers: dict[str, Callable[[Path], None]] | None = None,
    *,
    workbook: bool = True,
) -> list[Path]:
    """Write every table (CSV + Parquet), the workbook unless ``workbook=False``, and the files
    of ``extra_writers`` (name → function writing that file at the path it is given) to
    ``out_dir`` atomically; return the final paths.

    Raises :class:`OutputError` when the folder cannot be written; on any failure nothing in
    ``out_dir`` is changed.
    """
    with OutputWriter(out_dir, workbook=workbook) as writer:
        writer.add_tables(tables)
        writer.add_files(extra_writers or {})
    return writer.paths
