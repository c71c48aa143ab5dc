"""Text each output format can hold: a formula-like title stays text in the workbook, control
characters leave the XML outputs (GraphML, XLSX) and stay in the CSV and Parquet files."""

from __future__ import annotations

import zipfile

import networkx as nx
import pandas as pd
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.outputs import writer as export
from pipeline.outputs.xmltext import is_xml_text, xml_text
from tests.documents import COUNTY_PLAN

FORMULA_TITLE = '=HYPERLINK("http://x","y")'
CONTROL_TITLE = "提升政务\x01服务\x0b水平"


def sheet_xml(workbook, name: str) -> bytes:
    """The XML of the sheet ``name`` of ``workbook``, as stored."""
    number = load_workbook(workbook, read_only=True).sheetnames.index(name) + 1
    with zipfile.ZipFile(workbook) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml")


def test_text_that_starts_like_a_formula_is_stored_as_text(tmp_path):
    texts = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "#N/A", "=", FORMULA_TITLE]
    export.write_outputs({"tasks": pd.DataFrame({"title": texts})}, tmp_path)
    cells = [row[0] for row in load_workbook(tmp_path / "guanche.xlsx")["tasks"].iter_rows(min_row=2)]
    assert [(cell.value, cell.data_type) for cell in cells] == [(text, "s") for text in texts]
    assert b"<f" not in sheet_xml(tmp_path / "guanche.xlsx", "tasks")
    csv = (tmp_path / "tasks.csv").read_bytes().decode("utf-8-sig")  # line ends as written
    assert all(text.replace('"', '""') in csv for text in texts)  # the CSV keeps the text as it is


def test_xml_text_drops_only_what_xml_cannot_hold():
    assert xml_text("a\x00b\x01c\x0bd\x0ce\x1ff\ufffeg\ud800h") == "abcdefgh"
    kept = "tab\tlf\ncr\r 旗司法局 \u007f\u0085 \U0001f600"
    assert xml_text(kept) == kept and is_xml_text(kept) and not is_xml_text("a\x01")


def plan_with(tmp_path, replacements: dict[str, str]):
    text = COUNTY_PLAN.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new, 1)
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / COUNTY_PLAN.name).write_text(text, encoding="utf-8")
    return folder


def test_a_plan_with_control_characters_and_a_formula_title_runs_end_to_end(tmp_path):
    plans = plan_with(
        tmp_path,
        {
            "（一）推进政府机构职能优化协同高效。": f"（一）{FORMULA_TITLE}。",
            "（二）提升政务服务水平。": f"（二）{CONTROL_TITLE}。",
        },
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(plans), "--out", str(out)])
    assert result.exit_code == 0, result.output

    tasks = pd.read_csv(out / "tasks.csv", encoding="utf-8-sig")  # CSV and Parquet: the text as read
    assert tasks["title"].iloc[0] == FORMULA_TITLE and tasks["title"].iloc[1] == CONTROL_TITLE
    assert pd.read_parquet(out / "tasks.parquet")["title"].iloc[1] == CONTROL_TITLE

    graph = nx.read_graphml(out / "graph.graphml")
    labels = {data["Label"] for _, data in graph.nodes(data=True)}
    assert f"（一） {FORMULA_TITLE}" in labels and "（二） 提升政务服务水平" in labels
    gexf = nx.read_gexf(out / "graph.gexf")
    assert "（二） 提升政务服务水平" in {data["label"] for _, data in gexf.nodes(data=True)}
    nodes = pd.read_csv(out / "nodes.csv", encoding="utf-8-sig")
    assert f"（二） {CONTROL_TITLE}" in set(nodes["Label"])

    sheet = load_workbook(out / "guanche.xlsx")["tasks"]
    column = [cell.value for cell in sheet[1]].index("title") + 1
    titles = {cell.value: cell.data_type for (cell,) in sheet.iter_rows(min_col=column, max_col=column, min_row=2)}
    assert titles[FORMULA_TITLE] == "s" and "提升政务服务水平" in titles
    assert b"<f" not in sheet_xml(out / "guanche.xlsx", "tasks")
