"""Where the project's default inputs and outputs live."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def project_dir() -> Path:
    """The folder holding data/raw: the current folder when it has one, else the repository."""
    return Path.cwd() if (Path.cwd() / "data" / "raw").is_dir() else REPO_ROOT


def default_raw_dir() -> Path:
    """data/raw/, the default input folder (the shipped county plan and its manifest)."""
    return project_dir() / "data" / "raw"


def default_out_dir() -> Path:
    """data/processed/, the default output folder."""
    return project_dir() / "data" / "processed"
