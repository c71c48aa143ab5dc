"""PDF files with a text layer (pdfplumber): reading order, no running heads or page numbers,
wrapped lines re-joined into paragraphs, tables as rows."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.document.numbering import match_numbering
from pipeline.errors import InputError
from pipeline.ingest.readers.base import ReadResult, table_row_line

_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(第\s*)?\d{1,4}(\s*页)?(\s*/\s*(共\s*)?\d{1,4}\s*页?)?[-—–－\s]*$")
_SENTENCE_END = ("。", "！", "？")


@dataclass
class _Line:
    top: float
    x0: float
    x1: float
    text: str
    is_table_row: bool = False


def _page_lines(page) -> list[_Line]:
    """Text lines and table rows of one page, top to bottom."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]

    def outside_tables(obj) -> bool:
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    lines = [
        _Line(line["top"], line["x0"], line["x1"], line["text"].strip())
        for line in text_page.extract_text_lines(layout=False, strip=True)
        if line["text"].strip()
    ]
    for table in tables:
        for row_index, row in enumerate(table.extract()):
            text = table_row_line([cell or "" for cell in row])
            if text.strip():
                lines.append(_Line(table.bbox[1] + row_index * 0.01, 0, 0, text, True))
    return sorted(lines, key=lambda line: line.top)


def _running_lines(pages: list[list[_Line]]) -> set[str]:
    """Texts that recur at the top or bottom of at least half the pages (headers, footers)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        edge = {re.sub(r"\d+", "#", line.text) for line in lines[:1] + lines[-1:]}
        seen.update(edge)
    return {text for text, count in seen.items() if count >= len(pages) / 2}


def _opens_paragraph(text: str) -> bool:
    """True for a line that starts a numbered item (一、 （一） 1. 第一条 …) or an 附件 note."""
    return match_numbering(text) is not None or text.startswith("附件")


def _join_paragraphs(lines: list[_Line], char_width: float) -> list[str]:
    """Re-join lines that wrap at the right margin into paragraphs.

    A line continues the previous one when that one reached the right margin and this one does
    not open a numbered item; after a full stop at the margin it must also not be indented (a
    new paragraph's first-line indent).
    """
    text_lines = [line for line in lines if not line.is_table_row]
    right_margin = max((line.x1 for line in text_lines), default=0.0)
    left_margin = min((line.x0 for line in text_lines), default=0.0)
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line in lines:
        joins = (
            previous is not None
            and not line.is_table_row
            and not previous.is_table_row
            and previous.x1 >= right_margin - 1.5 * char_width
            and not _opens_paragraph(line.text)
            and (not previous.text.endswith(_SENTENCE_END) or line.x0 <= left_margin + char_width / 2)
        )
        if joins:
            paragraphs[-1] += line.text
        else:
            paragraphs.append(line.text)
        previous = line
    return paragraphs


def read_pdf(data: bytes, path: Path) -> ReadResult:
    """Read a PDF's text layer.

    Raises :class:`~pipeline.errors.InputError` for a damaged or truncated PDF, an encrypted one,
    and a scanned PDF with no text layer ("scanned, needs OCR").
    """
    try:
        with pdfplumber.open(BytesIO(data)) as pdf:
            pages = [_page_lines(page) for page in pdf.pages]
            metadata_title = (pdf.metadata or {}).get("Title")
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError) as error:
        raise InputError(
            path,
            f"damaged, truncated or encrypted PDF ({type(error).__name__})",
            "get an intact copy of the file, or open and re-save it as PDF",
        ) from None
    if not any(pages):
        raise InputError(
            path,
            "scanned, needs OCR: the PDF has no text layer",
            "run OCR on it first (e.g. ocrmypdf -l chi_sim) and read the OCRed PDF",
        )
    running = _running_lines(pages)
    kept = [
        line
        for lines in pages
        for line in lines
        if not _PAGE_NUMBER.match(line.text) and re.sub(r"\d+", "#", line.text) not in running
    ]
    widths = [(line.x1 - line.x0) / len(line.text) for line in kept if line.text and not line.is_table_row]
    char_width = sorted(widths)[len(widths) // 2] if widths else 10.0
    metadata = (
        {"title_hint": metadata_title.strip()} if isinstance(metadata_title, str) and metadata_title.strip() else {}
    )
    return ReadResult(
        text="\n".join(_join_paragraphs(kept, char_width)),
        encoding="pdf",
        metadata=metadata,
    )
