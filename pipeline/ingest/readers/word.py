"""Word documents: paragraphs with their automatic list numbers rebuilt, and tables as rows.

python-docx's ``paragraph.text`` leaves out numbers that come from numbering definitions
(一、 （一） 1. ①), which is exactly where a plan's structure lives, so they are recomputed here
from numbering.xml: per list, a counter per level, deeper levels reset when a shallower one steps.
"""

from __future__ import annotations

import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path

import cn2an
from docx import Document
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from pipeline.errors import InputError
from pipeline.ingest.readers.base import ReadResult, table_row_line

# Counting in Chinese numerals (cn2an: 十一, 二十, 一百零一), as Word, WPS and LibreOffice write them.
_COUNTING = (
    "chineseCounting",
    "chineseCountingThousand",
    "taiwaneseCounting",
    "taiwaneseCountingThousand",
    "japaneseCounting",
    "koreanCounting",
)
_STEMS = "甲乙丙丁戊己庚辛壬癸"  # ideographTraditional: the ten heavenly stems
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"  # ideographZodiac: the twelve earthly branches
_DIGITS = "〇一二三四五六七八九"  # ideographDigital, taiwaneseDigital: digit by digit
_LEGAL_TRADITIONAL = str.maketrans("贰叁陆亿万", "貳參陸億萬")
# numFmt → the first character of a run of 20 enclosed numbers (①…⑳, ⑴…⒇, ⒈…⒛)
_ENCLOSED = {
    "decimalEnclosedCircle": "①",
    "decimalEnclosedCircleChinese": "①",
    "decimalEnclosedParen": "⑴",
    "decimalEnclosedFullstop": "⒈",
}
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ROMAN = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_CN2AN_LIMIT = 10**16  # cn2an writes numbers below this


def _counting(value: int, style: str = "low") -> str:
    """十一 (``style`` "up": 壹拾壹); digits outside cn2an's range."""
    return cn2an.an2cn(value, style) if 0 <= value < _CN2AN_LIMIT else str(value)


def _cycle(characters: str) -> Callable[[int], str]:
    """Numbers as a repeating cycle of ``characters`` (甲乙丙…); digits below 1."""
    return lambda value: characters[(value - 1) % len(characters)] if value > 0 else str(value)


def _enclosed(first: str) -> Callable[[int], str]:
    """Numbers 1 to 20 as the run of enclosed numbers starting at ``first``; digits beyond."""
    return lambda value: chr(ord(first) + value - 1) if 0 < value <= 20 else str(value)


def _letter(first: str) -> Callable[[int], str]:
    """Numbers as letters from ``first``, starting again after z."""
    return lambda value: chr(ord(first) + (value - 1) % 26)


def _roman(value: int) -> str:
    """Lower-case Roman numerals (xiv)."""
    out, rest = "", value
    for size, letters in _ROMAN:
        while rest >= size:
            out, rest = out + letters, rest - size
    return out


_FORMATS: dict[str, Callable[[int], str]] = {
    **dict.fromkeys(_COUNTING, _counting),
    "chineseLegalSimplified": lambda value: _counting(value, "up"),
    "ideographLegalTraditional": lambda value: _counting(value, "up").translate(_LEGAL_TRADITIONAL),
    "ideographTraditional": _cycle(_STEMS),
    "ideographZodiac": _cycle(_BRANCHES),
    **dict.fromkeys(
        ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"),
        lambda value: "".join(_DIGITS[int(digit)] for digit in str(value)) if value >= 0 else str(value),
    ),
    **{num_fmt: _enclosed(first) for num_fmt, first in _ENCLOSED.items()},
    **dict.fromkeys(("decimalFullWidth", "decimalFullWidth2"), lambda value: str(value).translate(_FULL_WIDTH)),
    "decimalZero": lambda value: f"{value:02d}",
    "lowerLetter": _letter("a"),
    "upperLetter": _letter("A"),
    "lowerRoman": _roman,
    "upperRoman": lambda value: _roman(value).upper(),
    **dict.fromkeys(("bullet", "none"), lambda value: ""),
}


def format_list_number(value: int, num_fmt: str) -> str:
    """Render ``value`` in a Word numbering format (``w:numFmt``): decimal and its full-width
    and enclosed forms (①, ⑴, ⒈), Chinese counting (chineseCounting, taiwaneseCountingThousand …:
    十一), legal numerals (壹拾壹), heavenly stems (甲乙丙), earthly branches (子丑寅), digits
    (一〇), letters and Roman numerals; a bullet or none gives "", an unknown format decimal."""
    return _FORMATS.get(num_fmt, str)(value)


@dataclass(frozen=True)
class _Level:
    num_fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    # w:lvlRestart: the level restarts when a level shallower than this one (0-based: below
    # ``restart_below``) steps; None is Word's default (any shallower level), 0 never.
    restart_below: int | None = None

    def restarts_after(self, ilvl: int, own: int) -> bool:
        """Whether this level (at ``own``) starts again once level ``ilvl`` steps."""
        return ilvl < (own if self.restart_below is None else self.restart_below)


def _read_level(lvl, inherited: _Level | None = None) -> _Level:
    """A ``w:lvl`` definition, its missing parts taken from ``inherited`` (or Word's defaults)."""
    level = inherited or _Level()
    fmt, text, start, restart = (lvl.find(qn(f"w:{name}")) for name in ("numFmt", "lvlText", "start", "lvlRestart"))
    changes: dict = {}
    if fmt is not None and fmt.get(qn("w:val")):
        changes["num_fmt"] = fmt.get(qn("w:val"))
    if text is not None:
        changes["text"] = text.get(qn("w:val")) or ""
    if (start_value := _int_value(start)) is not None:
        changes["start"] = start_value
    if (restart_value := _int_value(restart)) is not None:
        changes["restart_below"] = restart_value
    return replace(level, **changes)


@dataclass
class _ListNumbering:
    """Numbering definitions of one document and the running counters.

    Lists (``w:num``) that share an abstract definition share its counters, as in Word, unless
    a list overrides a level (``w:lvlOverride``: ``w:startOverride`` or a ``w:lvl`` of its own):
    it then counts on its own, from the overriding start.
    """

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId → ilvl → level
    counted_as: dict[str, str] = field(default_factory=dict)  # numId → the key of its counters
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # counters key → ilvl → value

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
            abstract_levels[abstract.get(qn("w:abstractNumId"))] = _levels(abstract.findall(qn("w:lvl")))
        for num in root.findall(qn("w:num")):
            reference = num.find(qn("w:abstractNumId"))
            if reference is None:
                continue
            abstract_id, num_id = reference.get(qn("w:val")), num.get(qn("w:numId"))
            overrides = num.findall(qn("w:lvlOverride"))
            numbering.levels[num_id] = _overridden(abstract_levels.get(abstract_id, {}), overrides)
            numbering.counted_as[num_id] = f"num {num_id}" if overrides else f"abstract {abstract_id}"
        return numbering

    def label(self, num_id: str, ilvl: int) -> str:
        """Step the counter of ``(num_id, ilvl)`` and return the rendered number, e.g. （二）."""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(self.counted_as[num_id], {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl and levels.get(k, _Level()).restarts_after(ilvl, k)]:
            del counters[deeper]
        return _rendered(levels[ilvl].text, levels, counters)


def _overridden(levels: dict[int, _Level], overrides) -> dict[int, _Level]:
    """A list's levels: its abstract definition's ``levels`` with its ``w:lvlOverride``
    elements applied (a ``w:lvl`` of its own, a ``w:startOverride``)."""
    levels = dict(levels)
    for override in overrides:
        if (ilvl := _int_value(override, "w:ilvl")) is None:
            continue
        lvl = override.find(qn("w:lvl"))
        level = _read_level(lvl, levels.get(ilvl)) if lvl is not None else levels.get(ilvl, _Level())
        if (start := _int_value(override.find(qn("w:startOverride")))) is not None:
            level = replace(level, start=start)
        levels[ilvl] = level
    return levels


def _rendered(text: str, levels: dict[int, _Level], counters: dict[int, int]) -> str:
    """A level's ``text`` (``w:lvlText``, e.g. "（%2）") with each placeholder %N replaced by
    level N-1's counter in its format."""
    for level_index, level in levels.items():
        placeholder = f"%{level_index + 1}"
        if placeholder in text:
            text = text.replace(placeholder, format_list_number(counters.get(level_index, level.start), level.num_fmt))
    return text


def _levels(definitions) -> dict[int, _Level]:
    """The levels of an abstract numbering definition by ``w:ilvl``."""
    return {ilvl: _read_level(lvl) for lvl in definitions if (ilvl := _int_value(lvl, "w:ilvl")) is not None}


def _int_value(element, attribute: str = "w:val") -> int | None:
    """The integer of ``element``'s attribute; None when the element or attribute is missing
    or not an integer (a damaged numbering definition leaves its list unnumbered)."""
    value = element.get(qn(attribute)) if element is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _paragraph_numbering(paragraph: Paragraph) -> tuple[str, int] | None:
    """Return ``(numId, ilvl)`` from the paragraph's own properties or its style's."""
    for source in (paragraph._p.pPr, getattr(paragraph.style, "element", None)):
        if source is None:
            continue
        num_pr = source.find(".//" + qn("w:numPr"))
        if num_pr is None:
            continue
        num_id = num_pr.find(qn("w:numId"))
        if num_id is not None and num_id.get(qn("w:val")) != "0":
            return num_id.get(qn("w:val")), _int_value(num_pr.find(qn("w:ilvl"))) or 0
    return None


# Limits far above real Word files (a plan with photos has a few hundred parts and some tens of
# MB), checked from the ZIP directory before anything is inflated.
MAX_ZIP_ENTRIES = 10_000
MAX_INFLATED_BYTES = 512 * 2**20
MAX_INFLATION_RATIO = 200  # deflate can reach 1,000:1 on zeros; real parts stay under 100:1
_RATIO_FROM_BYTES = 2**20  # parts smaller than this are too small to matter
_INFLATE_CHUNK = 2**20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, and every encrypted DOCX
_RESAVE = "open it in Word or WPS and save it again as .docx, or get an intact copy"
_SAVE_AS_DOCX = "open it in Word or WPS and save it as .docx"
_ZIP_BOMB = "this is no real Word document (a zip bomb?): check where it came from"


def check_package(data: bytes, path: Path) -> None:
    """Check a .docx's ZIP package before python-docx reads it: its directory first (number of
    parts, their total unpacked size and how far each inflates), then every part inflated in
    1 MB chunks with a running total, so a directory that lies is caught too, in little memory.

    Raises :class:`~pipeline.errors.InputError` naming what is wrong.
    """
    if data.startswith(_OLE_MAGIC):
        raise InputError(
            path,
            "not a .docx: a Word 97-2003 .doc file or a password-protected document",
            "open it in Word or WPS, remove any password and save it as .docx",
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            entries = package.infolist()
            _check_directory(entries, path)
            for entry in entries:
                _inflate_within(package, entry, path)
    except zipfile.BadZipFile as error:
        truncated = "not a zip file" in str(error).lower()
        problem = (
            "damaged or truncated Word file: it is not a complete DOCX (ZIP) package"
            if truncated
            else "damaged Word file: a part of it does not unpack (checksum or header wrong)"
        )
        raise InputError(path, problem, _RESAVE) from None
    except (zlib.error, EOFError):
        raise InputError(path, "damaged Word file: a compressed part of it is corrupt", _RESAVE) from None
    except ValueError:  # zipfile seeking to a part that would start before the file (bytes lost)
        raise InputError(
            path, "damaged or truncated Word file: its ZIP directory points outside the file", _RESAVE
        ) from None
    except (NotImplementedError, RuntimeError):  # an unknown compression method; a ZIP password
        raise InputError(
            path,
            "the Word file is encrypted or packed in a way Word does not write",
            "open it in Word or WPS, remove any password and save it as .docx",
        ) from None


def _check_directory(entries: list[zipfile.ZipInfo], path: Path) -> None:
    """Refuse a package whose ZIP directory declares too many parts, too many bytes, or a part
    inflating further than real documents do."""
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InputError(path, f"the Word file has {len(entries):,} parts, more than {MAX_ZIP_ENTRIES:,}", _ZIP_BOMB)
    if sum(entry.file_size for entry in entries) > MAX_INFLATED_BYTES:
        raise InputError(path, f"the Word file unpacks to more than {MAX_INFLATED_BYTES // 2**20} MB", _ZIP_BOMB)
    for entry in entries:
        if entry.file_size > _RATIO_FROM_BYTES and entry.file_size > MAX_INFLATION_RATIO * max(entry.compress_size, 1):
            raise InputError(
                path,
                f"a part of the Word file ({entry.filename}) unpacks to "
                f"{entry.file_size // max(entry.compress_size, 1):,} times its packed size",
                _ZIP_BOMB,
            )


def _inflate_within(package: zipfile.ZipFile, entry: zipfile.ZipInfo, path: Path) -> None:
    """Inflate one part in chunks and stop once it gives more than its directory declares
    (zipfile checks its checksum at the end)."""
    inflated = 0
    with package.open(entry) as stream:
        while chunk := stream.read(_INFLATE_CHUNK):
            inflated += len(chunk)
            if inflated > entry.file_size:
                raise InputError(path, f"a part of the Word file ({entry.filename}) unpacks beyond its size", _ZIP_BOMB)


def _open_document(data: bytes, path: Path):
    """python-docx's Document of a checked package (see :func:`check_package`).

    Raises :class:`~pipeline.errors.InputError` when a part is not valid XML, a required part
    is missing, the document part is no Word document (another XML namespace, no body), or
    the package holds another kind of document.
    """
    try:
        document = Document(BytesIO(data))
    except XMLSyntaxError:
        raise InputError(
            path, "damaged Word file: one of its parts (document, styles or numbering) is not valid XML", _RESAVE
        ) from None
    except (KeyError, OpcError):
        raise InputError(path, "damaged Word file: a part every Word document has is missing", _RESAVE) from None
    except ValueError as error:  # python-docx: "file '…' is not a Word file, content type is '…'"
        if "is not a Word file" not in str(error):
            raise
        raise InputError(
            path,
            "not a Word document: the package holds another kind of Office file (a spreadsheet or slides?)",
            "check it is the plan itself; save Word documents as .docx",
        ) from None
    root = document.element
    if root.tag != qn("w:document") or root.find(qn("w:body")) is None:
        raise InputError(path, "damaged Word file: its document part holds no Word document body", _RESAVE)
    return document


def _core_title(document) -> str:
    """The title of the core properties, stripped; "" when unset or when docProps/core.xml is
    not a core-properties part (the title is only a hint, so the document is still read)."""
    try:
        return (document.core_properties.title or "").strip()
    except AttributeError:
        return ""


CONVERSION_TIMEOUT = 300  # seconds for LibreOffice to convert one file


def read_with_libreoffice(data: bytes, path: Path, *, soffice: str) -> ReadResult:
    """Read a .doc, .wps or .rtf file: converted to .docx by LibreOffice's program ``soffice``
    (``soffice --headless --convert-to docx``, in a private profile and folder), then read as
    :func:`read_docx` reads it. Raises :class:`~pipeline.errors.InputError` when LibreOffice
    fails or takes longer than :data:`CONVERSION_TIMEOUT`."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"input{path.suffix.lower()}"
        source.write_bytes(data)
        command = [soffice, "--headless", f"-env:UserInstallation={Path(folder, 'profile').as_uri()}"]
        try:
            subprocess.run(
                [*command, "--convert-to", "docx", "--outdir", folder, str(source)],
                capture_output=True,
                timeout=CONVERSION_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise InputError(path, "LibreOffice took too long to convert it", _SAVE_AS_DOCX) from None
        converted = source.with_suffix(".docx")
        if not converted.is_file():
            raise InputError(path, "LibreOffice could not convert it to .docx", _SAVE_AS_DOCX)
        result = read_docx(converted.read_bytes(), path)
    return replace(result, encoding=f"{path.suffix.lower().lstrip('.')} via LibreOffice")


def read_docx(data: bytes, path: Path) -> ReadResult:
    """Read a .docx: paragraphs (with list numbers) and table rows, in body order.

    The core properties' title, when set, becomes the ``title_hint`` metadata. Raises
    :class:`~pipeline.errors.InputError` for a damaged, truncated, encrypted or oversized file
    (see :func:`check_package`) and one python-docx cannot open.
    """
    check_package(data, path)
    document = _open_document(data, path)
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
    title = _core_title(document)
    metadata = {"title_hint": title} if title else {}
    return ReadResult(text="\n".join(lines), encoding="docx", metadata=metadata)
