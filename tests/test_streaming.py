"""A streamed run: each document's rows go to OUT/dataset as it is read, the main process keeps
no document, the tables are those of a run that holds every document; the workbook by choice."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline import api
from pipeline.cli.app import app
from pipeline.outputs import writer as export
from pipeline.outputs.dataset import BATCH_DOCUMENTS, read_rows, table_parts
from pipeline.stages.registry import RUN_TABLES
from tests.conftest import needs_corpus
from tests.documents import CORPUS

runner = CliRunner()
PER_DOCUMENT = ("documents", "sections", "tasks", "task_units", "obligations", "targets", "citations")


def guanche(*args):
    result = runner.invoke(app, [*map(str, args)])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """The corpus (68 documents) run once, without the workbook."""
    out = tmp_path_factory.mktemp("corpus") / "out"
    guanche("run", CORPUS, "--out", out, "--no-workbook")
    return out


@needs_corpus
def test_every_per_document_table_is_a_dataset_of_parts_of_64_documents(corpus_run):
    documents = table_parts(corpus_run / "dataset", "documents")
    assert BATCH_DOCUMENTS == 64
    assert [part.name for part in documents] == ["part-00000.parquet", "part-00001.parquet"]
    assert [pq.ParquetFile(part).metadata.num_rows for part in documents] == [64, 4]
    for table in PER_DOCUMENT:
        rows = read_rows(corpus_run / "dataset", table)
        assert len(rows) == len(pd.read_parquet(corpus_run / f"{table}.parquet")), table
    assert sorted(path.name for path in (corpus_run / "dataset").iterdir()) == sorted(PER_DOCUMENT)


@needs_corpus
def test_a_streamed_corpus_holds_no_document(tmp_path):
    corpus, failures = api.stream_corpus([CORPUS / "laws"], tmp_path / "dataset")
    assert corpus.documents == [] and failures == []
    assert corpus.doc_ids[:2] == [
        "dezhou-2021-optimize-business-environment-regulation",
        "jinan-2022-optimize-business-environment-regulation",
    ]
    assert len(corpus.doc_ids) == len(read_rows(tmp_path / "dataset", "documents")) == 10


@needs_corpus
def test_the_run_writes_the_tables_api_read_returns(corpus_run, tmp_path):
    tables = api.read(CORPUS)
    for name in RUN_TABLES:
        export.write_csv(tables[name], tmp_path / f"{name}.csv")
        export.write_parquet(tables[name], tmp_path / f"{name}.parquet")
        for kind in ("csv", "parquet"):
            assert (tmp_path / f"{name}.{kind}").read_bytes() == (corpus_run / f"{name}.{kind}").read_bytes(), name


@needs_corpus
def test_guanche_workbook_builds_the_workbook_a_run_writes(corpus_run, tmp_path):
    guanche("run", CORPUS, "--out", tmp_path / "with", "--workbook")
    assert not (corpus_run / "guanche.xlsx").exists()
    result = guanche("workbook", corpus_run)
    assert result.stdout == f"workbook: {corpus_run / 'guanche.xlsx'}\n"
    assert (corpus_run / "guanche.xlsx").read_bytes() == (tmp_path / "with" / "guanche.xlsx").read_bytes()
    guanche("workbook", corpus_run, "--labels", "zh")
    header = next(load_workbook(corpus_run / "guanche.xlsx", read_only=True)["documents"].iter_rows(values_only=True))
    assert header[:4] == ("文件编号", "标题", "发文机关", "层级")


def test_a_run_leaves_out_a_workbook_above_the_limit_and_says_how_to_build_it(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "WORKBOOK_MAX_ROWS", 100)
    result = guanche("run", raw, "--out", tmp_path / "out")
    assert not (tmp_path / "out" / "guanche.xlsx").exists()
    assert "workbook left out: its sheets would hold 3" in result.stdout
    assert f"rows — build it with: guanche workbook {tmp_path / 'out'}\n" in result.stdout
    guanche("run", raw, "--out", tmp_path / "asked", "--workbook")
    assert (tmp_path / "asked" / "guanche.xlsx").exists()


def test_a_workbook_of_a_folder_without_tables_is_refused(tmp_path):
    result = runner.invoke(app, ["workbook", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {tmp_path}: holds no tables of a run")


def test_a_due_date_without_a_year_is_null_in_parquet_and_kept_in_csv(tmp_path):
    # 3月31日前 in a law that states no year: the extractor writes --03-31
    targets = pd.DataFrame({"target_id": ["a:O01:G01", "b:O01:G01"], "due_date": ["2025-03-31", "--03-31"]})
    export.write_outputs({"targets": targets}, tmp_path, workbook=False)
    assert pq.read_table(tmp_path / "targets.parquet").column("due_date").to_pylist() == [date(2025, 3, 31), None]
    assert (tmp_path / "targets.csv").read_text(encoding="utf-8-sig").splitlines()[2] == "b:O01:G01,--03-31"
