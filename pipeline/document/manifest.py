"""The manifest (TOML) that describes input documents: ids, levels, regions, years, parents.

Format (data/raw/manifest.toml)::

    [[documents]]
    id = "alxa-left-banner-2024-rule-of-law-government-plan"
    file = "alxa-left-banner-2024-rule-of-law-government-plan.txt"  # relative to the manifest
    level = "county"
    region = "阿拉善左旗"
    year = 2024
    parents = ["内蒙古自治区2024年法治政府建设工作计划", "阿拉善盟2024年法治政府建设工作计划"]

Any documents-table field (title, issuer, level, region, year, issued_on, doc_number) given
here overrides what is inferred from the text. ``parents`` names parent documents by id or title.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document.metadata import LEVELS
from pipeline.errors import InputError

MANIFEST_NAME = "manifest.toml"
_OVERRIDABLE = ("title", "issuer", "level", "region", "year", "issued_on", "doc_number")


@dataclass(frozen=True)
class ManifestEntry:
    """What the manifest says about one document."""

    doc_id: str | None
    file: Path | None
    overrides: dict = field(default_factory=dict)
    parents: tuple[str, ...] = ()


@dataclass
class Manifest:
    """Entries from one or more manifest files, looked up by document file."""

    entries: list[ManifestEntry] = field(default_factory=list)

    def entry_for(self, path: Path) -> ManifestEntry | None:
        """Return the entry whose ``file`` is ``path``, or whose id is the file's stem."""
        resolved = Path(os.path.realpath(path))  # never raises, a link loop included
        for entry in self.entries:
            if entry.file is not None and entry.file == resolved:
                return entry
        for entry in self.entries:
            if entry.file is None and entry.doc_id == path.stem:
                return entry
        return None

    def extend(self, other: Manifest) -> None:
        """Add another manifest's entries (earlier entries win on lookup)."""
        self.entries.extend(other.entries)


def load_manifest(path: str | Path) -> Manifest:
    """Read a manifest TOML file.

    Raises :class:`InputError` when the file is missing, is not valid TOML, or names an
    unknown level.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(path, "manifest not found", "check the --manifest path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"manifest is not valid TOML ({error})", "fix the file") from None
    entries = []
    for raw in data.get("documents", []):
        level = raw.get("level")
        if level is not None and level not in LEVELS:
            raise InputError(path, f"unknown level '{level}'", "use one of " + ", ".join(LEVELS))
        file = Path(os.path.realpath(path.parent / raw["file"])) if raw.get("file") else None
        entries.append(
            ManifestEntry(
                doc_id=raw.get("id"),
                file=file,
                overrides={k: raw[k] for k in _OVERRIDABLE if k in raw},
                parents=tuple(raw.get("parents", ())),
            )
        )
    return Manifest(entries)


def find_manifests(paths: list[Path]) -> Manifest:
    """Load every manifest.toml in the given folders, or beside the given files."""
    manifest = Manifest()
    seen: set[Path] = set()
    for path in sorted(paths, key=os.fsencode):  # in path order, whatever the order given
        folder = path if path.is_dir() else path.parent
        candidate = Path(os.path.realpath(folder / MANIFEST_NAME))
        if candidate not in seen and candidate.is_file():
            seen.add(candidate)
            manifest.extend(load_manifest(candidate))
    return manifest


def default_doc_id(path: Path) -> str:
    """A document id from its file name: the stem, with spaces and odd characters as '-'."""
    return re.sub(r"[^\w.-]+", "-", path.stem).strip("-") or "document"


def resolve_manifest(paths: list[Path], manifest_path: Path | None) -> Manifest:
    """The manifest given with --manifest, else every manifest.toml beside the inputs.

    Raises :class:`InputError` when a manifest cannot be read.
    """
    return load_manifest(manifest_path) if manifest_path else find_manifests(paths)
