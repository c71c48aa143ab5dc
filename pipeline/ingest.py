"""Read input files into normalised text plus source metadata.

``read_source`` is the one entry point: it picks the reader by file extension, decodes, normalises
(full-width ASCII, odd spaces, line ends) and records the file's sha256. Every problem becomes an
:class:`~pipeline.errors.InputError` naming the file and what to do.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.readers.base import ReadResult
from pipeline.textnorm import NormalisedText, normalise

# Suffix → (reader module, function). A reader is imported the first time a file needs it, so
# that a run on text and web pages does not pay for loading pdfplumber and python-docx.
READERS: dict[str, tuple[str, str]] = {
    ".txt": ("pipeline.readers.plaintext", "read_plain_text"),
    ".text": ("pipeline.readers.plaintext", "read_plain_text"),
    ".md": ("pipeline.readers.plaintext", "read_markdown"),
    ".markdown": ("pipeline.readers.plaintext", "read_markdown"),
    ".html": ("pipeline.readers.webpage", "read_html"),
    ".htm": ("pipeline.readers.webpage", "read_html"),
    ".docx": ("pipeline.readers.word", "read_docx"),
    ".pdf": ("pipeline.readers.pdf", "read_pdf"),
}
SUPPORTED_SUFFIXES = tuple(READERS)


def reader_for(suffix: str) -> Callable[[bytes, Path], ReadResult] | None:
    """The reader of files ending in ``suffix`` (any case), imported on first use; None when the
    type is not supported."""
    entry = READERS.get(suffix.lower())
    if entry is None:
        return None
    module, function = entry
    return getattr(importlib.import_module(module), function)


@dataclass(frozen=True)
class SourceText:
    """A decoded, normalised input document.

    ``text`` is normalised (see :mod:`pipeline.textnorm`); ``normalised.original`` and its offset
    map lead back to the decoded original. ``metadata`` holds what the file itself declares
    (title, issuer, issued_on, published_on, doc_number) before any inference.
    """

    path: Path
    text: str
    encoding: str
    sha256: str
    metadata: dict[str, str] = field(default_factory=dict)
    normalised: NormalisedText | None = field(default=None, repr=False, compare=False)


def read_source(path: str | Path) -> SourceText:
    """Read one document file.

    Raises :class:`InputError` when the path does not exist, is not a file, has an unsupported
    extension, is empty, or its reader cannot make text of it.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder", "check the path")
    if not path.is_file():
        raise InputError(path, "not a regular file", "give a document file or a folder of them")
    reader = reader_for(path.suffix)
    if reader is None:
        raise InputError(
            path, f"unsupported file type '{path.suffix or '(none)'}'",
            "convert it to one of " + " ".join(SUPPORTED_SUFFIXES),
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})", "check its permissions") from None
    if not data.strip():
        raise InputError(path, "empty file", "check it was saved or downloaded completely")
    result = reader(data, path)
    normalised = normalise(result.text)
    text = normalised.text
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise InputError(
            path, "no Chinese text found",
            "check the file is a Chinese plan and is not mis-encoded or an image",
        )
    return SourceText(
        path=path,
        text=text,
        encoding=result.encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        metadata=result.metadata,
        normalised=normalised,
    )


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
