"""Configuration in one place: where a run reads and writes by default, and the settings that
reach the stages (the linker's parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pipeline.errors import InputError

OUTPUT_FOLDER = "guanche-output"  # where a run on named inputs writes, in the current folder


@dataclass(frozen=True)
class Settings:
    """Settings of one run, given to every stage.

    ``linker`` holds :class:`pipeline.cascade.linker.DirectiveLinker` constructor parameters
    (e.g. ``{"threshold": 0.6}``, a link probability); empty means the linker's defaults.
    """

    linker: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def default_raw_dir() -> Path:
    """data/raw/ of the current folder, the input folder when no PATH is given (in the repository:
    the shipped county plan and its manifest). Raises :class:`InputError` when the current folder
    has none: the package's own folder is never read or written."""
    raw = Path.cwd() / "data" / "raw"
    if not raw.is_dir():
        raise InputError(
            raw,
            "no PATH given and this folder has no data/raw/",
            "name the files or folders to read (guanche run plans/) or run guanche in the folder that holds data/raw/",
        )
    return raw


def default_out_dir(*, inputs_named: bool) -> Path:
    """The output folder when no --out is given: data/processed/ next to data/raw/ when the
    inputs are the default ones, else ./guanche-output in the current folder (never a folder
    derived from the inputs' or the package's place)."""
    return default_raw_dir().parent / "processed" if not inputs_named else Path.cwd() / OUTPUT_FOLDER
