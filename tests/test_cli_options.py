"""The command line's global options: --version, -q/--quiet, -v/--verbose, and the pipeline's log
through the standard logging module (what a notebook captures)."""

from __future__ import annotations

import logging

from typer.testing import CliRunner

from pipeline import __version__, api
from pipeline.cli.app import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"guanche {__version__}\n"


def test_quiet_prints_nothing_but_writes_everything(raw, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["-q", "run", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""  # not even the missing-parents note
    assert (out / "tasks.csv").is_file() and (out / "guanche.xlsx").is_file()


def test_quiet_still_prints_errors(tmp_path):
    result = runner.invoke(app, ["--quiet", "run", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {tmp_path / 'missing.txt'}")


def test_verbose_logs_each_stage_and_the_outputs(raw, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["-v", "run", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    log = [line for line in result.stderr.splitlines() if line.startswith("INFO: ")]
    assert log[0] == "INFO: read 1 document(s); 0 input(s) could not be read"
    assert [line.split(":")[1].split()[1] for line in log[1:5]] == ["structure", "units", "commitments", "cascade"]
    assert "26 tasks" in log[1]
    assert log[-1].startswith("INFO: wrote ") and log[-1].endswith(f" file(s) to {out}")
    assert "1 document(s) read, 8 sections, 26 tasks" in result.stdout  # the summary as usual


def test_without_verbose_the_log_stays_quiet(raw, tmp_path):
    result = runner.invoke(app, ["run", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "INFO:" not in result.stderr


def test_python_callers_capture_the_log_with_logging(raw, caplog):
    logging.getLogger("pipeline").setLevel(logging.NOTSET)  # as a notebook leaves it
    with caplog.at_level(logging.INFO, logger="pipeline"):
        api.read(raw)
    stages = [record.getMessage().split()[1] for record in caplog.records if record.name == "pipeline.stages.registry"]
    assert stages == ["structure:", "units:", "commitments:", "cascade:"]
