"""Read input files into normalised text plus source metadata.

``read_source`` is the one entry point: it picks the reader by file extension, decodes, normalises
(full-width ASCII, odd spaces, line ends) and records the file's sha256. Every problem becomes an
:class:`~pipeline.errors.InputError` naming the file and what to do.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import os
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from extractors.chinese import HAN_CHAR
from pipeline.errors import InputError
from pipeline.ingest.decode import han_sample
from pipeline.ingest.normalise import NormalisedText, normalise
from pipeline.ingest.readers.base import ReadResult
from pipeline.ingest.script import SIMPLIFIED, TRADITIONAL, script_of, to_simplified

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
# Word 97-2003, WPS and RTF files: converted to DOCX by LibreOffice where it is installed (looked
# up when they are read, see find_libreoffice), else skipped in folders and refused by name, with
# how to read them.
LIBREOFFICE_SUFFIXES = (".doc", ".wps", ".rtf")
LIBREOFFICE_PROGRAMS = ("soffice", "libreoffice")
INSTALL_LIBREOFFICE = "install LibreOffice (sudo apt-get install libreoffice-writer) to read it, or save it as .docx"
# Far above any real plan or law (the Civil Code has about 110,000 characters), low enough to
# keep one document's tables within a worker's memory.
MAX_FILE_BYTES = 256 * 2**20
MAX_TEXT_CHARS = 20_000_000
_SPLIT_IT = "split it into several files (e.g. one per part or annex) and read those"


def find_libreoffice() -> str | None:
    """The path of LibreOffice's program (``soffice``, or ``libreoffice``) on the PATH, or None
    when it is not installed. Looked up each time a run needs it, never at import, so that a
    LibreOffice installed (or removed) meanwhile counts."""
    return next(filter(None, map(shutil.which, LIBREOFFICE_PROGRAMS)), None)


def supported_suffixes() -> tuple[str, ...]:
    """The file types read now: those of :data:`READERS`, and .doc, .wps and .rtf when LibreOffice
    is installed (:func:`find_libreoffice`)."""
    return (*READERS, *LIBREOFFICE_SUFFIXES) if find_libreoffice() else tuple(READERS)


def reader_for(suffix: str) -> Callable[[bytes, Path], ReadResult] | None:
    """The reader of files ending in ``suffix`` (any case), imported on first use; None when the
    type is not supported, or is one of :data:`LIBREOFFICE_SUFFIXES` and LibreOffice is not
    installed."""
    suffix = suffix.lower()
    if suffix in LIBREOFFICE_SUFFIXES:
        soffice = find_libreoffice()
        if soffice is None:
            return None
        return partial(importlib.import_module("pipeline.ingest.readers.word").read_with_libreoffice, soffice=soffice)
    entry = READERS.get(suffix)
    if entry is None:
        return None
    module, function = entry
    return getattr(importlib.import_module(module), function)


@dataclass(frozen=True)
class SourceText:
    """A decoded, normalised input document.

    ``text`` is normalised (see :mod:`pipeline.ingest.normalise`); ``normalised.original`` and its offset
    map lead back to the decoded original. ``script`` is the script the document is written in:
    for traditional text, ``text`` is its simplified form (character for character) and
    ``normalised.original`` the text as written. ``metadata`` holds what the file itself declares
    (title, issuer, issued_on, published_on, doc_number) before any inference.
    """

    path: Path
    text: str
    encoding: str
    sha256: str
    metadata: dict[str, str] = field(default_factory=dict)
    normalised: NormalisedText | None = field(default=None, repr=False, compare=False)
    script: str = SIMPLIFIED


# Characters a terminal does not show as themselves: C0 and C1 controls (a tab, a line end, ESC
# starting a colour sequence) and the line and paragraph separators.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def printable(text: str | Path) -> str:
    """``text`` (a path, or a message naming one) with every byte of a file name that is not
    valid UTF-8 (which Python keeps as a surrogate escape) written as ``\\xNN``, and every
    control character as ``\\xNN`` (``\\uNNNN`` above U+007F): valid UTF-8 that prints on one
    line, as it is, and goes into tables (``b'\\xff.txt'`` gives ``\\xff.txt``, a name holding
    a tab ``a\\x09b.txt``)."""
    shown = os.fsdecode(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _UNPRINTABLE.sub(_escape, shown)


def _not_a_regular_file(path: Path, shown: Path) -> InputError | None:
    """Why ``path`` is not a regular file (missing, a broken or looping link, a folder, FIFO,
    device or socket), found without opening it, so a FIFO never blocks; None for a regular file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            target = printable(os.readlink(path))
            return InputError(shown, f"a link to a file that does not exist ({target})", "fix or remove the link")
        return InputError(shown, "no such file or folder", "check the path")
    except OSError as error:
        if error.errno == errno.ELOOP:
            return InputError(
                shown, "a link that leads back to itself (a symbolic link loop)", "fix or remove the link"
            )
        return InputError(shown, f"cannot be read ({error.strerror})", "check its permissions")
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(mode)), "a device")
    return InputError(shown, f"not a document file but {kind}", "give a document file or a folder of them")


def _reader(suffix: str, shown: Path) -> Callable[[bytes, Path], ReadResult]:
    """The reader of the file ``shown`` ending in ``suffix``. Raises :class:`InputError` for a
    type not read, saying to install LibreOffice for the types it converts."""
    reader = reader_for(suffix)
    if reader is not None:
        return reader
    if suffix.lower() in LIBREOFFICE_SUFFIXES:
        raise InputError(shown, f"a {suffix} file needs LibreOffice, which is not installed", INSTALL_LIBREOFFICE)
    raise InputError(
        shown,
        f"unsupported file type '{suffix or '(none)'}'",
        "convert it to one of " + " ".join(supported_suffixes()),
    )


def _document_bytes(path: Path, shown: Path) -> bytes:
    """The bytes of the regular file ``path`` (shown as ``shown``). Raises :class:`InputError`
    when it is bigger than :data:`MAX_FILE_BYTES`, cannot be read, or holds only blank bytes."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(shown, f"too big: more than {MAX_FILE_BYTES // 2**20} MB", _SPLIT_IT)
        data = path.read_bytes()
    except OSError as error:
        raise InputError(shown, f"cannot be read ({error.strerror})", "check its permissions") from None
    if not data.strip():
        raise InputError(shown, "empty file", "check it was saved or downloaded completely")
    return data


def read_source(path: str | Path) -> SourceText:
    """Read one document file.

    Raises :class:`InputError` when the path does not exist, is not a regular file (a broken
    or looping link, a FIFO, a device), has an unsupported extension, is empty, bigger than
    ``MAX_FILE_BYTES`` or longer than ``MAX_TEXT_CHARS``, or its reader cannot make text of it.
    Messages show the path with :func:`printable`.
    """
    path = Path(path)
    shown = Path(printable(path))
    problem = _not_a_regular_file(path, shown)
    if problem is not None:
        raise problem
    reader = _reader(path.suffix, shown)
    data = _document_bytes(path, shown)
    result = reader(data, shown)
    if len(result.text) > MAX_TEXT_CHARS:
        raise InputError(
            shown, f"too long: {len(result.text):,} characters, more than {MAX_TEXT_CHARS:,} in one document", _SPLIT_IT
        )
    normalised = normalise(result.text)
    script = script_of(han_sample(normalised.text))
    if script == TRADITIONAL:  # matched on the simplified form; the original keeps the traditional
        normalised = NormalisedText(to_simplified(normalised.text), normalised.original, normalised.offsets)
    text = normalised.text
    if not HAN_CHAR.search(text):
        raise InputError(
            shown,
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
        script=script,
    )
