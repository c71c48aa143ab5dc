"""Configuration in one place: where a run reads and writes by default, and the settings that
reach the stages (the linker's parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Settings of one run, given to every stage.

    ``linker`` holds :class:`pipeline.cascade.linker.DirectiveLinker` constructor parameters
    (e.g. ``{"threshold": 0.6}``, a link probability); empty means the linker's defaults.
    """

    linker: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def project_dir() -> Path:
    """The folder holding data/raw: the current folder when it has one, else the repository."""
    return Path.cwd() if (Path.cwd() / "data" / "raw").is_dir() else REPO_ROOT


def default_raw_dir() -> Path:
    """data/raw/, the default input folder (the shipped county plan and its manifest)."""
    return project_dir() / "data" / "raw"


def default_out_dir() -> Path:
    """data/processed/, the default output folder."""
    return project_dir() / "data" / "processed"
