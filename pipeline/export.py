"""Write tables atomically: CSV (UTF-8 with BOM, opens in Excel), Parquet, one XLSX workbook.

Everything is first written to a staging folder beside the outputs and only then renamed into
place, so a run that fails part-way leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import math
from datetime import datetime
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.errors import OutputError

EXCEL_CELL_LIMIT = 32767
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
    """Write all tables as sheets of one workbook, cells cut to Excel's 32,767-character limit.

    Uses openpyxl's streaming (write-only) mode: several times faster than pandas' writer.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.created = WORKBOOK_TIMESTAMP
    for name, table in tables.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append([str(column) for column in table.columns])
        for row in table.astype(object).itertuples(index=False, name=None):
            sheet.append([_excel_cell(value) for value in row])
    workbook.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite an .xlsx with fixed entry times and a fixed 'modified' property (openpyxl stamps
    both with the clock), so that the same tables always give the same bytes."""
    with zipfile.ZipFile(path) as original:
        entries = [(info.filename, original.read(info)) for info in original.infolist()]
    stamp = WORKBOOK_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w") as fixed:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            # compresslevel 1: several times faster than the default, the file a little larger
            fixed.writestr(zipfile.ZipInfo(name, date_time=WORKBOOK_TIMESTAMP.timetuple()[:6]), data,
                           compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


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


def write_outputs(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    extra_writers: dict[str, Callable[[Path], None]] | None = None,
    *,
    workbook: bool = True,
) -> list[Path]:
    """Write every table (CSV + Parquet) and, unless ``workbook=False``, the workbook to
    ``out_dir`` atomically.

    ``extra_writers`` maps further file names (e.g. graph.graphml) to functions that write that
    file at the path they are given. Returns the final paths. Raises :class:`OutputError` when
    the folder cannot be written; on any failure nothing in ``out_dir`` is changed.
    """
    ensure_writable(out_dir)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".guanche-staging-"))
    try:
        names: list[str] = []
        for name, table in tables.items():
            write_csv(table, staging / f"{name}.csv")
            write_parquet(table, staging / f"{name}.parquet")
            names += [f"{name}.csv", f"{name}.parquet"]
        if workbook:
            write_workbook(tables, staging / WORKBOOK_NAME)
            names.append(WORKBOOK_NAME)
        for name, writer in (extra_writers or {}).items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            writer(staging / name)
            names.append(name)
        final = []
        for name in names:
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
            final.append(target)
        return final
    except OSError as error:
        raise OutputError(
            out_dir, f"writing outputs failed ({error.strerror or error}); previous outputs kept",
            "free disk space or choose another folder with --out",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
