"""The command line on real input: outputs in every format, determinism, atomic writes, bad input."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.api import read_corpus
from pipeline.cli.app import app
from pipeline.document.manifest import Manifest
from pipeline.outputs import workbook
from pipeline.outputs import writer as export
from pipeline.outputs.schema import LIST_SEPARATORS
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN, REPO, write_county_plan_docx
from tests.test_output_set import leftovers, visible_paths

runner = CliRunner()
TABLES = ("documents", "sections", "tasks")


def run_cli(*args):
    return runner.invoke(app, ["run", *map(str, args)])


def test_run_writes_every_table_in_every_format(raw, tmp_path):
    out = tmp_path / "out"
    result = run_cli(raw, "--out", out)
    assert result.exit_code == 0, result.output
    assert "1 document(s) read, 8 sections, 26 tasks" in result.stdout
    written = sorted(path.stem for path in out.glob("*.parquet"))
    assert set(TABLES) | {"task_units", "units", "obligations", "targets", "citations", "links", "coverage"} <= set(
        written
    )
    for graph_file in (
        "graph.graphml",
        "graph.gexf",
        "nodes.csv",
        "edges.csv",
        "task_unit_nodes.csv",
        "task_unit_edges.csv",
    ):
        assert (out / graph_file).stat().st_size > 0
    for name in written:
        csv_bytes = (out / f"{name}.csv").read_bytes()
        assert csv_bytes.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese correctly
        from_csv = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
        from_parquet = pd.read_parquet(out / f"{name}.parquet")
        for column, separator in LIST_SEPARATORS.items():  # list<string> in Parquet, joined in CSV
            if column in from_parquet:
                from_parquet[column] = from_parquet[column].map(separator.join)
        from_parquet = from_parquet.map(lambda v: "" if v is None or v is pd.NA or v != v else str(v))
        assert list(from_csv.columns) == list(from_parquet.columns)
        assert from_csv.values.tolist() == from_parquet.values.tolist()
    workbook = load_workbook(out / "guanche.xlsx", read_only=True)
    assert sorted(workbook.sheetnames) == written
    tasks = pd.read_csv(out / "tasks.csv", encoding="utf-8-sig")
    assert tasks["title"].iloc[12] == "引导、规范基层组织和社会力量参与突发事件应对"
    documents = pd.read_csv(out / "documents.csv", encoding="utf-8-sig")
    assert documents.loc[0, "parents"] == "内蒙古自治区2024年法治政府建设工作计划; 阿拉善盟2024年法治政府建设工作计划"


def visible_files(folder):
    """The visible files of an output folder by name (not the .guanche folder of generations)."""
    return {name: path.read_bytes() for name, path in visible_paths(folder).items()}


def output_bytes(folder):
    """Every output file of a run (tables, workbook, graph) by name."""
    return {
        path.name: path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.suffix in (".csv", ".parquet", ".xlsx", ".graphml")
    }


def test_outputs_are_byte_identical_across_runs_and_input_order(raw, tmp_path):
    write_county_plan_docx(raw / "copy.docx")
    assert run_cli(raw / "copy.docx", raw / COUNTY_PLAN.name, "--out", tmp_path / "a").exit_code == 0
    assert run_cli(raw / COUNTY_PLAN.name, raw / "copy.docx", "--out", tmp_path / "b").exit_code == 0
    first, second = output_bytes(tmp_path / "a"), output_bytes(tmp_path / "b")
    assert len(first) > 30 and first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_failed_write_leaves_previous_outputs_intact(raw, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run_cli(raw, "--out", out).exit_code == 0
    before = visible_files(out)

    def disk_full(parts, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "assemble_workbook", disk_full)
    (raw / "second.txt").write_bytes(COUNTY_PLAN.read_bytes())
    result = run_cli(raw, "--out", out)
    assert result.exit_code == 2
    assert "previous outputs kept" in result.stderr and "Traceback" not in result.output
    assert visible_files(out) == before and leftovers(out) == []


def test_excel_cells_are_cut_at_the_limit_and_csv_keeps_everything(tmp_path):
    long_text = "加强" * 20000
    tables = {"tasks": pd.DataFrame({"task_id": ["t1"], "text": [long_text]})}
    export.write_outputs(tables, tmp_path)
    cell = load_workbook(tmp_path / "guanche.xlsx")["tasks"]["B2"].value
    assert len(cell) == workbook.EXCEL_CELL_LIMIT and cell.endswith(workbook.TRUNCATION_MARK)
    assert pd.read_csv(tmp_path / "tasks.csv", encoding="utf-8-sig")["text"][0] == long_text


def test_a_table_longer_than_a_sheet_fills_it_and_says_how_many_rows_are_left(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "EXCEL_ROW_LIMIT", 5)  # a sheet of 5 rows, header included
    tables = {
        "tasks": pd.DataFrame({"task_id": [f"t{i}" for i in range(10)]}),
        "units": pd.DataFrame({"unit": ["旗司法局", "旗政府办"]}),
    }
    export.write_outputs(tables, tmp_path)
    book = load_workbook(tmp_path / "guanche.xlsx")
    rows = [row[0] for row in book["tasks"].iter_rows(values_only=True)]
    assert rows[:4] == ["task_id", "t0", "t1", "t2"] and len(rows) == 5
    assert rows[4] == "…[7 more rows than a sheet holds: tasks.csv and tasks.parquet hold all 10]"
    assert [row[0] for row in book["units"].iter_rows(values_only=True)] == ["unit", "旗司法局", "旗政府办"]


def test_workbook_without_tables_still_opens(tmp_path):
    export.write_outputs({}, tmp_path)
    assert len(load_workbook(tmp_path / "guanche.xlsx").worksheets) == 1
    assert sorted(visible_files(tmp_path)) == ["guanche.xlsx"] and leftovers(tmp_path) == []  # no parts or frame


def test_tables_written_in_worker_processes_give_the_same_files(tmp_path):
    tables = {
        "tasks": pd.DataFrame({"task_id": ["t1", "t2"], "text": ["加强组织领导", None]}),
        "targets": pd.DataFrame({"value": [95.0, float("nan")], "due_date": [date(2024, 12, 31), date(2025, 6, 30)]}),
    }
    with ProcessPoolExecutor(2) as pool, export.OutputWriter(tmp_path / "pool", pool=pool) as writer:
        writer.add_tables(tables)
    export.write_outputs(tables, tmp_path / "alone")
    files = {folder: visible_files(tmp_path / folder) for folder in ("pool", "alone")}
    assert sorted(files["pool"]) == ["guanche.xlsx", "targets.csv", "targets.parquet", "tasks.csv", "tasks.parquet"]
    assert files["pool"] == files["alone"]
    book = load_workbook(tmp_path / "pool" / "guanche.xlsx")
    assert book.sheetnames == ["tasks", "targets"]
    assert list(book["tasks"].iter_rows(values_only=True)) == [
        ("task_id", "text"),
        ("t1", "加强组织领导"),
        ("t2", None),
    ]
    assert list(book["targets"].iter_rows(values_only=True)) == [
        ("value", "due_date"),
        (95, datetime(2024, 12, 31)),  # Excel dates
        (None, datetime(2025, 6, 30)),
    ]


def _table_on_a_full_disk(name, table, folder):
    raise OSError(28, "No space left on device")


def _worker_killed(name, table, folder):
    os._exit(1)  # as the out-of-memory killer would


@pytest.mark.parametrize(
    "failure, message",
    [(_table_on_a_full_disk, "No space left on device"), (_worker_killed, "a worker process stopped")],
)
def test_a_table_failing_in_a_worker_gives_one_line_and_keeps_previous_outputs(tmp_path, monkeypatch, failure, message):
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"]})}, tmp_path)
    before = visible_files(tmp_path)
    monkeypatch.setattr(export, "write_table_files", failure)  # forked workers see it
    with pytest.raises(export.OutputError, match=message) as error, ProcessPoolExecutor(1) as pool:
        with export.OutputWriter(tmp_path, pool=pool) as writer:
            writer.add_tables({"tasks": pd.DataFrame({"task_id": ["t2"]})})
    assert "previous outputs kept" in str(error.value)
    assert visible_files(tmp_path) == before and leftovers(tmp_path) == []


def test_cells_that_excel_cannot_hold_as_they_are_become_text_or_empty(tmp_path):
    tables = {
        "odd": pd.DataFrame(
            {
                "bad\ufffeheader": ["a\ufffeb\x01c", "d"],
                "when": [pd.NaT, pd.Timestamp("2024-05-01")],
                "how_long": [pd.Timedelta(days=3), None],
                "count": [pd.NA, 7],
            }
        ).astype({"count": "Int64"})
    }
    export.write_outputs(tables, tmp_path)
    rows = list(load_workbook(tmp_path / "guanche.xlsx")["odd"].iter_rows(values_only=True))
    assert rows == [
        ("badheader", "when", "how_long", "count"),
        ("abc", None, "3 days 00:00:00", None),
        ("d", "2024-05-01 00:00:00", None, 7),
    ]


def _children(pid: int) -> set[int]:
    return {
        int(stat.split()[0])
        for stat in (
            Path(f"/proc/{p}/stat").read_text()
            for p in os.listdir("/proc")
            if p.isdigit() and Path(f"/proc/{p}/stat").exists()
        )
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid
    }


def _held_run(out: Path, ready: int, hold: int) -> subprocess.Popen:
    """guanche run on the regulation family with two workers, held once it writes its outputs
    (:mod:`tests.support.held_run`), in a session of its own (its process group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.held_run", str(ready), str(hold), "run", str(CORPUS / "laws")]
        + ["--out", str(out), "--jobs", "2"],
        cwd=REPO,
        pass_fds=(ready, hold),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@needs_corpus
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_while_writing_ends_cleanly(tmp_path, stop):
    # Stopped while its outputs are being written (the run holds there until the signal comes):
    # the run ends with the signal's exit status, its workers end with it, and the previous
    # outputs are left as they were, with no generation folder left behind.
    out = tmp_path / "out"
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"]})}, out)
    before = visible_files(out)
    ready, ready_end = os.pipe()
    hold_end, hold = os.pipe()
    run = _held_run(out, ready_end, hold_end)
    os.close(ready_end)
    os.close(hold_end)
    try:
        assert select.select([ready], [], [], 300)[0], "the run never began writing its outputs"
        assert os.read(ready, 1) == b"w", run.communicate()[1].decode()  # b"": it ended before writing
        assert run.poll() is None
        [generation] = leftovers(out)  # the run's own, being written
        assert generation.startswith(".guanche/gen-")
        workers = _children(run.pid)
        # SIGINT as a terminal's Ctrl-C sends it, to the whole process group; SIGTERM to the run alone
        os.killpg(run.pid, stop) if stop == signal.SIGINT else run.send_signal(stop)
        _, stderr = run.communicate(timeout=120)
    finally:
        os.close(ready)
        os.close(hold)
    assert run.returncode == 128 + stop and b"Traceback" not in stderr, stderr.decode()
    assert visible_files(out) == before and leftovers(out) == []
    assert len(workers) == 2 and not any(Path(f"/proc/{pid}").exists() for pid in workers)  # joined before the exit


def test_bad_inputs_are_listed_and_good_ones_processed(raw, tmp_path):
    (raw / "empty.txt").write_bytes(b"")
    (raw / "photo.txt").write_bytes(bytes(range(256)) * 10)
    out = tmp_path / "out"
    result = run_cli(raw, tmp_path / "missing.docx", "--out", out)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("empty.txt: empty file" in line for line in errors)
    assert any("photo.txt: binary data" in line for line in errors)
    assert any("missing.docx: no such file" in line for line in errors)
    assert "3 of 4 input(s) could not be read" in result.stderr
    assert len(pd.read_csv(out / "tasks.csv", encoding="utf-8-sig")) == 26


def test_unwritable_output_folder_is_one_line(raw, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli(raw, "--out", blocker / "out")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "output folder cannot be written" in result.stderr and "--out" in result.stderr


def test_console_script_reports_without_traceback(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.splitlines()[0]
        == f"error: {tmp_path / 'empty.txt'}: empty file — check it was saved or downloaded completely"
    )


def test_the_command_line_loads_frozen_out_of_the_collector_and_leaves_it_on():
    # spaCy, pandas and the rest are frozen (never walked by a collection); collection goes on
    loaded = (
        "import gc; from pipeline.cli.console import load_command_line; load_command_line(); "
        "print(gc.isenabled(), gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", loaded], capture_output=True, text=True, check=True)
    enabled, frozen = done.stdout.split()
    assert enabled == "True" and int(frozen) > 100_000


@needs_corpus
def test_parallel_run_gives_byte_identical_outputs(tmp_path):
    laws = CORPUS / "laws"
    assert run_cli(laws, "--out", tmp_path / "one", "--jobs", "1").exit_code == 0
    result = run_cli(laws, "--out", tmp_path / "two", "--jobs", "2")
    assert result.exit_code == 0 and "10 document(s) read" in result.stdout
    one, two = output_bytes(tmp_path / "one"), output_bytes(tmp_path / "two")
    assert len(one) > 30 and one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], name


def test_run_says_plainly_which_parents_are_missing(raw, tmp_path):
    result = run_cli(raw, "--out", tmp_path / "out")
    assert result.exit_code == 0
    note = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(note) == 1
    assert (
        "《内蒙古自治区2024年法治政府建设工作计划》" in note[0] and "《阿拉善盟2024年法治政府建设工作计划》" in note[0]
    )
    assert f"put the files (any supported format) in {raw}" in note[0]
    assert len(pd.read_csv(tmp_path / "out" / "task_units.csv", encoding="utf-8-sig")) == 89


@needs_corpus
def test_coverage_command_prints_rate_gaps_and_additions(tmp_path):
    laws = CORPUS / "laws"
    result = runner.invoke(
        app,
        [
            "coverage",
            str(laws / "jinan-2022-optimize-business-environment-regulation.md"),
            str(laws / "shandong-2020-optimize-business-environment-regulation.md"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "《济南市优化营商环境条例》 → 《山东省优化营商环境条例》" in result.stdout
    assert "parent directives covered" in result.stdout and "local additions" in result.stdout
    coverage = pd.read_csv(tmp_path / "coverage.csv", encoding="utf-8-sig")
    assert coverage["parent_task_id"].nunique() == 67


@needs_corpus
def test_reuse_command_finds_the_state_council_source_of_task_four():
    result = runner.invoke(app, ["reuse", str(COUNTY_PLAN), "--against", str(CORPUS / "national")])
    assert result.exit_code == 0, result.output
    line = next(row for row in result.stdout.splitlines() if row.strip().startswith("（四）"))
    assert "guofa-2019-005" in line and "“双随机、一公开”监管" in line


def test_outputs_do_not_depend_on_the_process_hash_seed(raw, tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        subprocess.run(
            [sys.executable, "-m", "pipeline", "run", str(raw), "--out", str(out)],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix in (".csv", ".graphml")})
    assert outputs[0].keys() == outputs[1].keys() and "task_unit_nodes.csv" in outputs[0]
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name


def test_gb18030_copy_gives_identical_tables(raw, tmp_path):
    gb = tmp_path / "gb"
    gb.mkdir()
    (gb / COUNTY_PLAN.name).write_bytes(COUNTY_PLAN.read_text(encoding="utf-8").encode("gb18030"))
    shutil.copy(raw / "manifest.toml", gb)
    for folder, out in ((raw, "utf8"), (gb, "gb18030")):
        assert run_cli(folder, "--out", tmp_path / out).exit_code == 0
    for path in sorted((tmp_path / "utf8").glob("*.csv")):
        utf8 = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        other = pd.read_csv(tmp_path / "gb18030" / path.name, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        differing = [c for c in utf8.columns if not utf8[c].equals(other[c])]
        expected = {"source_path", "sha256", "encoding"} if path.stem == "documents" else set()
        assert set(differing) == expected, path.name


def test_a_file_given_twice_or_copied_is_read_once(raw, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(COUNTY_PLAN, copy / "plan.txt")
    result = run_cli(raw, raw / COUNTY_PLAN.name, copy, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert f"{copy / 'plan.txt'}: same content as" in result.stderr
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", encoding="utf-8-sig")
    assert len(documents) == 1
    assert pd.read_csv(tmp_path / "out" / "tasks.csv", encoding="utf-8-sig")["task_id"].is_unique


def test_progress_counts_every_input_found_duplicates_included(raw, tmp_path):
    shutil.copy(COUNTY_PLAN, tmp_path / "plan.txt")
    inputs = [raw, raw / COUNTY_PLAN.name, tmp_path / "plan.txt"]  # three inputs, one document
    seen = []
    corpus, failures = read_corpus(inputs, manifest=Manifest(), on_progress=seen.append)
    assert len(corpus.documents) == 1 and failures == []
    assert sorted(map(str, seen)) == sorted(
        map(str, [raw / COUNTY_PLAN.name, raw / COUNTY_PLAN.name, tmp_path / "plan.txt"])
    )


def test_no_workbook_leaves_it_out_and_keeps_the_tables(raw, tmp_path):
    result = run_cli(raw, "--out", tmp_path / "out", "--no-workbook")
    assert result.exit_code == 0
    assert not (tmp_path / "out" / "guanche.xlsx").exists()
    assert len(pd.read_parquet(tmp_path / "out" / "tasks.parquet")) == 26
