"""Input discovery: the document files that the paths of a run name, folders expanded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.ingest.source import READERS


def discover_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield the document files named by ``paths``, expanding folders recursively.

    Files inside folders are yielded in sorted order and only when their extension is supported
    and they are not notes (a manifest, README.* or hidden files beside the documents are
    skipped); paths named directly are yielded as given, so that :func:`read_source` can report
    what is wrong with them.
    """
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                notes = child.stem.upper() == "README"
                if child.is_file() and not hidden and not notes and child.suffix.lower() in READERS:
                    yield child
        else:
            yield path
