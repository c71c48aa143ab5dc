"""The task-division ledger (任务分工台账, ``guanche ledger``): every task with its lead and
responsible units, deadline, targets and section, as analysts hand it on.

Two tables: ``ledger`` (every task in plan order) and ``ledger_by_unit`` (for each specific
unit, the tasks it leads, marked 牵头, and those it supports, marked 配合, in plan order).
Collective mentions (各有关部门, 各行政执法部门) get no sheet of their own: they are no one's
list. The workbook ledger.xlsx has an overview sheet (总表) and a sheet per unit, with frozen
headers, filters, wrapped text, print-ready column widths, landscape A4 pages one column wide
and the header row repeated on every page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline.api import read_corpus
from pipeline.cascade.linker import linking_text
from pipeline.config import default_out_dir, default_raw_dir
from pipeline.outputs import views
from pipeline.outputs.workbook import WORKBOOK_TIMESTAMP, excel_cell
from pipeline.outputs.writer import OutputWriter
from pipeline.stages.corpus import InputFailure

LEDGER_NAME = "ledger.xlsx"
LEDGER_STAGES = ("structure", "units", "commitments")
OVERVIEW_SHEET = "总表"
LEAD, SUPPORT = "牵头", "配合"
TARGET_SEPARATOR = "；"
DEADLINE_KINDS = ("deadline",)  # target kinds that are 完成时限; the others are 目标
# header → column width in characters (a CJK character counts two)
LEDGER_COLUMNS = {
    "序号": 6,
    "任务": 70,
    "牵头单位": 22,
    "责任单位": 22,
    "完成时限": 16,
    "目标": 18,
    "所属部分": 22,
}
ROLE_COLUMN = ("分工", 6)  # the unit sheets' extra column, after 任务
DOCUMENT_COLUMN = ("文件", 24)  # the first column when the ledger holds several documents
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def ledger_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The overview: one row per task in plan order, Chinese headers (LEDGER_COLUMNS; 文件 first
    when there are several documents). 任务 is the task's text without its assignment
    annotation; 完成时限 and 目标 are the deadlines and the other targets as written."""
    tasks = views.task_assignments(tables)
    texts = dict(zip(tables["tasks"]["task_id"], tables["tasks"]["text"]))
    targets = tables["targets"]
    deadline = targets["kind"].isin(DEADLINE_KINDS)
    ledger = pd.DataFrame(
        {
            "序号": range(1, len(tasks) + 1),
            "任务": [linking_text(texts[task_id]) for task_id in tasks["task_id"]],
            "牵头单位": tasks["lead_units"].to_numpy(),
            "责任单位": tasks["support_units"].to_numpy(),
            "完成时限": _joined_targets(tasks["task_id"], targets[deadline]),
            "目标": _joined_targets(tasks["task_id"], targets[~deadline]),
            "所属部分": tasks["section"].to_numpy(),
        }
    )
    if tables["documents"]["doc_id"].nunique() > 1:
        titles = views.document_titles(tables)
        ledger.insert(0, DOCUMENT_COLUMN[0], [titles[doc_id] for doc_id in tasks["doc_id"]])
    ledger.insert(len(ledger.columns), "task_id", tasks["task_id"].to_numpy())
    return ledger


def _joined(values: pd.Series) -> str:
    """The distinct values in order, joined with TARGET_SEPARATOR."""
    return TARGET_SEPARATOR.join(dict.fromkeys(values.dropna()))


def _joined_targets(task_ids: pd.Series, targets: pd.DataFrame) -> list[str]:
    """For each task, the text of its targets as written (in text order), joined."""
    by_task = targets.groupby("task_id", sort=False)["text"].agg(_joined)
    return [by_task.get(task_id, "") for task_id in task_ids]


def ledger_by_unit(tables: dict[str, pd.DataFrame], ledger: pd.DataFrame) -> pd.DataFrame:
    """For each specific unit (in order of first mention), its tasks in plan order: 单位, 分工
    (牵头 or 配合; 牵头 when a unit is named in both roles) and the ledger's columns."""
    task_units = tables["task_units"]
    named = task_units[~task_units["collective"].astype(bool)]
    order = {task_id: position for position, task_id in enumerate(ledger["task_id"])}
    named = named.assign(position=named["task_id"].map(order)).dropna(subset=["position"])
    named = named.sort_values(["position", "order"], kind="stable")
    roles = named.assign(role=named["role"].map({"lead": LEAD}).fillna(SUPPORT))
    roles = roles.sort_values("role", key=lambda role: role != LEAD, kind="stable")
    roles = roles.drop_duplicates(["unit", "task_id"])
    units = list(dict.fromkeys(named["unit"]))
    parts = []
    for unit in units:
        mine = roles[roles["unit"] == unit].sort_values("position")
        rows = ledger.set_index("task_id").loc[mine["task_id"]].reset_index()
        rows.insert(rows.columns.get_loc("任务") + 1, ROLE_COLUMN[0], mine["role"].to_numpy())
        rows.insert(0, "单位", unit)
        parts.append(rows)
    columns = ["单位", *ledger.columns]
    columns.insert(columns.index("任务") + 1, ROLE_COLUMN[0])
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def sheet_name(unit: str, taken: set[str]) -> str:
    """An Excel sheet name for ``unit``: without []:*?/\\, at most 31 characters, not in
    ``taken`` (compared without case, as Excel does; a number is added when needed)."""
    base = _SHEET_FORBIDDEN.sub("_", unit)[:31] or "_"
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        name = f"{base[: 31 - len(str(number)) - 1]}_{number}"
    taken.add(name.lower())
    return name


def write_ledger_workbook(ledger: pd.DataFrame, by_unit: pd.DataFrame, path: Path) -> None:
    """Write ledger.xlsx at ``path``: the overview sheet, then a sheet per unit (without the
    task_id and 单位 columns; 序号 stays the overview's). Raises OSError when it cannot be
    written."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = WORKBOOK_TIMESTAMP
    overview = workbook.active
    overview.title = OVERVIEW_SHEET
    _fill_sheet(overview, ledger.drop(columns="task_id"))
    taken = {OVERVIEW_SHEET.lower()}
    for unit, rows in by_unit.groupby("单位", sort=False):
        sheet = workbook.create_sheet(sheet_name(str(unit), taken))
        sheet.oddHeader.center.text = str(unit)
        _fill_sheet(sheet, rows.drop(columns=["task_id", "单位"]))
    workbook.save(path)


def _fill_sheet(sheet, table: pd.DataFrame) -> None:
    """Write ``table`` into ``sheet`` with the ledger's layout: bold header row frozen, a filter
    over every column, text wrapped at the top of each cell, the column widths of
    LEDGER_COLUMNS, landscape A4 fitted to one page wide, the header repeated on every page."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    widths = dict(LEDGER_COLUMNS) | dict([ROLE_COLUMN, DOCUMENT_COLUMN])
    sheet.append(list(table.columns))
    for row in table.astype(object).itertuples(index=False, name=None):
        sheet.append([excel_cell(value) for value in row])
    wrapped = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = wrapped
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = widths[column]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def ledger_command(paths: list[Path], out_dir: Path | None = None) -> tuple[list[Path], list[InputFailure]]:
    """``guanche ledger [PATHS…] [--out DIR]``: read the documents, write the ledger.

    Inputs default to data/raw/, the outputs to data/processed/ledger/. Returns the paths
    written and the inputs that could not be read. Raises :class:`InputError` when no input
    could be read and :class:`OutputError` when the outputs cannot be written.
    """
    corpus, failures = read_corpus(paths or [default_raw_dir()], stages=LEDGER_STAGES)
    return write_ledger(corpus.tables, out_dir or default_out_dir(inputs_named=bool(paths)) / "ledger"), failures


def write_ledger(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write the ledger into ``out_dir`` as one set: ledger.csv/.parquet, ledger_by_unit.csv/
    .parquet and ledger.xlsx. Returns the paths; raises :class:`OutputError` when the folder
    cannot be written (the previous outputs are then kept)."""
    ledger = ledger_table(tables)
    by_unit = ledger_by_unit(tables, ledger)

    def write_workbook(folder: Path) -> list[str]:
        write_ledger_workbook(ledger, by_unit, folder / LEDGER_NAME)
        return [LEDGER_NAME]

    with OutputWriter(Path(out_dir), workbook=False) as writer:
        writer.add_tables({"ledger": ledger, "ledger_by_unit": by_unit})
        writer.add_files(write_workbook)
    return writer.paths
