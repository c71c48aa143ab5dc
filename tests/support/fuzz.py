"""A mutation fuzzer over the real corpus, and a runner that feeds its inputs to the real command line.

The seeds are real files of ``../shared/corpus`` in every format the readers take: the ``.txt``
plans (seed/, guangzhou/), the ``.md`` laws (laws/), the ``.html`` pages (national/), and a
``.docx`` and a ``.pdf`` made from the county plan by :mod:`tests.documents`. Input ``i`` takes
the format ``FORMATS[i % 5]``, a seed of that format and one mutation, all drawn from a
``random.Random`` seeded with ``(seed, i)``, so the same seed always gives the same inputs, byte
for byte. The mutations (see ``MUTATIONS``):

- every format: bytes flipped, the file cut at a random point, a chunk deleted or duplicated,
  bytes (NUL, ``\\x01``, ``\\xff`` …) inserted, empty or blank files, and another format's bytes
  under this file's suffix;
- text (.txt, .md, .html): control characters (U+0001, NUL, ESC, U+FFFF …) in text that is
  otherwise fine, other encodings (GBK, GB18030, Big5, UTF-16/32 with and without BOM), mojibake
  (UTF-8 read as GBK and saved again), two encodings in one file, very long lines, odd line ends
  and invisible characters; for HTML also DOCTYPE internal subsets, unclosed comments, broken or
  deeply nested tags, a charset declaration that lies;
- DOCX (ZIP level): a member's compressed bytes corrupted, a member dropped (word/document.xml,
  [Content_Types].xml …), a part's XML broken, bad numbering definitions, huge sizes declared in
  the ZIP directory, an encrypted or unknown compression flag, a paragraph bomb;
- PDF: the cross-reference table cut or damaged, a stream broken or its length wrong, filters
  swapped, the page tree counting wrong or looping, objects missing.

About one input in six also gets an odd file name: bytes that are not UTF-8, a leading ``=``,
``-`` or space, an upper-case suffix, control characters. No input is byte-identical to another,
to its seed or to the known-good file (a copy would only be read once, with a note).

:func:`run_batch` runs ``python -m pipeline run`` on a folder of inputs plus the known-good county
plan, with a time limit, and says what went wrong: a crash (traceback, exit code other than 0 and
1, a signal), a hang (over the time limit), an internal error ("please report"), the good file
lost, or a refused input that is not named on its own ``error:`` line with a specific message.
``tests/test_fuzz.py`` runs a few hundred inputs in CI; ``benchmarks/fuzz.py --n 3000`` runs more
before a release.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import random
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
from reportlab import rl_config

from pipeline.ingest.source import printable
from tests.documents import CORPUS, COUNTY_PLAN, REPO, write_county_plan_docx, write_county_plan_pdf

FORMATS = (".txt", ".md", ".html", ".docx", ".pdf")
TEXT_FORMATS = (".txt", ".md", ".html")
GOOD_TASKS = 26  # tasks of the county plan, the known-good file of every batch
CATCH_ALL = "please report"
_TIME = Path("/usr/bin/time")
_ZIP_DATE = (2024, 7, 5, 0, 0, 0)
_ERROR_LINE = re.compile(r"^error: (?P<path>.+?): (?P<problem>.+) — (?P<advice>.+)$")


@dataclass(frozen=True)
class Seed:
    """A real document the mutations start from: its corpus name, suffix, bytes and (for the text
    formats) its text."""

    name: str
    suffix: str
    data: bytes
    text: str = ""


@dataclass(frozen=True)
class Mutant:
    """One fuzz input: which seed and mutation made it, its file name (bytes: it may not be
    UTF-8) and content."""

    index: int
    seed: str
    mutation: str
    name: bytes
    data: bytes

    def label(self) -> str:
        """``#index mutation of seed``, for messages."""
        return f"#{self.index} {self.mutation} of {self.seed}"


@cache
def seeds() -> dict[str, tuple[Seed, ...]]:
    """The seeds of every format, by suffix: corpus files as they are, the DOCX and PDF made from
    the county plan (in a scratch folder, once per process)."""
    found: dict[str, list[Seed]] = {suffix: [] for suffix in FORMATS}
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in TEXT_FORMATS and path.name != "README.md":
            data = path.read_bytes()
            found[path.suffix].append(Seed(str(path.relative_to(CORPUS)), path.suffix, data, data.decode("utf-8")))
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"guanche-fuzz-seeds-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    invariant = rl_config.invariant
    rl_config.invariant = 1  # no creation date or random file id: the same PDF every time
    try:
        docx = write_county_plan_docx(scratch / "county-plan.docx").read_bytes()
        pdf = write_county_plan_pdf(scratch / "county-plan.pdf").read_bytes()
    finally:
        rl_config.invariant = invariant
        shutil.rmtree(scratch, ignore_errors=True)
    found[".docx"].append(Seed("county plan.docx", ".docx", _zip(_members(docx))))  # dated like every mutant
    found[".pdf"].append(Seed("county plan.pdf", ".pdf", pdf))
    return {suffix: tuple(items) for suffix, items in found.items()}


# ---------------------------------------------------------------------------------------------
# Byte-level mutations, for every format


def _span(rng: random.Random, size: int, most: float = 0.1) -> tuple[int, int]:
    """A random ``(start, end)`` inside ``size`` bytes, at most ``most`` of them long."""
    length = rng.randint(1, max(1, int(size * most)))
    start = rng.randrange(max(1, size - length))
    return start, start + length


def flip_bytes(rng: random.Random, seed: Seed) -> bytes:
    """1 to 64 bytes XORed with a random non-zero value."""
    data = bytearray(seed.data)
    for _ in range(rng.randint(1, 64)):
        data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    return bytes(data)


def truncate(rng: random.Random, seed: Seed) -> bytes:
    """The file cut at a random point (its first byte kept)."""
    return seed.data[: rng.randint(1, len(seed.data) - 1)]


def delete_chunk(rng: random.Random, seed: Seed) -> bytes:
    """A random chunk (up to a tenth of the file) deleted."""
    start, end = _span(rng, len(seed.data))
    return seed.data[:start] + seed.data[end:]


def duplicate_chunk(rng: random.Random, seed: Seed) -> bytes:
    """A random chunk repeated 1 to 20 times at a random place."""
    start, end = _span(rng, len(seed.data))
    at = rng.randrange(len(seed.data))
    return seed.data[:at] + seed.data[start:end] * rng.randint(1, 20) + seed.data[at:]


def insert_bytes(rng: random.Random, seed: Seed) -> bytes:
    """1 to 20 runs of NUL, \\x01, \\x1b, \\xff or random bytes inserted at random places."""
    data = seed.data
    for _ in range(rng.randint(1, 20)):
        kind = rng.choice(
            [b"\x00", b"\x01", b"\x1b", b"\xff", b"\xfe\xff", bytes(rng.randrange(256) for _ in range(8))]
        )
        at = rng.randrange(len(data))
        data = data[:at] + kind * rng.randint(1, 4) + data[at:]
    return data


def blank(rng: random.Random, seed: Seed) -> bytes:
    """An empty or blank file: nothing, whitespace, a lone BOM, full-width spaces, NULs."""
    count = rng.randint(1, 5000)
    return rng.choice(
        [
            b"",
            b" \n\t\r" * count,
            codecs.BOM_UTF8 + b"\n" * count,
            codecs.BOM_UTF16_LE + " \n".encode("utf-16-le") * count,
            "\u3000\n".encode() * count,
            b"\x00" * count,
        ]
    )


def other_format(rng: random.Random, seed: Seed) -> bytes:
    """Another format's bytes under this file's suffix (a PDF named .txt, a web page named .docx)."""
    suffix = rng.choice([other for other in FORMATS if other != seed.suffix])
    other = rng.choice(seeds()[suffix])
    return other.data if rng.random() < 0.5 else truncate(rng, other)


# ---------------------------------------------------------------------------------------------
# Text-level mutations: .txt, .md, .html

_CONTROLS = ("\x01", "\x00", "\x1b", "\x07", "\x0b", "\x0c", "\x7f", "\x85", "\ufffe", "\uffff", "\U0010ffff")
_INVISIBLE = ("\u200b", "\u200d", "\u202e", "\u2028", "\u2029", "\ufeff", "\u00ad", "\u3000", "\u0301")
_ENCODINGS = ("gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


def _sprinkle(rng: random.Random, text: str, choices: tuple[str, ...], most: int) -> str:
    """``text`` with 1 to ``most`` characters from ``choices`` inserted at random places."""
    for _ in range(rng.randint(1, most)):
        at = rng.randrange(len(text))
        text = text[:at] + rng.choice(choices) + text[at:]
    return text


def control_characters(rng: random.Random, seed: Seed) -> bytes:
    """A few control characters (U+0001, NUL, ESC, U+FFFF …) in text that is otherwise intact, as UTF-8."""
    return _sprinkle(rng, seed.text, _CONTROLS, 6).encode("utf-8")


def invisible_characters(rng: random.Random, seed: Seed) -> bytes:
    """Zero-width, direction and line-separator characters, combining marks, soft hyphens."""
    return _sprinkle(rng, seed.text, _INVISIBLE, 200).encode("utf-8")


def lone_surrogates(rng: random.Random, seed: Seed) -> bytes:
    """UTF-8 with encoded surrogates (\\xed\\xa0\\x80), which strict UTF-8 refuses."""
    return _sprinkle(rng, seed.text, ("\ud800", "\udfff"), 5).encode("utf-8", "surrogatepass")


def reencode(rng: random.Random, seed: Seed) -> bytes:
    """The text in another encoding: GBK, GB18030, Big5, UTF-16 or UTF-32 with or without BOM."""
    encoding = rng.choice(_ENCODINGS)
    return seed.text.encode(encoding, "replace")


def mojibake(rng: random.Random, seed: Seed) -> bytes:
    """UTF-8 read as GBK (or GBK as Latin-1) and saved again as UTF-8: the classic mojibake."""
    if rng.random() < 0.5:
        return seed.text.encode("utf-8").decode("gbk", "replace").encode("utf-8")
    return seed.text.encode("gbk", "replace").decode("latin-1").encode("utf-8")


def mixed_encodings(rng: random.Random, seed: Seed) -> bytes:
    """The first part of the text in UTF-8, the rest in GBK (or the other way round)."""
    cut = rng.randrange(len(seed.text))
    first, second = ("utf-8", "gbk") if rng.random() < 0.5 else ("gbk", "utf-8")
    return seed.text[:cut].encode(first, "replace") + seed.text[cut:].encode(second, "replace")


def long_lines(rng: random.Random, seed: Seed) -> bytes:
    """Very long lines: every line end removed, or one line of 100,000 to 2,000,000 characters added."""
    if rng.random() < 0.5:
        return re.sub(r"[\r\n]+", "", seed.text).encode("utf-8")
    sentence = re.sub(r"\s+", "", seed.text[slice(*_span(rng, len(seed.text), 0.01))]) or "加强"
    line = (sentence * (rng.randint(100_000, 2_000_000) // len(sentence) + 1))[:2_000_000]
    at = seed.text.find("\n", rng.randrange(len(seed.text)))
    at = len(seed.text) if at < 0 else at
    return (seed.text[:at] + "\n" + line + "\n" + seed.text[at:]).encode("utf-8")


def line_ends(rng: random.Random, seed: Seed) -> bytes:
    """Line ends as CR only, CR CR LF, form feeds, vertical tabs or U+2028."""
    end = rng.choice(["\r", "\r\r\n", "\f", "\v", "\u2028", "\n\n\n\n"])
    return re.sub(r"\r?\n", end, seed.text).encode("utf-8")


# HTML only

_SUBSETS = (
    '<!DOCTYPE html [ <!ENTITY plan "计划"> ]>\n',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd" [ <!ENTITY a "]>"> <!-- ]> --> ]>\n',
    '<!DOCTYPE html [ <!ENTITY lol "lol"> <!ENTITY lol2 "&lol;&lol;&lol;&lol;"> ]>\n',
    "<!DOCTYPE html [ ]>\n",
    "<!DOCTYPE html [ <!ENTITY unclosed ",
    "<!DOCTYPE [[[[]]]]>\n",
)


def doctype_subset(rng: random.Random, seed: Seed) -> bytes:
    """A DOCTYPE with an internal subset (entities, comments, brackets, unclosed) before the page."""
    page = re.sub(r"^\s*<!DOCTYPE[^>]*>", "", seed.text, flags=re.I)
    return (rng.choice(_SUBSETS) + page).encode("utf-8")


def broken_markup(rng: random.Random, seed: Seed) -> bytes:
    """Tags broken: '>' removed, stray '<' and '&' inserted, an unclosed comment or CDATA, a '</html>' early."""
    text = seed.text
    kind = rng.randrange(4)
    if kind == 0:
        for _ in range(rng.randint(1, 50)):
            at = text.find(">", rng.randrange(len(text)))
            if at >= 0:
                text = text[:at] + text[at + 1 :]
        return text.encode("utf-8")
    if kind == 1:
        return _sprinkle(rng, text, ("<", "&", "&#", "&#x110000;", "&#0;", "&#1;", "<![CDATA[", "]]>"), 50).encode()
    at = rng.randrange(len(text))
    return (text[:at] + rng.choice(["<!--", "<script>", "<![CDATA[", "</html>", "<style>"]) + text[at:]).encode()


def deep_nesting(rng: random.Random, seed: Seed) -> bytes:
    """The body wrapped in 1,000 to 20,000 nested elements (div, table, font …)."""
    tag = rng.choice(["div", "span", "table", "font", "b", "p", "li"])
    depth = rng.randint(1_000, 20_000)
    body = seed.text.find("<body")
    body = body if body >= 0 else 0
    return (seed.text[:body] + f"<{tag}>" * depth + seed.text[body:] + f"</{tag}>" * depth).encode()


def lying_charset(rng: random.Random, seed: Seed) -> bytes:
    """A charset declaration that does not match the bytes (UTF-8 declared GBK, GBK declared UTF-8 …)."""
    declared = rng.choice(["gbk", "utf-8", "utf-16", "big5", "iso-8859-1", "x-unknown"])
    text = re.sub(r"charset=[\"']?[\w-]+", f"charset={declared}", seed.text, flags=re.I)
    if "charset=" not in text:
        text = f'<meta charset="{declared}">' + text
    return text.encode(rng.choice(["utf-8", "gbk"]), "replace")


# Markdown only


def markdown_markup(rng: random.Random, seed: Seed) -> bytes:
    """Markdown gone wrong: unclosed emphasis and comments, headings of 7+ marks, pipe tables, fences."""
    return _sprinkle(
        rng, seed.text, ("**", "__", "<!--", "\n####### ", "\n| a | b |\n|---|---|\n", "\n```\n"), 40
    ).encode()


# ---------------------------------------------------------------------------------------------
# DOCX: damage at ZIP level


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    """A DOCX package of ``members``, deflated, every member dated the same (the same bytes every time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in members.items():
            package.writestr(zipfile.ZipInfo(name, date_time=_ZIP_DATE), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def corrupt_member(rng: random.Random, seed: Seed) -> bytes:
    """Bytes flipped inside one member's compressed data (checksum or deflate errors)."""
    data = bytearray(seed.data)
    with zipfile.ZipFile(io.BytesIO(seed.data)) as package:
        info = rng.choice(package.infolist())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for _ in range(rng.randint(1, 8)):
        data[start + rng.randrange(max(1, info.compress_size))] ^= rng.randint(1, 255)
    return bytes(data)


def drop_member(rng: random.Random, seed: Seed) -> bytes:
    """One member left out: the document part, the content types, the relationships, numbering, styles."""
    members = _members(seed.data)
    del members[rng.choice(sorted(members)) if rng.random() < 0.3 else "word/document.xml"]
    return _zip(members)


def break_xml(rng: random.Random, seed: Seed) -> bytes:
    """One part's XML broken: cut off, a stray '<' or '&', an illegal character (raw or &#1;), a
    wrong namespace, an undeclared prefix."""
    members = _members(seed.data)
    name = rng.choice(sorted(members)) if rng.random() < 0.4 else "word/document.xml"
    xml = members[name]
    at = rng.randrange(len(xml))
    damage = rng.choice(
        [
            lambda: xml[:at],
            lambda: xml[:at] + b"<" + xml[at:],
            lambda: xml[:at] + b"&" + xml[at:],
            lambda: xml.replace(b"</w:t>", b"&#1;</w:t>", rng.randint(1, 5)),
            lambda: xml.replace(b"</w:t>", b"\x01</w:t>", 1),
            lambda: xml.replace(b"wordprocessingml/2006/main", b"wordprocessingml/2006/other"),
            lambda: xml.replace(b"<w:body>", b"<w:body><x:p>", 1),
        ]
    )
    members[name] = damage()
    return _zip(members)


_NUMBERING_DAMAGE = (
    (b'w:ilvl="0"', b'w:ilvl="x"'),
    (b'w:ilvl="1"', b'w:ilvl="-1"'),
    (b'w:ilvl="1"', b'w:ilvl="99999999999999999999"'),
    (b'<w:start w:val="1"/>', b'<w:start w:val="-5"/>'),
    (b'<w:start w:val="1"/>', b'<w:start w:val="1000000000000000000000"/>'),
    (b'<w:start w:val="1"/>', b'<w:start w:val="2147483647"/>'),
    (b'w:val="chineseCounting"', b'w:val="klingon"'),
    (b'w:val="chineseCounting"', b'w:val="decimalEnclosedCircle"'),
    (b'w:val="%1\xe3\x80\x81"', b'w:val="%9%1%0%"'),
    (b'w:val="%1\xe3\x80\x81"', b'w:val="%1%2%3%4%5%6%7%8%9"'),
    (b'<w:abstractNumId w:val="90"/>', b'<w:abstractNumId w:val="404"/>'),
    (b'<w:abstractNumId w:val="90"/>', b""),
    (b'w:abstractNumId="90"', b""),
    (b'<w:lvlRestart w:val="0"/>', b'<w:lvlRestart w:val="7"/>'),
)


def bad_numbering(rng: random.Random, seed: Seed) -> bytes:
    """Numbering definitions that lie: levels not integers or out of range, starts negative or
    huge, unknown formats, placeholders for levels that do not exist, references to nothing;
    or numbering.xml replaced by another part or dropped while paragraphs still refer to it."""
    members = _members(seed.data)
    numbering = members["word/numbering.xml"]
    choice = rng.randrange(len(_NUMBERING_DAMAGE) + 2)
    if choice == len(_NUMBERING_DAMAGE):
        members["word/numbering.xml"] = members["word/styles.xml"]
    elif choice == len(_NUMBERING_DAMAGE) + 1:
        del members["word/numbering.xml"]
    else:
        old, new = _NUMBERING_DAMAGE[choice]
        members["word/numbering.xml"] = numbering.replace(old, new)
        if rng.random() < 0.5:  # and the paragraphs pointing at other levels or lists
            document = members["word/document.xml"]
            members["word/document.xml"] = document.replace(b'w:ilvl w:val="1"', b'w:ilvl w:val="8"', 3)
    return _zip(members)


def huge_declared_sizes(rng: random.Random, seed: Seed) -> bytes:
    """The ZIP directory (or a local header) declaring huge sizes, offsets or entry counts."""
    data = bytearray(seed.data)
    directory = [match.start() for match in re.finditer(b"PK\x01\x02", data)]
    entry = rng.choice(directory)
    field_at, size = rng.choice([(entry + 24, "<I"), (entry + 20, "<I"), (entry + 42, "<I"), (entry + 28, "<H")])
    value = rng.choice([0, 1, 2**16 - 1, 2**31, 2**32 - 1]) & (0xFFFF if size == "<H" else 0xFFFFFFFF)
    struct.pack_into(size, data, field_at, value)
    if rng.random() < 0.3:  # the end record's entry count too
        end = data.rfind(b"PK\x05\x06")
        struct.pack_into("<H", data, end + 10, 0xFFFF)
    return bytes(data)


def zip_flags(rng: random.Random, seed: Seed) -> bytes:
    """Members flagged as encrypted, or packed with a compression method nobody knows."""
    data = bytearray(seed.data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        for match in re.finditer(re.escape(signature), data):
            if rng.random() < 0.5:
                struct.pack_into("<H", data, match.start() + flag_at, 0x1)
            else:
                struct.pack_into("<H", data, match.start() + method_at, rng.choice([1, 6, 14, 99]))
    return bytes(data)


def paragraph_bomb(rng: random.Random, seed: Seed) -> bytes:
    """document.xml blown up: one paragraph repeated into 20 to 200 MB (a zip bomb), padded with
    20 to 200 MB of whitespace, its body repeated into a long document of 1 to 4 MB of XML,
    or tables nested 50 to 400 deep."""
    members = _members(seed.data)
    document = members["word/document.xml"]
    body_start = document.index(b"<w:body>") + len(b"<w:body>")
    body_end = document.index(b"<w:sectPr")
    body = document[body_start:body_end]
    kind = rng.randrange(4)
    if kind == 0:
        paragraph = body[: body.index(b"</w:p>") + len(b"</w:p>")]
        body = paragraph * (rng.randint(20, 200) * 2**20 // len(paragraph))
    elif kind == 1:
        body = b" " * rng.randint(20, 200) * 2**20 + body
    elif kind == 2:
        body = body * (rng.randint(1, 4) * 2**20 // len(body))
    else:
        depth = rng.randint(50, 400)
        body = b"<w:tbl><w:tr><w:tc>" * depth + body + b"</w:tc></w:tr></w:tbl>" * depth
    members["word/document.xml"] = document[:body_start] + body + document[body_end:]
    return _zip(members)


# ---------------------------------------------------------------------------------------------
# PDF damage


def truncate_xref(rng: random.Random, seed: Seed) -> bytes:
    """The cross-reference table cut, its offsets shifted, 'startxref' pointing nowhere or gone."""
    data = seed.data
    xref = data.rfind(b"xref")
    kind = rng.randrange(4)
    if kind == 0:
        return data[: rng.randint(xref, len(data) - 1)]
    if kind == 1:
        return data[:xref] + re.sub(rb"\d{10}", lambda m: b"%010d" % rng.randrange(10**10), data[xref:])
    if kind == 2:
        return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % rng.randrange(10**9), data)
    return data.replace(b"startxref", b"").replace(b"trailer", b"", rng.randint(0, 1))


def _streams(data: bytes) -> list[tuple[int, int]]:
    return [(match.end(), data.find(b"endstream", match.end())) for match in re.finditer(rb"stream\r?\n", data)]


def break_stream(rng: random.Random, seed: Seed) -> bytes:
    """A stream broken: bytes flipped inside it, cut short, its /Length wrong, 'endstream' gone."""
    data = seed.data
    start, end = rng.choice([(start, end) for start, end in _streams(data) if end > start])
    kind = rng.randrange(4)
    if kind == 0:
        inside = bytearray(data[start:end])
        for _ in range(rng.randint(1, 16)):
            inside[rng.randrange(len(inside))] ^= rng.randint(1, 255)
        return data[:start] + bytes(inside) + data[end:]
    if kind == 1:
        return data[: start + rng.randrange(end - start)] + data[end:]
    if kind == 2:
        return re.sub(rb"/Length \d+", lambda m: b"/Length %d" % rng.randrange(10**8), data)
    return data[:end] + data[end + len(b"endstream") :]


def swap_filters(rng: random.Random, seed: Seed) -> bytes:
    """Stream filters swapped for others (LZW, DCT, RunLength, JBIG2, one that does not exist)."""
    other = rng.choice([b"/LZWDecode", b"/DCTDecode", b"/RunLengthDecode", b"/JBIG2Decode", b"/NoSuchDecode"])
    return re.sub(rb"/(FlateDecode|ASCII85Decode)", other, seed.data, count=rng.randint(1, 4))


def page_tree(rng: random.Random, seed: Seed) -> bytes:
    """The page tree wrong: /Count huge or negative, /Kids pointing back at the tree, /Root,
    /Pages or a referenced object missing."""
    data = seed.data
    pages = re.search(rb"(\d+) 0 obj\s*<<[^>]*/Type /Pages", data)
    kind = rng.randrange(4)
    if kind == 0:
        return re.sub(rb"/Count \d+", b"/Count %d" % rng.choice([0, -1, 999_999_999]), data)
    if kind == 1 and pages:
        return re.sub(rb"/Kids \[[^\]]*\]", b"/Kids [ " + pages.group(1) + b" 0 R ]", data, count=1)
    if kind == 2:
        return data.replace(rng.choice([b"/Root", b"/Pages", b"/Contents", b"/Font", b"/Resources"]), b"/Nothing")
    numbers = re.findall(rb"(\d+) 0 obj", data)
    return data.replace(b"%s 0 obj" % rng.choice(numbers), b"999 0 obj", 1)


def deep_objects(rng: random.Random, seed: Seed) -> bytes:
    """Arrays and dictionaries nested thousands deep, spliced in before the trailer."""
    depth = rng.randint(1_000, 100_000)
    nested = rng.choice([b"[" * depth + b"]" * depth, b"<<" * depth + b">>" * depth])
    at = seed.data.rfind(b"xref")
    return seed.data[:at] + b"99 0 obj\n" + nested + b"\nendobj\n" + seed.data[at:]


@dataclass(frozen=True)
class Mutation:
    """A named way of damaging a seed of ``formats``."""

    name: str
    formats: tuple[str, ...]
    make: Callable[[random.Random, Seed], bytes]
    weight: int = 1


MUTATIONS = (
    Mutation("flip bytes", FORMATS, flip_bytes, 3),
    Mutation("truncate", FORMATS, truncate, 3),
    Mutation("delete chunk", FORMATS, delete_chunk, 2),
    Mutation("duplicate chunk", FORMATS, duplicate_chunk, 2),
    Mutation("insert bytes", FORMATS, insert_bytes, 2),
    Mutation("blank", FORMATS, blank),
    Mutation("other format", FORMATS, other_format),
    Mutation("control characters", TEXT_FORMATS, control_characters, 3),
    Mutation("invisible characters", TEXT_FORMATS, invisible_characters),
    Mutation("lone surrogates", TEXT_FORMATS, lone_surrogates),
    Mutation("reencode", TEXT_FORMATS, reencode, 3),
    Mutation("mojibake", TEXT_FORMATS, mojibake),
    Mutation("mixed encodings", TEXT_FORMATS, mixed_encodings),
    Mutation("long lines", TEXT_FORMATS, long_lines),
    Mutation("line ends", TEXT_FORMATS, line_ends),
    Mutation("doctype subset", (".html",), doctype_subset, 2),
    Mutation("broken markup", (".html",), broken_markup, 3),
    Mutation("deep nesting", (".html",), deep_nesting),
    Mutation("lying charset", (".html",), lying_charset),
    Mutation("markdown markup", (".md",), markdown_markup, 2),
    Mutation("corrupt member", (".docx",), corrupt_member, 3),
    Mutation("drop member", (".docx",), drop_member, 2),
    Mutation("break xml", (".docx",), break_xml, 3),
    Mutation("bad numbering", (".docx",), bad_numbering, 3),
    Mutation("huge declared sizes", (".docx",), huge_declared_sizes, 2),
    Mutation("zip flags", (".docx",), zip_flags),
    Mutation("paragraph bomb", (".docx",), paragraph_bomb),
    Mutation("truncate xref", (".pdf",), truncate_xref, 3),
    Mutation("break stream", (".pdf",), break_stream, 3),
    Mutation("swap filters", (".pdf",), swap_filters, 2),
    Mutation("page tree", (".pdf",), page_tree, 2),
    Mutation("deep objects", (".pdf",), deep_objects),
)

# ---------------------------------------------------------------------------------------------
# File names

_ODD_NAMES = (
    lambda stem, suffix: b"=" + stem + suffix,  # a spreadsheet formula
    lambda stem, suffix: b"-" + stem + suffix,  # an option
    lambda stem, suffix: b"--" + stem + suffix,
    lambda stem, suffix: b" " + stem + b" " + suffix,
    lambda stem, suffix: stem + b"-\xff\xfe" + suffix,  # not UTF-8
    lambda stem, suffix: stem + "-计划".encode("gbk") + suffix,  # GBK bytes, not UTF-8
    lambda stem, suffix: stem + b"-\xe8\xae" + suffix,  # UTF-8 cut mid-character
    lambda stem, suffix: stem + suffix.upper(),
    lambda stem, suffix: stem + b".pdf" + suffix,
    lambda stem, suffix: stem + b"-\t\x1b[31m" + suffix,  # a tab, a terminal escape
    lambda stem, suffix: stem + ("-" + "计划" * 30).encode() + suffix,  # a long name: 181 bytes more
)


def _file_name(rng: random.Random, index: int, mutation: str, suffix: str) -> bytes:
    """``m0042-truncate.pdf``, or in about one case of six an odd variant of it."""
    stem = f"m{index:04d}-{mutation.replace(' ', '-')}".encode()
    if rng.random() >= 1 / 6:
        return stem + suffix.encode()
    return rng.choice(_ODD_NAMES)(stem, suffix.encode())


def _draw(index: int, attempt: int, seed_value: int) -> Mutant:
    rng = random.Random(f"{seed_value}:{index}:{attempt}")
    suffix = FORMATS[index % len(FORMATS)]
    source = rng.choice(seeds()[suffix])
    applicable = [mutation for mutation in MUTATIONS if suffix in mutation.formats]
    mutation = rng.choices(applicable, weights=[mutation.weight for mutation in applicable])[0]
    data = mutation.make(rng, source)
    return Mutant(index, source.name, mutation.name, _file_name(rng, index, mutation.name, suffix), data)


def generate(count: int, *, seed: int = 0) -> Iterator[Mutant]:
    """The first ``count`` fuzz inputs of ``seed``, deterministic. An input whose bytes equal its
    seed's, the good file's or an earlier input's is drawn again (the next attempt of its index);
    raises RuntimeError when 100 attempts give nothing new."""
    seen = {hashlib.sha256(COUNTY_PLAN.read_bytes()).digest()}
    seen |= {hashlib.sha256(source.data).digest() for group in seeds().values() for source in group}
    for index in range(count):
        for attempt in range(100):
            mutant = _draw(index, attempt, seed)
            digest = hashlib.sha256(mutant.data).digest()
            if digest not in seen:
                seen.add(digest)
                yield mutant
                break
        else:
            raise RuntimeError(f"fuzz input {index} of seed {seed}: 100 draws gave only inputs already made")


def write_inputs(mutants: list[Mutant], folder: Path) -> dict[str, Mutant]:
    """Write ``mutants`` into ``folder``; returns each one by its path as the run shows it
    (:func:`~pipeline.ingest.source.printable`)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for mutant in mutants:
        path = os.path.join(os.fsencode(folder), mutant.name)
        with open(path, "wb") as file:
            file.write(mutant.data)
        written[printable(os.fsdecode(path))] = mutant
    return written


# ---------------------------------------------------------------------------------------------
# Running a batch through the command line


@dataclass
class BatchResult:
    """What one run of the command line on a batch did, and what it did wrong."""

    inputs: dict[str, Mutant]
    returncode: int
    stderr: str
    seconds: float
    peak_rss_mb: float
    timed_out: bool
    read: set[str] = field(default_factory=set)  # source_path of every document in documents.csv
    good_tasks: int = 0  # tasks of the known-good file; GOOD_TASKS when it was processed

    @property
    def crashed(self) -> bool:
        """A traceback on stderr, or an exit that is neither 0 nor 1 (2, a signal, no outputs)."""
        return "Traceback" in self.stderr or (not self.timed_out and self.returncode not in (0, 1))

    @property
    def internal_errors(self) -> list[str]:
        """stderr lines asking for the file to be reported (a reader bug, the catch-all)."""
        return [line for line in self.stderr.splitlines() if CATCH_ALL in line]

    def inputs_read(self) -> int:
        """How many of the fuzzed inputs are in documents.csv (the good file not counted)."""
        return sum(path in self.read for path in self.inputs)

    def error_lines(self) -> dict[str, list[str]]:
        """The ``error:`` lines of each input, by its path."""
        found: dict[str, list[str]] = {path: [] for path in self.inputs}
        for line in self.stderr.splitlines():
            match = _ERROR_LINE.match(line)
            if match:
                for path in found:
                    if match["path"] == path:
                        found[path].append(line)
        return found

    def unnamed_refusals(self) -> list[str]:
        """Inputs neither read nor named on exactly one ``error: PATH: problem — advice`` line."""
        named = self.error_lines()
        return [
            f"{self.inputs[path].label()} ({path}): {lines or 'no error line'}"
            for path, lines in named.items()
            if path not in self.read and len(lines) != 1
        ]

    def unspecific_messages(self) -> list[str]:
        """Error lines of inputs that give the catch-all rather than what is wrong with the file."""
        return [
            f"{self.inputs[path].label()}: {line}"
            for path, lines in self.error_lines().items()
            for line in lines
            if CATCH_ALL in line or "could not be read (" in line
        ]

    def problems(self) -> list[str]:
        """Everything that went wrong, one line each; empty for a clean batch."""
        found = []
        if self.timed_out:
            found.append(f"hang: still running after {self.seconds:.0f} s")
        if self.crashed:
            found.append(f"crash: exit {self.returncode}; stderr ends {self.stderr[-2000:]!r}")
        if not self.timed_out and self.good_tasks != GOOD_TASKS:
            found.append(f"good file lost: {self.good_tasks} tasks, not {GOOD_TASKS}")
        found += [f"internal error: {line}" for line in self.internal_errors]
        found += [f"not named: {line}" for line in self.unnamed_refusals()]
        found += [f"unspecific: {line}" for line in self.unspecific_messages()]
        return found


def good_file(folder: Path) -> Path:
    """A copy of the county plan in ``folder`` (beside no manifest), the known-good file of a batch."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(COUNTY_PLAN, folder))


def run_batch(mutants: list[Mutant], workdir: Path, *, timeout: float = 120, jobs: int = 1) -> BatchResult:
    """Write ``mutants`` and the known-good file under ``workdir`` and run
    ``python -m pipeline run INPUTS GOOD --out OUT --no-workbook --jobs N`` on them, stopped
    after ``timeout`` seconds (its process group killed). Returns what it did, with the run's
    peak RSS (its workers' included) measured by GNU time where there is one."""
    inputs = write_inputs(mutants, workdir / "inputs")
    good = good_file(workdir / "good")
    out = workdir / "out"
    command = [sys.executable, "-m", "pipeline", "run", str(workdir / "inputs"), str(good)]
    command += ["--out", str(out), "--no-workbook", "--jobs", str(jobs)]
    if _TIME.exists():  # GNU time reports the run's own peak RSS; wait4's is at least ours (see _wait)
        command = [str(_TIME), "-f", "%M", "-o", str(workdir / "peak_rss_kb.txt"), *command]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    with open(workdir / "stderr.txt", "wb") as stderr:
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    status, usage, timed_out = _wait(process, timeout)
    result = BatchResult(
        inputs=inputs,
        returncode=status,
        stderr=(workdir / "stderr.txt").read_text(encoding="utf-8", errors="backslashreplace"),
        seconds=time.perf_counter() - started,
        peak_rss_mb=_peak_rss_kb(workdir / "peak_rss_kb.txt", usage) / 1024,
        timed_out=timed_out,
    )
    documents_csv = out / "documents.csv"
    if documents_csv.exists():
        documents = pd.read_csv(documents_csv, encoding="utf-8-sig", keep_default_na=False, dtype=str)
        tasks = pd.read_csv(out / "tasks.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
        result.read = set(documents["source_path"])
        result.good_tasks = int((tasks["doc_id"] == good.stem).sum()) if good.stem in set(documents["doc_id"]) else 0
    return result


def _peak_rss_kb(report: Path, usage: resource.struct_rusage) -> int:
    """The peak RSS in KB that GNU time wrote to ``report`` (its last line), else ``wait4``'s,
    which after fork and exec is at least the RSS of the process that started the run."""
    lines = report.read_text().split() if report.exists() else []
    return int(lines[-1]) if lines and lines[-1].isdigit() else usage.ru_maxrss


def _wait(process: subprocess.Popen, timeout: float) -> tuple[int, resource.struct_rusage, bool]:
    """Wait for ``process`` (its whole process group is killed after ``timeout`` seconds); returns
    its exit code (negative for a signal), its resource usage with that of the workers it waited
    for, and whether it ran out of time."""
    deadline = time.monotonic() + timeout
    pid, status, usage = os.wait4(process.pid, os.WNOHANG)
    while not pid and time.monotonic() < deadline:
        time.sleep(0.05)
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
    if not pid:
        os.killpg(process.pid, signal.SIGKILL)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage, not pid
