"""Where a run writes when no --out is given: data/raw → data/processed in a project folder,
./guanche-output for named inputs, never the folder the package or the inputs live in."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import OUTPUT_FOLDER, default_out_dir, default_raw_dir
from pipeline.errors import InputError
from tests.documents import COUNTY_PLAN, REPO

runner = CliRunner()


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A project folder with the county plan in data/raw/, the current folder."""
    shutil.copytree(COUNTY_PLAN.parent, tmp_path / "data" / "raw")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture()
def elsewhere(tmp_path, monkeypatch):
    """An empty current folder, away from the repository and the inputs."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_no_path_reads_data_raw_and_writes_data_processed(project):
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 0, result.output
    assert (project / "data" / "processed" / "tasks.csv").is_file()
    assert f"outputs: {project / 'data' / 'processed'}\n" in result.stdout
    assert not (project / OUTPUT_FOLDER).exists()


def test_named_inputs_write_guanche_output_in_the_current_folder(elsewhere):
    before = sorted((REPO / "data" / "processed").iterdir())
    result = runner.invoke(app, ["run", str(COUNTY_PLAN)])
    assert result.exit_code == 0, result.output
    assert (elsewhere / OUTPUT_FOLDER / "tasks.csv").is_file()
    assert f"outputs: {elsewhere / OUTPUT_FOLDER}\n" in result.stdout
    assert sorted((REPO / "data" / "processed").iterdir()) == before  # the repository's outputs untouched


def test_out_wins_over_the_default(elsewhere):
    result = runner.invoke(app, ["run", str(COUNTY_PLAN), "--out", "results"])
    assert result.exit_code == 0, result.output
    assert (elsewhere / "results" / "tasks.csv").is_file() and not (elsewhere / OUTPUT_FOLDER).exists()


def test_no_path_and_no_data_raw_is_one_line_naming_the_folder(elsewhere):
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {elsewhere / 'data' / 'raw'}: no PATH given and this folder has no data/raw/ — name the files or "
        "folders to read (guanche run plans/) or run guanche in the folder that holds data/raw/"
    ]
    assert list(elsewhere.iterdir()) == []


def test_defaults_in_python(project):
    assert default_raw_dir() == project / "data" / "raw"
    assert default_out_dir(inputs_named=False) == project / "data" / "processed"
    assert default_out_dir(inputs_named=True) == project / OUTPUT_FOLDER
    shutil.rmtree(project / "data")
    with pytest.raises(InputError):
        default_out_dir(inputs_named=False)


def test_report_and_coverage_of_named_inputs_land_in_guanche_output(elsewhere):
    report = runner.invoke(app, ["report", str(COUNTY_PLAN)])
    assert report.exit_code == 0, report.output
    assert (elsewhere / OUTPUT_FOLDER / "report.html").is_file()
    # the county plan against a reworded copy of itself: a child and a parent
    parent = elsewhere / "parent.txt"
    parent.write_text(COUNTY_PLAN.read_text(encoding="utf-8").replace("2024年", "2023年"), encoding="utf-8")
    coverage = runner.invoke(app, ["coverage", str(COUNTY_PLAN), str(parent)])
    assert coverage.exit_code == 0, coverage.output
    assert (elsewhere / OUTPUT_FOLDER / "coverage" / "coverage.csv").is_file()
    assert f"outputs: {elsewhere / OUTPUT_FOLDER / 'coverage'}\n" in coverage.stdout
