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
The file is checked against a schema (:class:`ManifestFile`, pydantic): an unknown key (``levle``),
a wrong type or a year in Chinese numerals is one :class:`InputError` naming the manifest, the
entry and the key.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from pipeline.document.metadata import LEVELS
from pipeline.errors import InputError

MANIFEST_NAME = "manifest.toml"
_OVERRIDABLE = ("title", "issuer", "level", "region", "year", "issued_on", "doc_number")


class ManifestDocument(BaseModel):
    """One ``[[documents]]`` entry: every key optional, none other allowed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictStr | None = None
    file: StrictStr | None = None
    title: StrictStr | None = None
    issuer: StrictStr | None = None
    level: Literal[LEVELS] | None = None  # type: ignore[valid-type]
    region: StrictStr | None = None
    year: Annotated[StrictInt, Field(ge=1900, le=2200)] | None = None
    issued_on: date | None = None  # a TOML date (2024-03-01) or the same as text
    doc_number: StrictStr | None = None
    parents: list[StrictStr] = []


class ManifestFile(BaseModel):
    """A manifest file: its ``[[documents]]`` entries and nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    documents: list[ManifestDocument] = []


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

    Raises :class:`InputError` when the file is missing, is not valid TOML, or does not fit
    :class:`ManifestFile` (:func:`schema_problem` says where and what).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(path, "manifest not found", "check the --manifest path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"manifest is not valid TOML ({error})", "fix the file") from None
    try:
        checked = ManifestFile.model_validate(data)
    except ValidationError as error:
        raise InputError(path, *schema_problem(error, data)) from None
    return Manifest([_entry(document, path.parent) for document in checked.documents])


def _entry(document: ManifestDocument, folder: Path) -> ManifestEntry:
    """The entry of a checked ``document``, its file resolved against the manifest's ``folder``
    and its date written as the documents table writes dates (2024-03-01)."""
    given = document.model_dump(include=set(_OVERRIDABLE), exclude_none=True)
    if "issued_on" in given:
        given["issued_on"] = given["issued_on"].isoformat()
    return ManifestEntry(
        doc_id=document.id,
        file=Path(os.path.realpath(folder / document.file)) if document.file else None,
        overrides=given,
        parents=tuple(document.parents),
    )


def schema_problem(error: ValidationError, data: dict[str, Any]) -> tuple[str, str]:
    """The problem and the advice of the first mistake ``error`` found in a manifest's ``data``:
    the entry (its number and id or file) and the key, what is wrong, and what to write."""
    first = error.errors()[0]
    location = list(first["loc"])
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    where = "top level"
    if location[:1] == ["documents"] and len(location) > 1 and isinstance(location[1], int):
        entry = data["documents"][location[1]]
        name = entry.get("id") or entry.get("file") if isinstance(entry, dict) else None
        where = f"[[documents]] entry {location[1] + 1}" + (f" ({name})" if isinstance(name, str) else "")
        location = location[2:]
    key = ".".join(str(part) for part in location) or "documents"
    fields = ManifestDocument.model_fields if where != "top level" else ManifestFile.model_fields
    if first["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, list(fields), n=1)
        advice = f"did you mean '{close[0]}'?" if close else "remove it"
        return f"{where}: unknown key '{key}'{more}", f"{advice} Keys: {', '.join(fields)}"
    value = first.get("input")
    if location[:1] == ["year"]:
        return f"{where}: year must be a year in digits, not {value!r}{more}", "write e.g. year = 2024, without quotes"
    if location[:1] == ["level"]:
        return f"{where}: unknown level {value!r}{more}", _advice("level")
    return f"{where}: key '{key}': {first['msg'].lower()}, not {value!r}{more}", _advice(
        location[0] if location else ""
    )


def _advice(key: object) -> str:
    """What to write for ``key`` of a document entry."""
    if key == "level":
        return "use one of " + ", ".join(LEVELS)
    if key == "issued_on":
        return "write a date, e.g. issued_on = 2024-03-01"
    if key == "parents":
        return 'list ids or titles, e.g. parents = ["内蒙古自治区2024年法治政府建设工作计划"]'
    return "write it as text in quotes"


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
