"""The XLSX workbook: one sheet per table, written in parts (each sheet on its own, in any
process) and assembled into guanche.xlsx with fixed times, so the same tables give the same bytes.
"""

from __future__ import annotations

import io
import math
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.outputs.xmltext import xml_text

EXCEL_CELL_LIMIT = 32767
EXCEL_ROW_LIMIT = 1_048_576  # rows of a sheet, the header included
TRUNCATION_MARK = "…[truncated: the CSV holds the full text]"
WORKBOOK_NAME = "guanche.xlsx"
# A fixed creation time, so that the same inputs give a byte-identical workbook.
WORKBOOK_TIMESTAMP = datetime(2000, 1, 1)


def excel_cell(value):
    """A value as openpyxl stores it without a cell style: missing → empty, numbers and
    booleans as they are (numpy scalars → Python), anything else (dates, lists …) → its text,
    text without the characters XML cannot hold (:func:`xml_text`) and cut to Excel's cell limit."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, int, float)):
        return value
    value = xml_text(str(value))
    if len(value) > EXCEL_CELL_LIMIT:
        return value[: EXCEL_CELL_LIMIT - len(TRUNCATION_MARK)] + TRUNCATION_MARK
    return value


def write_sheet_part(name: str, table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as the one sheet of an uncompressed workbook at ``path``, a part for
    :func:`assemble_workbook`. Raises OSError when it cannot be written.

    Uses openpyxl's streaming (write-only) mode: several times faster than pandas' writer. Its
    cells hold text inline and no cell has a style, so a sheet's XML stands on its own: parts can
    be written in separate processes at once.
    """
    from openpyxl import Workbook  # here, so that only a run that writes a workbook loads it

    workbook = Workbook(write_only=True)
    _write_sheet(workbook.create_sheet(title=name[:31]), name, table)
    _save_unpacked(workbook, path)


def assemble_workbook(parts: list[tuple[str, Path]], path: Path) -> None:
    """Join sheet parts (:func:`write_sheet_part`), in order, into the workbook at ``path``.

    The workbook's frame (sheet list, styles, properties with a fixed date) comes from openpyxl;
    each sheet's XML from its part. Entries are compressed with a fixed time (openpyxl stamps
    them with the clock), so that the same tables always give the same bytes. No parts give a
    workbook with one empty sheet, as openpyxl's own save would.
    """
    from openpyxl import Workbook

    frame = Workbook(write_only=True)
    frame.properties.created = frame.properties.modified = WORKBOOK_TIMESTAMP
    for name, _ in parts:
        frame.create_sheet(title=name[:31])
    if not parts:
        frame.create_sheet()
    unpacked = io.BytesIO()  # the frame is small: a few kB without its sheets
    _save_unpacked(frame, unpacked)
    sheets = {f"xl/worksheets/sheet{number}.xml": part for number, (_, part) in enumerate(parts, start=1)}
    with zipfile.ZipFile(unpacked) as original, zipfile.ZipFile(path, "w", allowZip64=True) as packed:
        for info in original.infolist():
            if info.filename in sheets:
                with zipfile.ZipFile(sheets[info.filename]) as part:
                    content = part.read("xl/worksheets/sheet1.xml")
            else:
                content = original.read(info)
            # compresslevel 1: several times faster than the default, the file a little larger
            packed.writestr(
                zipfile.ZipInfo(info.filename, date_time=WORKBOOK_TIMESTAMP.timetuple()[:6]),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=1,
            )


def _save_unpacked(workbook, path: Path | io.BytesIO) -> None:
    """Save an openpyxl workbook to ``path`` (a file or a buffer) as an uncompressed zip
    (packed once, later)."""
    from openpyxl.writer.excel import ExcelWriter

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()


def _write_sheet(sheet, name: str, table: pd.DataFrame) -> None:
    """Fill a write-only sheet with ``table``: a header row, then the rows that fit in Excel; when
    some do not, the last row Excel allows says how many more the CSV and Parquet files hold."""
    sheet.append(_sheet_row(sheet, [str(column) for column in table.columns]))
    fits = EXCEL_ROW_LIMIT - 2 if len(table) > EXCEL_ROW_LIMIT - 1 else len(table)
    for row in table.iloc[:fits].astype(object).itertuples(index=False, name=None):
        sheet.append(_sheet_row(sheet, row))
    if fits < len(table):
        sheet.append(
            [
                f"…[{len(table) - fits:,} more rows than a sheet holds: {name}.csv and "
                f"{name}.parquet hold all {len(table):,}]"
            ]
        )


def _sheet_row(sheet, values) -> list:
    """The cells of one row of a write-only ``sheet``: each value as :func:`excel_cell` gives it,
    and text that openpyxl would store as a formula (``=…``) or an error (``#N/A``) as a string
    cell of its own, so that it stays the literal text the CSV holds."""
    row = [excel_cell(value) for value in values]
    for column, value in enumerate(row):
        if type(value) is str and value.startswith(("=", "#")):
            row[column] = _string_cell(sheet, value)
    return row


def _string_cell(sheet, text: str):
    """A cell of ``sheet`` holding ``text`` as an inline string, whatever it begins with."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    return cell
