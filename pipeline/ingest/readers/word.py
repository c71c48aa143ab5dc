"""Word documents: paragraphs with their automatic list numbers rebuilt, and tables as rows.

python-docx's ``paragraph.text`` leaves out numbers that come from numbering definitions
(一、 （一） 1. ①), which is exactly where a plan's structure lives, so they are recomputed here
from numbering.xml: per list, a counter per level, deeper levels reset when a shallower one steps.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import cn2an
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.document.numbering import CIRCLED
from pipeline.errors import InputError
from pipeline.ingest.readers.base import ReadResult, table_row_line


def format_list_number(value: int, num_fmt: str) -> str:
    """Render ``value`` in a Word numbering format (decimal, chineseCounting, ...)."""
    if num_fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "japaneseCounting",
        "taiwaneseCounting",
        "chineseLegalSimplified",
    ):
        return cn2an.an2cn(value)
    if num_fmt == "decimalEnclosedCircle" or num_fmt == "decimalEnclosedCircleChinese":
        return CIRCLED[value - 1] if 0 < value <= len(CIRCLED) else str(value)
    if num_fmt == "lowerLetter":
        return chr(ord("a") + (value - 1) % 26)
    if num_fmt == "upperLetter":
        return chr(ord("A") + (value - 1) % 26)
    if num_fmt in ("lowerRoman", "upperRoman"):
        numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, rest = "", value
        for size, letters in numerals:
            while rest >= size:
                out, rest = out + letters, rest - size
        return out.upper() if num_fmt == "upperRoman" else out
    if num_fmt in ("bullet", "none"):
        return ""
    return str(value)


@dataclass
class _Level:
    num_fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restarts: bool = True  # w:lvlRestart="0": keep counting across shallower levels


@dataclass
class _ListNumbering:
    """Numbering definitions of one document and the running counters."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId → ilvl → level
    abstract_of: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractNumId → counters

    @classmethod
    def from_document(cls, document) -> _ListNumbering:
        """Read numbering.xml's abstract numbering definitions and the lists that use them
        (an empty numbering when the document has no numbering part)."""
        numbering = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return numbering
        abstract_levels: dict[str, dict[int, _Level]] = {}
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                level = _Level()
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                if fmt is not None:
                    level.num_fmt = fmt.get(qn("w:val"))
                if text is not None:
                    level.text = text.get(qn("w:val")) or ""
                if start is not None:
                    level.start = int(start.get(qn("w:val")))
                restart = lvl.find(qn("w:lvlRestart"))
                if restart is not None and restart.get(qn("w:val")) == "0":
                    level.restarts = False
                levels[int(lvl.get(qn("w:ilvl")))] = level
            abstract_levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            num_id = num.get(qn("w:numId"))
            numbering.abstract_of[num_id] = abstract_id
            numbering.levels[num_id] = abstract_levels.get(abstract_id, {})
        return numbering

    def label(self, num_id: str, ilvl: int) -> str:
        """Step the counter of ``(num_id, ilvl)`` and return the rendered number, e.g. （二）."""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(self.abstract_of[num_id], {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl and levels.get(k, _Level()).restarts]:
            del counters[deeper]
        label = levels[ilvl].text
        for level_index, level in levels.items():
            placeholder = f"%{level_index + 1}"
            if placeholder in label:
                value = counters.get(level_index, level.start)
                label = label.replace(placeholder, format_list_number(value, level.num_fmt))
        return label


def _paragraph_numbering(paragraph: Paragraph) -> tuple[str, int] | None:
    """Return ``(numId, ilvl)`` from the paragraph's own properties or its style's."""
    for source in (paragraph._p.pPr, getattr(paragraph.style, "element", None)):
        if source is None:
            continue
        num_pr = source.find(".//" + qn("w:numPr"))
        if num_pr is None:
            continue
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        if num_id is not None and num_id.get(qn("w:val")) != "0":
            return num_id.get(qn("w:val")), int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
    return None


def read_docx(data: bytes, path: Path) -> ReadResult:
    """Read a .docx: paragraphs (with list numbers) and table rows, in body order.

    The core properties' title, when set, becomes the ``title_hint`` metadata.
    Raises :class:`~pipeline.errors.InputError` for a damaged or truncated file.
    """
    try:
        document = Document(BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InputError(
            path,
            f"damaged or truncated Word file ({type(error).__name__})",
            "open it in Word or WPS and save it again, or export it as PDF",
        ) from None
    numbering = _ListNumbering.from_document(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                line = table_row_line([cell.text for cell in row.cells])
                if line.strip():
                    lines.append(line)
            continue
        text = block.text.strip()
        numbered = _paragraph_numbering(block)
        if numbered is not None and text:
            text = numbering.label(*numbered) + text
        if text:
            lines.append(text)
    metadata = {}
    if document.core_properties.title:
        metadata["title_hint"] = document.core_properties.title.strip()
    return ReadResult(text="\n".join(lines), encoding="docx", metadata=metadata)
