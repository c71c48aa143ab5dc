"""guanche merge: separate runs joined, linked across, equal to one run over all their documents."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.stages.registry import RUN_TABLES
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN

runner = CliRunner()
LAWS = CORPUS / "laws"
# the 优化营商环境条例 family (../shared/corpus/README.md): national → Shandong → four cities
UPPER = [
    "national-2019-optimize-business-environment-regulation",
    "shandong-2020-optimize-business-environment-regulation",
]
CITIES = [
    f"{city}-optimize-business-environment-regulation"
    for city in ("jinan-2022", "qingdao-2021", "yantai-2021", "dezhou-2021")
]


def guanche(*args):
    result = runner.invoke(app, [*map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def run(names, out):
    return guanche("run", *(LAWS / f"{name}.md" for name in names), "--out", out, "--no-workbook")


def table_bytes(folder):
    """Every table's CSV and Parquet file of an output folder, by name."""
    return {
        f"{name}.{kind}": (folder / f"{name}.{kind}").read_bytes() for name in RUN_TABLES for kind in ("csv", "parquet")
    }


@pytest.fixture(scope="module")
def family_runs(tmp_path_factory):
    """The family run in two halves (the national and provincial laws; the four cities) and once whole."""
    folder = tmp_path_factory.mktemp("family")
    run(UPPER, folder / "upper")
    run(CITIES, folder / "cities")
    run(UPPER + CITIES, folder / "whole")
    return folder


@needs_corpus
def test_two_runs_merged_give_the_tables_of_one_run_over_all_documents(family_runs, tmp_path):
    result = guanche(
        "merge", family_runs / "upper", family_runs / "cities", "--out", tmp_path / "merged", "--no-workbook"
    )
    assert "6 document(s) read" in result.stdout
    assert table_bytes(tmp_path / "merged") == table_bytes(family_runs / "whole")
    for graph in ("nodes.csv", "edges.csv", "graph.graphml"):
        assert (tmp_path / "merged" / graph).read_bytes() == (family_runs / "whole" / graph).read_bytes()


@needs_corpus
def test_a_merge_links_the_cities_to_the_provincial_law_of_the_other_run(family_runs, tmp_path):
    guanche("merge", family_runs / "cities", family_runs / "upper", "--out", tmp_path / "merged", "--no-workbook")
    links = (tmp_path / "merged" / "links.csv").read_text(encoding="utf-8-sig")
    alone = (family_runs / "cities" / "links.csv").read_text(encoding="utf-8-sig")
    pair = "jinan-2022-optimize-business-environment-regulation,"
    assert "shandong-2020-optimize-business-environment-regulation" not in alone
    assert sum(line.startswith(pair) and ",shandong-2020-" in line for line in links.splitlines()) == 50


@needs_corpus
def test_a_document_in_two_runs_with_the_same_rows_is_kept_once(family_runs, tmp_path):
    guanche("merge", family_runs / "whole", family_runs / "upper", "--out", tmp_path / "merged", "--no-workbook")
    assert table_bytes(tmp_path / "merged") == table_bytes(family_runs / "whole")


def test_a_document_in_two_runs_with_other_rows_stops_the_merge_naming_both(tmp_path):
    text = COUNTY_PLAN.read_text(encoding="utf-8")
    for run_name, plan in (("one", text), ("two", text[: len(text) // 2])):
        (tmp_path / run_name).mkdir()
        (tmp_path / run_name / "plan.txt").write_text(plan, encoding="utf-8")
        guanche("run", tmp_path / run_name / "plan.txt", "--out", tmp_path / f"out-{run_name}", "--no-workbook")
    result = runner.invoke(
        app, ["merge", str(tmp_path / "out-one"), str(tmp_path / "out-two"), "--out", str(tmp_path / "all")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {tmp_path / 'out-two'}: document plan is also in {tmp_path / 'out-one'}, with other"
    )
    assert not (tmp_path / "all" / "tasks.csv").exists()


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    result = runner.invoke(app, ["merge", str(tmp_path), "--out", str(tmp_path / "all")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {tmp_path}: holds no dataset of a run (dataset/documents/)")


@needs_corpus
def test_parquet_text_columns_are_arrow_strings_in_every_table(family_runs):
    # the table contract: text is string (not large_string, which pandas' Arrow-backed columns
    # read back from the run's dataset would give if a table kept them), lists list<string>
    for path in sorted((family_runs / "whole").glob("*.parquet")):
        schema = pq.read_schema(path)
        assert not [field.name for field in schema if pa.types.is_large_string(field.type)], path.name
    links = pq.read_schema(family_runs / "whole" / "links.parquet")
    assert links.field("evidence").type == pa.string() and links.field("rank").type == pa.int64()
