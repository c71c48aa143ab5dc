"""Plain text and Markdown."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.ingest.decode import decode_bytes
from pipeline.ingest.readers.base import TABLE_CELL_SEPARATOR, ReadResult

_CARRIAGE_RETURN = re.compile(r"\r\n?")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def read_plain_text(data: bytes, path: Path) -> ReadResult:
    """Decode a .txt file. Raises :class:`~pipeline.errors.InputError` on undecodable bytes."""
    text, encoding = decode_bytes(data, path)
    return ReadResult(text=text, encoding=encoding)


def read_markdown(data: bytes, path: Path) -> ReadResult:
    """Decode a .md file and drop its markup (heading marks, emphasis, HTML comments); tabs
    become spaces, and CR LF or lone CR line ends LF.

    The first level-1 heading, when there is one, becomes the ``title_hint`` metadata.
    """
    text, encoding = decode_bytes(data, path)
    text = _CARRIAGE_RETURN.sub("\n", text)  # headings are found line by line, lone CRs too
    text = _HTML_COMMENT.sub("", text)
    metadata: dict[str, str] = {}
    first_heading = re.search(r"^\s{0,3}#\s+(.+)$", text, re.M)
    if first_heading:
        metadata["title_hint"] = first_heading.group(1).strip()
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    # Markdown tables are written with pipes: a tab is only space here, never the table-cell
    # separator that the other readers put between a table row's cells
    text = text.replace(TABLE_CELL_SEPARATOR, " ")
    return ReadResult(text=text, encoding=encoding, metadata=metadata)
