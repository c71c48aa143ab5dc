"""Read input files into normalised text plus source metadata.

``read_source`` is the one entry point: it picks the reader by file extension, decodes, normalises
(full-width ASCII, odd spaces, line ends) and records the file's sha256. Every problem becomes an
:class:`~pipeline.errors.InputError` naming the file and what to do.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.normalise import NormalisedText, normalise
from pipeline.ingest.readers.base import ReadResult

# Suffix → (reader module, function). A reader is imported the first time a file needs it, so
# that a run on text and web pages does not pay for loading pdfplumber and python-docx.
READERS: dict[str, tuple[str, str]] = {
    ".txt": ("pipeline.ingest.readers.plaintext", "read_plain_text"),
    ".text": ("pipeline.ingest.readers.plaintext", "read_plain_text"),
    ".md": ("pipeline.ingest.readers.plaintext", "read_markdown"),
    ".markdown": ("pipeline.ingest.readers.plaintext", "read_markdown"),
    ".html": ("pipeline.ingest.readers.webpage", "read_html"),
    ".htm": ("pipeline.ingest.readers.webpage", "read_html"),
    ".docx": ("pipeline.ingest.readers.word", "read_docx"),
    ".pdf": ("pipeline.ingest.readers.pdf", "read_pdf"),
}
SUPPORTED_SUFFIXES = tuple(READERS)
# Far above any real plan or law (the Civil Code has about 110,000 characters), low enough to
# keep one document's tables within a worker's memory.
MAX_FILE_BYTES = 256 * 2**20
MAX_TEXT_CHARS = 20_000_000
_SPLIT_IT = "split it into several files (e.g. one per part or annex) and read those"


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

    ``text`` is normalised (see :mod:`pipeline.ingest.normalise`); ``normalised.original`` and its offset
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
    extension, is empty, bigger than ``MAX_FILE_BYTES`` or longer than ``MAX_TEXT_CHARS``, or
    its reader cannot make text of it.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder", "check the path")
    if not path.is_file():
        raise InputError(path, "not a regular file", "give a document file or a folder of them")
    reader = reader_for(path.suffix)
    if reader is None:
        raise InputError(
            path,
            f"unsupported file type '{path.suffix or '(none)'}'",
            "convert it to one of " + " ".join(SUPPORTED_SUFFIXES),
        )
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(path, f"too big: more than {MAX_FILE_BYTES // 2**20} MB", _SPLIT_IT)
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})", "check its permissions") from None
    if not data.strip():
        raise InputError(path, "empty file", "check it was saved or downloaded completely")
    result = reader(data, path)
    if len(result.text) > MAX_TEXT_CHARS:
        raise InputError(
            path, f"too long: {len(result.text):,} characters, more than {MAX_TEXT_CHARS:,} in one document", _SPLIT_IT
        )
    normalised = normalise(result.text)
    text = normalised.text
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise InputError(
            path,
            "no Chinese text found",
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
