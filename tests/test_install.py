"""A real install: the wheel built from the source tree carries every subpackage and the shipped
models/, and, installed outside the repository, runs the county plan from another folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline import __version__
from tests.documents import COUNTY_PLAN, REPO

SOURCE_PACKAGES = ("pipeline", "extractors", "models")
NOT_SOURCE = shutil.ignore_patterns(".*", "__pycache__", "build", "dist", "*.egg-info", "processed", "artifacts")


def pip(*arguments: str, cwd: Path) -> None:
    """Run pip quietly; fail the test with its output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built (``pip wheel . --no-deps``) from a copy of the source tree."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    pip("wheel", ".", "--no-deps", "-w", str(root / "dist"), cwd=source)
    (built,) = (root / "dist").glob("guanche-*.whl")
    assert built.name == f"guanche-{__version__}-py3-none-any.whl"  # the version of guanche --version
    return built


@pytest.fixture(scope="module")
def installed(wheel) -> Path:
    """The folder the wheel is installed into (``pip install --no-deps --target``)."""
    target = wheel.parent.parent / "target"
    pip("install", "--no-deps", "--no-compile", "--target", str(target), str(wheel), cwd=wheel.parent)
    return target


def test_the_wheel_carries_every_subpackage_and_the_models(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in SOURCE_PACKAGES:
        for module in (REPO / package).rglob("*.py"):
            assert module.relative_to(REPO).as_posix() in names
        assert f"{package}/py.typed" in names
    for resource in ("units.csv", "commitment_strength.toml", "README.md", "README_strength.md"):
        assert f"models/{resource}" in names
    assert not any(name.startswith(("tests/", "data/", "benchmarks/")) for name in names)


def run_installed(installed: Path, *command: str, cwd: Path) -> subprocess.CompletedProcess:
    """``command`` run in ``cwd`` with the installed package, not the repository's editable one
    (the dependencies from this Python)."""
    return subprocess.run(
        list(command),
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_installed_wheel_runs_the_county_plan_from_another_folder(installed, tmp_path):
    folder = tmp_path / "analyst"
    (folder / "plans").mkdir(parents=True)
    shutil.copy(COUNTY_PLAN, folder / "plans")
    where = run_installed(
        installed,
        sys.executable,
        "-c",
        "import pipeline, extractors, models; print(pipeline.__file__, models.__file__)",
        cwd=folder,
    )
    assert all(Path(path).is_relative_to(installed) for path in where.stdout.split()), where
    run = run_installed(installed, sys.executable, str(installed / "bin" / "guanche"), "run", "plans/", cwd=folder)
    assert run.returncode == 0, run.stderr
    assert "1 document(s) read, 8 sections, 26 tasks" in run.stdout
    assert "89 unit assignments" in run.stdout  # the unit registry, read from the installed models/
    assert (folder / "guanche-output" / "tasks.csv").is_file()
    assert not (installed / "data").exists()


def test_the_installed_wheel_ships_the_example_plan_for_the_notebooks(wheel, installed, tmp_path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (COUNTY_PLAN, COUNTY_PLAN.parent / "manifest.toml"):
        assert f"pipeline/examples/county/{shipped.name}" in names
        assert (installed / "pipeline" / "examples" / "county" / shipped.name).read_bytes() == shipped.read_bytes()
    read = run_installed(
        installed,
        sys.executable,
        "-c",
        "from pipeline import api; tables = api.read(api.example_plan()); "
        "print(api.example_plan()); print(len(tables.tasks), tables.documents['doc_id'][0])",
        cwd=tmp_path,
    )
    assert read.returncode == 0, read.stderr
    folder, counts = read.stdout.splitlines()
    assert Path(folder).is_relative_to(installed)
    assert counts == "26 alxa-left-banner-2024-rule-of-law-government-plan"  # its manifest id, so the manifest was read
