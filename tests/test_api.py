"""The one read → build path (pipeline.api) and the stage registry it runs."""

from __future__ import annotations

import pytest

from pipeline import api
from pipeline.errors import InputError
from pipeline.stages.registry import STAGES
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN


@pytest.fixture(scope="module")
def county():
    return api.read(COUNTY_PLAN.parent)


def test_read_gives_every_table_by_name_and_as_an_attribute(county):
    assert len(county.tasks) == 26 and county.tasks is county["tasks"]
    assert county.failures == [] and county.notes == []
    with pytest.raises(AttributeError, match="no table named 'taks'"):
        county.taks  # noqa: B018


def test_every_stage_writes_exactly_the_tables_and_columns_it_declares(county):
    declared = {name: columns for stage in STAGES for name, columns in stage.tables.items()}
    assert set(county) == set(declared)
    for name, columns in declared.items():
        assert list(county[name].columns) == columns, name


def test_read_of_a_folder_without_documents_raises_one_clear_error(tmp_path):
    (tmp_path / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0")  # a type guanche never reads
    with pytest.raises(InputError, match="no readable document found"):
        api.read(tmp_path)


@needs_corpus
def test_a_linker_setting_reaches_the_cascade_stage():
    laws = CORPUS / "laws"
    default, strict = api.read(laws).links, api.read(laws, linker={"threshold": 0.99}).links
    assert 0 < len(strict) < 0.75 * len(default)  # a link now needs a probability of 0.99


def test_the_example_plan_is_the_county_plan_with_its_manifest(county):
    example = api.read(api.example_plan())
    assert example.documents["source_path"][0] == str(api.example_plan() / COUNTY_PLAN.name)
    assert example.documents.drop(columns="source_path").equals(county.documents.drop(columns="source_path"))
    assert example.tasks.equals(county.tasks)
    assert sorted(path.name for path in api.example_plan().iterdir() if path.suffix != ".py") == [
        COUNTY_PLAN.name,
        "manifest.toml",
    ]


def test_declared_parents_become_the_documents_parents(tmp_path):
    (tmp_path / "plan.txt").write_bytes(COUNTY_PLAN.read_bytes())
    tables = api.read(tmp_path, manifest=api.declare_parents({"plan": ["上级计划甲", "上级计划乙"]}))
    assert tables.documents["doc_id"].tolist() == ["plan"]
    assert tables.documents["parents"].tolist() == ["上级计划甲; 上级计划乙"]
    # with the parents its preamble names (根据《…》和《…》精神), none of them among the inputs
    assert api.missing_parents(tables)["parent"].tolist() == [
        "上级计划甲",
        "上级计划乙",
        "内蒙古自治区2024年法治政府建设工作计划",
        "阿拉善盟2024年法治政府建设工作计划",
    ]


def test_write_gives_the_files_a_run_writes(county, tmp_path):
    paths = api.write(county, tmp_path / "out", workbook=False)
    names = {path.name for path in paths}
    assert {f"{name}.{kind}" for name in county for kind in ("csv", "parquet")} < names
    assert {"graph.graphml", "graph.gexf", "nodes.csv", "edges.csv"} < names and "guanche.xlsx" not in names
    assert all(path.parent == tmp_path / "out" and path.exists() for path in paths)
