"""The files a run skips in the folders it is given because their type is not read (.doc, .wps,
scans …), and what the command line says about them.

Discovery (:func:`pipeline.ingest.discover.discover_inputs`) decides which files are read; a
file of a folder it does not yield is skipped here unless discovery ignores it on purpose (a
hidden file, a README.* note, the manifest).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from pipeline.document.manifest import MANIFEST_NAME
from pipeline.errors import InputError
from pipeline.ingest.source import LIBREOFFICE_SUFFIXES, supported_suffixes

LISTED = 10  # skipped files named in a message
_SAVE_AS_DOCX = "save them as DOCX or PDF"
_ADVICE = {
    **dict.fromkeys((".dot", ".wpt", ".odt", ".ofd", ".xls", ".xlsx", ".et"), _SAVE_AS_DOCX),
    **dict.fromkeys(LIBREOFFICE_SUFFIXES, f"install LibreOffice to read them, or {_SAVE_AS_DOCX}"),
    **dict.fromkeys(
        (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif"),
        "run OCR on them (e.g. ocrmypdf -l chi_sim) and read the OCRed PDF",
    ),
    **dict.fromkeys((".zip", ".rar", ".7z"), "unpack them first"),
}


def skipped_files(paths: Iterable[Path], *, found: Collection[Path]) -> dict[Path, list[Path]]:
    """For each folder among ``paths``, the files under it (relative to it, sorted) that are not
    among the ``found`` inputs and that discovery does not ignore on purpose (hidden files,
    README.* notes, the manifest): the files whose type is not read. Folders without any are
    left out."""
    found = set(found)
    skipped = {}
    for folder in (path for path in paths if path.is_dir()):
        files = [
            child.relative_to(folder)
            for child in sorted(folder.rglob("*"))
            if child.is_file() and child not in found and not _ignored(child.relative_to(folder))
        ]
        if files:
            skipped[folder] = files
    return skipped


def _ignored(relative: Path) -> bool:
    """Whether discovery passes over the file at ``relative`` on purpose, as not a document."""
    hidden = any(part.startswith(".") for part in relative.parts)
    return hidden or relative.stem.upper() == "README" or relative.name == MANIFEST_NAME


def no_document_error(paths: list[Path], skipped: dict[Path, list[Path]]) -> InputError:
    """The error of a run that found no document to read in ``paths``: which file types it saw
    and skipped, and what to do about them."""
    where = ", ".join(map(str, paths))
    if not skipped:
        return InputError(where, "no supported document found", f"put {' '.join(supported_suffixes())} files there")
    problem, advice = _describe(skipped)
    return InputError(where, f"no supported document found; {problem}", advice)


def skipped_note(skipped: dict[Path, list[Path]]) -> str:
    """The run summary's note on the files skipped beside the documents that were read."""
    problem, advice = _describe(skipped)
    return f"skipped: {problem} — {advice}"


def _describe(skipped: dict[Path, list[Path]]) -> tuple[str, str]:
    """What was skipped (the types, how many files, their names) and the advice for those types."""
    several_folders = len(skipped) > 1
    names = [
        str(folder / file) if several_folders else str(file) for folder, files in skipped.items() for file in files
    ]
    suffixes = sorted({Path(name).suffix.lower() or "extensionless" for name in names})
    listed = ", ".join(names[:LISTED]) + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")
    count = f"{len(names)} file{'s' if len(names) > 1 else ''}"
    return f"{_joined(suffixes)} files are not read ({count}: {listed})", _advice(suffixes)


def _advice(suffixes: list[str]) -> str:
    """What to do about files of the ``suffixes`` not read: one advice, or one for each group of
    types that share it (".doc: install LibreOffice …; .jpg: run OCR …")."""
    read = " ".join(supported_suffixes())
    by_advice: dict[str, list[str]] = {}
    for suffix in suffixes:
        by_advice.setdefault(_ADVICE.get(suffix, f"only {read} files are read"), []).append(suffix)
    if len(by_advice) == 1:
        return next(iter(by_advice))
    return "; ".join(f"{_joined(kinds)}: {advice}" for advice, kinds in by_advice.items())


def _joined(suffixes: list[str]) -> str:
    """``.doc``, ``.doc and .wps``, ``.doc, .rtf and .wps``."""
    return suffixes[0] if len(suffixes) == 1 else f"{', '.join(suffixes[:-1])} and {suffixes[-1]}"
