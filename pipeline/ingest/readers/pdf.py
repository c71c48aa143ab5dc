"""PDF files with a text layer (pdfplumber): reading order, no running heads or page numbers,
wrapped lines re-joined into paragraphs, tables as rows."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pdfplumber
from pdfminer import pdftypes
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from pipeline.document.numbering import match_numbering
from pipeline.errors import InputError
from pipeline.ingest.readers.base import ReadResult, table_row_line

# Far above real plans (a long one has a few hundred pages and streams of a few MB).
MAX_PDF_PAGES = 5_000
MAX_STREAM_BYTES = 256 * 2**20
_INTACT_COPY = "get an intact copy of the file, or open it in a PDF reader and save it again as PDF"
_DECRYPT = "remove the password (e.g. qpdf --decrypt) and read the decrypted copy"
# What pdfminer and pdfplumber raise on a damaged content stream, font or page tree: pdfminer's
# own errors, and the built-in ones its parser lets through on bytes it does not expect.
_DAMAGED_CONTENT = (
    PdfminerException,  # pdfplumber's wrapper of any of these
    PSException,
    MalformedPDFException,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AssertionError,
)


class StreamTooBig(Exception):
    """A PDF stream inflates to more than MAX_STREAM_BYTES."""


class _BoundedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes, which inflates each FlateDecode
    stream with one ``zlib.decompress``: here no stream may inflate beyond MAX_STREAM_BYTES
    (a decompression bomb raises :class:`StreamTooBig` with at most that much memory used)."""

    error = zlib.error
    decompressobj = staticmethod(zlib.decompressobj)

    @staticmethod
    def decompress(data: bytes) -> bytes:
        """``zlib.decompress(data)``; raises zlib.error for a truncated stream, as it does."""
        inflater = zlib.decompressobj()
        inflated = inflater.decompress(data, MAX_STREAM_BYTES + 1)
        if len(inflated) > MAX_STREAM_BYTES:
            raise StreamTooBig
        if not inflater.eof:
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return inflated


pdftypes.zlib = _BoundedZlib  # type: ignore[assignment]

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


def _cause(error: Exception) -> object:
    """What pdfminer raised: the exception pdfplumber wrapped in a PdfminerException, else ``error``."""
    return error.args[0] if isinstance(error, PdfminerException) and error.args else error


def _too_big(path: Path, where: str) -> InputError:
    return InputError(
        path,
        f"{where} holds an object that unpacks to more than {MAX_STREAM_BYTES // 2**20} MB",
        "this is no ordinary PDF (a decompression bomb?): check where it came from",
    )


def _opening_error(path: Path, error: PdfminerException) -> InputError:
    """The InputError of a PDF that pdfplumber cannot open."""
    cause = _cause(error)
    if isinstance(cause, StreamTooBig):
        return _too_big(path, "the PDF")
    if isinstance(cause, PDFPasswordIncorrect):
        return InputError(path, "password-protected: the PDF opens only with a password", _DECRYPT)
    if isinstance(cause, PDFEncryptionError):
        return InputError(path, "encrypted in a way guanche cannot decrypt", _DECRYPT)
    return InputError(
        path, "damaged or truncated PDF: its structure (cross-reference table) cannot be read", _INTACT_COPY
    )


def _text_pages(page_list: list, path: Path) -> list[list[_Line]]:
    """The lines of every page of pdfplumber's ``page_list``; raises :class:`InputError` for too
    many pages, a page that cannot be read, or a stream that inflates beyond MAX_STREAM_BYTES."""
    if len(page_list) > MAX_PDF_PAGES:
        raise InputError(
            path,
            f"too many pages: {len(page_list):,}, more than {MAX_PDF_PAGES:,}",
            "split it (e.g. qpdf --split-pages=1000) and read the parts",
        )
    pages = []
    for number, page in enumerate(page_list, start=1):
        try:
            pages.append(_page_lines(page))
        except (StreamTooBig, *_DAMAGED_CONTENT) as error:
            if isinstance(_cause(error), StreamTooBig):
                raise _too_big(path, f"page {number}") from None
            raise InputError(path, f"damaged PDF: the content of page {number} cannot be read", _INTACT_COPY) from None
    return pages


def read_pdf(data: bytes, path: Path) -> ReadResult:
    """Read a PDF's text layer; one encrypted with an empty user password (printing or copying
    restricted, no password to open) is read too.

    Raises :class:`~pipeline.errors.InputError` for a damaged or truncated PDF, a
    password-protected one, one with more than MAX_PDF_PAGES pages or a stream inflating beyond
    MAX_STREAM_BYTES, and a scanned PDF with no text layer ("scanned, needs OCR").
    """
    try:
        pdf = pdfplumber.open(BytesIO(data), password="")
    except PdfminerException as error:
        raise _opening_error(path, error) from None
    try:
        page_list = pdf.pages  # built once; pdf.close() needs it too
    except _DAMAGED_CONTENT:
        raise InputError(path, "damaged PDF: its list of pages cannot be read", _INTACT_COPY) from None
    with pdf:
        pages = _text_pages(page_list, path)
        metadata_title = (pdf.metadata or {}).get("Title")
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
