"""guanche.xlsx as an analyst gets it: the header row frozen, an autofilter over the rows, columns
as wide as their content (capped), dates as Excel dates, Chinese column labels on request; and
the Parquet types: dates as date32, lists as list<string>, while the CSV keeps the text."""

from __future__ import annotations

import datetime
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.outputs import schema
from pipeline.outputs.labels import ZH_LABELS, column_labels
from pipeline.outputs.schema import DOCUMENT_COLUMNS
from pipeline.outputs.workbook import COLUMN_WIDTH_CAP, assemble_workbook, display_width, write_sheet_part
from pipeline.outputs.writer import write_parquet
from tests.documents import COUNTY_PLAN

runner = CliRunner()
PARENTS = "内蒙古自治区2024年法治政府建设工作计划; 阿拉善盟2024年法治政府建设工作计划"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The county plan's outputs, workbook with English and with Chinese labels."""
    root = tmp_path_factory.mktemp("workbook")
    raw = root / "raw"
    raw.mkdir()
    shutil.copy(COUNTY_PLAN, raw)
    shutil.copy(COUNTY_PLAN.parent / "manifest.toml", raw)
    for labels in ("en", "zh"):
        result = runner.invoke(app, ["run", str(raw), "--out", str(root / labels), "--labels", labels])
        assert result.exit_code == 0, result.output
    return root


def test_every_sheet_has_a_frozen_header_and_an_autofilter_over_its_rows(outputs):
    workbook = load_workbook(outputs / "en" / "guanche.xlsx")
    for name in workbook.sheetnames:
        sheet = workbook[name]
        table = pd.read_csv(outputs / "en" / f"{name}.csv", encoding="utf-8-sig")
        assert sheet.freeze_panes == "A2", name
        last = sheet.cell(row=1, column=len(table.columns)).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{len(table) + 1}", name


def test_columns_are_as_wide_as_their_content_and_capped(outputs):
    sheet = load_workbook(outputs / "en" / "guanche.xlsx")["documents"]
    widths = {
        sheet.cell(row=1, column=n).value: sheet.column_dimensions[sheet.cell(row=1, column=n).column_letter].width
        for n in range(1, 15)
    }
    assert widths["title"] == display_width("阿拉善左旗2024年法治政府建设工作计划") + 2 == 38
    assert widths["level"] == len("county") + 2
    assert widths["published_on"] == len("published_on") + 2  # empty: as wide as its header
    assert widths["parents"] == widths["sha256"] == COLUMN_WIDTH_CAP  # 64 hex digits, capped


def test_dates_are_excel_dates_and_text_stays_text(outputs):
    sheet = load_workbook(outputs / "en" / "guanche.xlsx")["documents"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2]))
    assert row["issued_on"].value == datetime.datetime(2024, 7, 5)
    assert row["issued_on"].is_date and row["issued_on"].number_format == "yyyy-mm-dd"
    assert row["published_on"].value is None
    assert row["parents"].value == PARENTS and row["parents"].data_type == "s"
    assert pd.read_csv(outputs / "en" / "documents.csv", encoding="utf-8-sig")["issued_on"][0] == "2024-07-05"


def test_chinese_labels_on_request(outputs):
    sheet = load_workbook(outputs / "zh" / "guanche.xlsx")["documents"]
    assert [cell.value for cell in sheet[1]] == [ZH_LABELS[column] for column in DOCUMENT_COLUMNS]
    assert [cell.value for cell in sheet[1]][:3] == ["文件编号", "标题", "发文机关"]
    csv = pd.read_csv(outputs / "zh" / "documents.csv", encoding="utf-8-sig")
    assert list(csv.columns) == DOCUMENT_COLUMNS  # CSV and Parquet keep the column names
    assert column_labels(["doc_id", "new_column"], language="zh") == ["文件编号", "new_column"]
    with pytest.raises(ValueError, match="unknown label language 'fr'"):
        column_labels(["doc_id"], language="fr")


def test_unknown_labels_are_refused_by_the_command_line(tmp_path):
    result = runner.invoke(app, ["run", str(COUNTY_PLAN), "--labels", "fr", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'zh'" in result.output


def test_the_workbook_is_the_same_bytes_with_dates_and_widths(tmp_path):
    table = pd.DataFrame({"doc_id": ["a", "b"], "issued_on": ["2024-07-05", ""], "title": ["=1+1", "规划"]})
    files = []
    for attempt in ("a", "b"):
        part = tmp_path / f"{attempt}.part.xlsx"
        write_sheet_part("documents", table, part)
        assemble_workbook([("documents", part)], tmp_path / f"{attempt}.xlsx")
        files.append((tmp_path / f"{attempt}.xlsx").read_bytes())
    assert files[0] == files[1]
    cell = load_workbook(tmp_path / "a.xlsx")["documents"]["C2"]
    assert cell.value == "=1+1" and cell.data_type == "s"  # never a formula


def test_parquet_dates_are_date32_and_lists_list_of_strings(outputs):
    schema = pq.read_schema(outputs / "en" / "documents.parquet")
    assert str(schema.field("issued_on").type) == str(schema.field("published_on").type) == "date32[day]"
    assert str(schema.field("parents").type) == "list<element: string>"
    documents = pd.read_parquet(outputs / "en" / "documents.parquet")
    assert documents["issued_on"][0] == datetime.date(2024, 7, 5) and documents["published_on"][0] is None
    assert list(documents["parents"][0]) == PARENTS.split("; ")
    units = pd.read_parquet(outputs / "en" / "units.parquet")
    assert str(pq.read_schema(outputs / "en" / "units.parquet").field("aliases").type) == "list<element: string>"
    csv_units = pd.read_csv(outputs / "en" / "units.csv", encoding="utf-8-sig", keep_default_na=False)
    assert ["|".join(aliases) for aliases in units["aliases"]] == csv_units["aliases"].tolist()
    assert str(pq.read_schema(outputs / "en" / "targets.parquet").field("due_date").type) == "date32[day]"


def test_empty_tables_keep_their_parquet_types(tmp_path):
    empty = pd.DataFrame({"covering_task_ids": pd.Series(dtype=object), "due_date": pd.Series(dtype=object)})
    write_parquet(empty, tmp_path / "empty.parquet")
    schema = pq.read_schema(tmp_path / "empty.parquet")
    assert str(schema.field("covering_task_ids").type) == "list<element: string>"
    assert str(schema.field("due_date").type) == "date32[day]"


def test_a_due_date_that_is_not_an_iso_date_is_null_in_parquet(tmp_path):
    # the whole lawrefbook run stopped here: a year alone next to ISO dates and missing ones
    due = pd.DataFrame({"due_date": [float("nan"), "2025", "2025-12-31"]})
    write_parquet(due, tmp_path / "due.parquet")
    assert pd.read_parquet(tmp_path / "due.parquet")["due_date"].tolist() == [None, None, datetime.date(2025, 12, 31)]


def test_every_table_column_has_a_chinese_label():
    graph_columns = set(schema.NODE_COLUMNS) | set(schema.EDGE_COLUMNS)  # Gephi's own names
    columns = {column for name in dir(schema) if name.endswith("_COLUMNS") for column in getattr(schema, name)}
    assert sorted(columns - graph_columns - set(ZH_LABELS)) == []
