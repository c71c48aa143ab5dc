"""What a format reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReadResult:
    """Plain text of a document (paragraphs on their own lines) and metadata found in the file.

    ``metadata`` keys, when the format carries them: title, issuer, issued_on, published_on,
    doc_number. ``encoding`` is the text encoding detected, or the container format.
    """

    text: str
    encoding: str
    metadata: dict[str, str] = field(default_factory=dict)


TABLE_CELL_SEPARATOR = "\t"


def table_row_line(cells: list[str]) -> str:
    """Join one table row's cells into a line, dropping repeats of merged cells."""
    kept: list[str] = []
    for cell in cells:
        cell = " ".join((cell or "").split())
        if kept and cell == kept[-1] and cell:
            continue
        kept.append(cell)
    return TABLE_CELL_SEPARATOR.join(kept)
