"""``guanche ledger`` on the county plan: the workbook read back with openpyxl, and the CSV."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.outputs.ledger import sheet_name
from tests.documents import COUNTY_PLAN

runner = CliRunner()
HEADERS = ["序号", "任务", "牵头单位", "责任单位", "完成时限", "目标", "所属部分"]


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("ledger")
    result = runner.invoke(app, ["ledger", str(COUNTY_PLAN), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"ledger: {out / 'ledger.xlsx'}"
    return out


@pytest.fixture(scope="module")
def workbook(ledger_dir):
    return load_workbook(ledger_dir / "ledger.xlsx")


def test_overview_sheet_lists_every_task_in_plan_order(workbook):
    sheet = workbook["总表"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 27 and [row[0] for row in rows[1:]] == list(range(1, 27))
    assert rows[6] == (
        6,
        "加强行政决策执行和评估。完善行政决策执行机制，严格落实重大行政决策终身责任追究制度和责任倒查机制。"
        "加强行政决策管理监督，健全决策过程记录和材料归档制度，决策承办单位履行相关决策程序，决策公布之日起"
        "三十日内，通过法治政府建设智能化一体平台重大行政决策子平台进行备案。强化重大决策执行情况的跟踪督促，"
        "按要求开展决策风险评估，将风险评估结果作为重大行政决策的重要依据。",
        "旗政府办、旗司法局",
        "各有关部门",
        "决策公布之日起三十日内",
        None,
        "二、 完善行政决策制度体系",
    )
    assert rows[26][2:7] == (
        "旗委组织部、旗委宣传部、旗政府办、旗司法局",
        "各有关部门",
        None,
        "不少于60学时",
        "八、 加强党的领导，完善推进机制",
    )


def test_sheets_are_frozen_filtered_and_print_ready(workbook):
    for sheet in workbook.worksheets:
        columns = sheet.max_column
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{'GH'[columns - 7]}{sheet.max_row}"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet["A1"].font.bold and sheet["B2"].alignment.wrap_text
    widths = workbook["总表"].column_dimensions
    assert [widths[letter].width for letter in "ABCDEFG"] == [6, 70, 22, 22, 16, 18, 22]


def test_a_sheet_per_unit_marks_the_tasks_it_supports(workbook):
    assert workbook.sheetnames[:4] == ["总表", "旗委编办", "旗政务服务局", "旗委依法治旗办"]
    assert "各有关部门" not in workbook.sheetnames  # collective mentions get no sheet
    justice = list(workbook["旗司法局"].iter_rows(values_only=True))
    assert list(justice[0]) == ["序号", "任务", "分工", *HEADERS[2:]]
    assert [(row[0], row[2]) for row in justice[1:]] == [
        *((number, "牵头") for number in (5, 6, 7, 8, 9, 10, 14, 15, 16, 18, 19, 22, 23)),
        (24, "配合"),
        (26, "牵头"),
    ]
    health = list(workbook["旗卫健委"].iter_rows(values_only=True))
    assert [(row[0], row[2], row[3]) for row in health[1:]] == [(9, "配合", "旗司法局")]


def test_the_same_ledger_as_csv(ledger_dir, workbook):
    overview = pd.read_csv(ledger_dir / "ledger.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(overview.columns) == [*HEADERS, "task_id"]
    sheet_rows = [[value or "" for value in row] for row in workbook["总表"].iter_rows(min_row=2, values_only=True)]
    assert overview[HEADERS].values.tolist() == sheet_rows
    by_unit = pd.read_csv(ledger_dir / "ledger_by_unit.csv", encoding="utf-8-sig", keep_default_na=False)
    assert by_unit.groupby("单位", sort=False).size().to_dict() == {
        name: workbook[name].max_row - 1 for name in workbook.sheetnames[1:]
    }


def test_sheet_names_follow_excels_rules():
    taken = {"总表"}
    assert sheet_name("国家发展和改革委员会/国家能源局[试点]", taken) == "国家发展和改革委员会_国家能源局_试点_"
    long = "某某" * 20
    assert sheet_name(long, taken) == long[:31]
    assert sheet_name(long, taken) == long[:29] + "_2"
