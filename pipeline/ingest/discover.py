"""Input discovery: the document files that the paths of a run name, folders expanded."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.ingest.source import supported_suffixes


def _is_candidate(child: Path, folder: Path, suffixes: tuple[str, ...]) -> bool:
    """True for a file name in ``folder`` that a run reads: one of the ``suffixes`` read, not
    hidden and not a note (a manifest, README.*). Its type is not looked at here (a FIFO, device,
    broken or looping link is refused by :func:`read_source`, which never opens one)."""
    hidden = any(part.startswith(".") for part in child.relative_to(folder).parts)
    return not hidden and child.stem.upper() != "README" and child.suffix.lower() in suffixes


def _folder_files(folder: Path) -> Iterator[Path]:
    """The candidate files under ``folder``, in sorted order. Links to folders are not followed,
    so a link back up the tree cannot loop; hidden folders are not walked."""
    found = []
    for root, folders, files in os.walk(folder, followlinks=False):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [Path(root, name) for name in files]
    suffixes = supported_suffixes()
    yield from (child for child in sorted(found) if _is_candidate(child, folder, suffixes))


def discover_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield the document files named by ``paths``, expanding folders recursively.

    Files inside folders are yielded in sorted order and only when their extension is supported
    and they are not notes (a manifest, README.* or hidden files beside the documents are
    skipped); paths named directly are yielded as given, so that :func:`read_source` can report
    what is wrong with them.
    """
    for path in map(Path, paths):
        if path.is_dir():
            yield from _folder_files(path)
        else:
            yield path
