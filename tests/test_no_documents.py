"""A run that reads no document says why and exits 1; files skipped beside documents are noted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.cli.skipped import skipped_files
from tests.documents import COUNTY_PLAN

runner = CliRunner()
OLE_HEADER = bytes.fromhex("d0cf11e0a1b11ae1")  # how .doc and .wps files begin


def run_cli(*args):
    return runner.invoke(app, ["run", *map(str, args)])


@pytest.mark.usefixtures("without_libreoffice")
def test_a_folder_of_doc_and_wps_files_exits_1_naming_them(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "a.doc").write_bytes(OLE_HEADER)
    (plans / "b.wps").write_bytes(OLE_HEADER)
    (plans / "README.md").write_text("notes on these plans", encoding="utf-8")  # ignored, as in discovery
    (plans / ".DS_Store").write_bytes(b"\0")
    (plans / "manifest.toml").write_text("", encoding="utf-8")
    result = run_cli(plans, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {plans}: no supported document found; .doc and .wps files are not read "
        "(2 files: a.doc, b.wps) — install LibreOffice to read them, or save them as DOCX or PDF"
    ]
    assert not [path for path in (tmp_path / "out").iterdir() if not path.name.startswith(".")]


def test_an_empty_folder_exits_1(tmp_path):
    (tmp_path / "plans").mkdir()
    result = run_cli(tmp_path / "plans", "--out", tmp_path / "out")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {tmp_path / 'plans'}: no supported document found — put .txt")


@pytest.mark.usefixtures("without_libreoffice")
def test_files_skipped_beside_documents_are_one_note(tmp_path):
    plans = tmp_path / "plans"
    (plans / "old").mkdir(parents=True)
    shutil.copy(COUNTY_PLAN, plans)
    (plans / "old" / "2019.doc").write_bytes(OLE_HEADER)
    (plans / "scan.JPG").write_bytes(b"\xff\xd8\xff")
    result = run_cli(plans, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: skipped")]
    assert notes == [
        "note: skipped: .doc and .jpg files are not read (2 files: old/2019.doc, scan.JPG) — "
        ".doc: install LibreOffice to read them, or save them as DOCX or PDF; .jpg: run OCR on them (e.g. ocrmypdf -l chi_sim) and read the OCRed PDF"
    ]
    assert len(pd.read_csv(tmp_path / "out" / "tasks.csv", encoding="utf-8-sig")) == 26


def test_skipped_files_are_those_discovery_passes_over_and_does_not_ignore(tmp_path):
    (tmp_path / "a" / ".git").mkdir(parents=True)
    (tmp_path / "a" / ".git" / "config").write_text("", encoding="utf-8")
    (tmp_path / "a" / "plan.txt").write_text("", encoding="utf-8")
    (tmp_path / "a" / "plan.rtf").write_text("", encoding="utf-8")
    (tmp_path / "a" / "README").write_text("", encoding="utf-8")
    (tmp_path / "a" / "notes").write_text("", encoding="utf-8")
    (tmp_path / "b").mkdir()
    skipped = skipped_files([tmp_path / "a", tmp_path / "b"], found=[tmp_path / "a" / "plan.txt"])
    assert skipped == {tmp_path / "a": [Path("notes"), Path("plan.rtf")]}


def test_a_single_input_that_cannot_be_read_is_not_one_of_others(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run_cli(tmp_path / "empty.txt", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "the input could not be read."
    result = run_cli(tmp_path / "empty.txt", tmp_path / "missing.docx", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "none of the 2 inputs could be read."
