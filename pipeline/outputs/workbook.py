"""The XLSX workbook: one sheet per table, written in parts (each sheet on its own, in any
process) and assembled into guanche.xlsx with fixed times, so the same tables give the same bytes.

Each sheet has its header row frozen and an autofilter over its rows, column widths fitted to
the content (at most :data:`COLUMN_WIDTH_CAP`), the date columns (:data:`schema.DATE_COLUMNS`) as
Excel dates, and the column names of the tables or their Chinese labels (:mod:`labels`).

Written with openpyxl's write-only mode, which on the 1,020-document benchmark wrote the
workbook faster than XlsxWriter's constant-memory mode (the README's "Speed and scale").
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.outputs.labels import column_labels
from pipeline.outputs.schema import DATE_COLUMNS
from pipeline.outputs.xmltext import xml_text

EXCEL_CELL_LIMIT = 32767
EXCEL_ROW_LIMIT = 1_048_576  # rows of a sheet, the header included
TRUNCATION_MARK = "…[truncated: the CSV holds the full text]"
WORKBOOK_NAME = "guanche.xlsx"
# A fixed creation time, so that the same inputs give a byte-identical workbook.
WORKBOOK_TIMESTAMP = datetime(2000, 1, 1)
# East Asian wide and full-width characters (Hangul, CJK, full-width forms): two units wide
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
COLUMN_WIDTH_CAP = 60  # widest column, in Excel's width units (one Latin character; a Chinese one is two)


def excel_cell(value):
    """A value as openpyxl stores it: missing → empty, numbers, booleans and dates as they are
    (numpy scalars → Python; a date gets the workbook's one date style), anything else (times,
    lists …) → its text, text without the characters XML cannot hold (:func:`xml_text`) and cut to Excel's cell
    limit."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, int, float)) or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    value = xml_text(str(value))
    if len(value) > EXCEL_CELL_LIMIT:
        return value[: EXCEL_CELL_LIMIT - len(TRUNCATION_MARK)] + TRUNCATION_MARK
    return value


def write_sheet_part(name: str, table: pd.DataFrame, path: Path, *, labels: str = "en") -> None:
    """Write ``table`` as the one sheet of an uncompressed workbook at ``path``, a part for
    :func:`assemble_workbook`, its header in the ``labels`` language (:func:`column_labels`).
    Raises OSError when it cannot be written.

    Uses openpyxl's streaming (write-only) mode: several times faster than pandas' writer. Its
    cells hold text inline and the only cell style is the date style, which every part and the
    assembled workbook number alike, so a sheet's XML stands on its own: parts can be written in
    separate processes at once.
    """
    from openpyxl import Workbook  # here, so that only a run that writes a workbook loads it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=name[:31])
    header = column_labels(table.columns, language=labels)
    rows = _rows_that_fit(table)
    _lay_out(sheet, table, header, rows)
    _write_sheet(sheet, name, _with_dates(table), header, rows)
    _save_unpacked(workbook, path)


def _rows_that_fit(table: pd.DataFrame) -> int:
    """How many of the rows of ``table`` its sheet holds: all, or one less than Excel allows
    under the header when they do not fit (the last row then says where the rest are)."""
    return EXCEL_ROW_LIMIT - 2 if len(table) > EXCEL_ROW_LIMIT - 1 else len(table)


def _lay_out(sheet, table: pd.DataFrame, header: list[str], rows: int) -> None:
    """Freeze the header row of a write-only ``sheet``, fit its columns, and filter its ``rows``
    (before any row is written: write-only sheets write their layout first)."""
    from openpyxl.utils import get_column_letter

    if not header:
        return
    sheet.freeze_panes = "A2"
    for number, (column, label) in enumerate(zip(table.columns, header), start=1):
        width = max(display_width(label), content_width(table[column]))
        sheet.column_dimensions[get_column_letter(number)].width = min(COLUMN_WIDTH_CAP, width + 2)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{rows + 1}"


def display_width(text: str) -> int:
    """The width of ``text`` in Excel's units: two for a wide (Chinese) character, one for others."""
    return len(text) + len(_WIDE.findall(text))


def content_width(values: pd.Series) -> int:
    """The width of the widest value of a column as its sheet shows it (:func:`display_width` of
    its text), or :data:`COLUMN_WIDTH_CAP` when one is wider still."""
    text = values.dropna().astype(str)
    if text.empty:
        return 0
    lengths = text.str.len()
    if lengths.max() >= COLUMN_WIDTH_CAP:  # a value's width is at least its length
        return COLUMN_WIDTH_CAP
    return int((lengths + text.str.count(_WIDE.pattern)).max())


def _with_dates(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its ISO date columns (:data:`DATE_COLUMNS`) as dates (other text kept)."""
    dated = [column for column in table.columns if column in DATE_COLUMNS]
    return table.assign(**{column: table[column].map(iso_date) for column in dated}) if dated else table


def iso_date(value):
    """``value`` as a date when it is an ISO date (2024-07-05), else ``value`` itself."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


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
    _register_date_style(frame.worksheets[0])
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


def _register_date_style(sheet) -> None:
    """Give the workbook of ``sheet`` the date style as its first cell style, the number every
    sheet part gives its date cells."""
    from openpyxl.cell import WriteOnlyCell

    style_id = WriteOnlyCell(sheet, date(2000, 1, 1)).style_id  # reading it registers the style
    if style_id != 1:
        raise RuntimeError(f"the date style is cell style {style_id}, not 1 as in the sheet parts")


def _save_unpacked(workbook, path: Path | io.BytesIO) -> None:
    """Save an openpyxl workbook to ``path`` (a file or a buffer) as an uncompressed zip
    (packed once, later)."""
    from openpyxl.writer.excel import ExcelWriter

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()


def _write_sheet(sheet, name: str, table: pd.DataFrame, header: list[str], fits: int) -> None:
    """Fill a write-only sheet with ``table``: the ``header`` row, then the rows that fit in Excel;
    when some do not, the last row Excel allows says how many more the CSV and Parquet files hold."""
    sheet.append(_sheet_row(sheet, header))
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
