"""Reading limits that protect the machine, and every way a Word or PDF file can be damaged:
each gives one line naming the file, what is wrong and what to do."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest

from pipeline.errors import InputError
from pipeline.ingest.readers import pdf as pdf_reader
from pipeline.ingest.source import read_source
from tests.documents import write_county_plan_docx, write_county_plan_pdf

_PARAGRAPH = b"<w:p><w:r><w:t>" + "加强行政执法，推进依法行政。".encode() + b"</w:t></w:r></w:p>"


def _refusal(path) -> str:
    with pytest.raises(InputError) as raised:
        read_source(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and " — " in message and "\n" not in message
    return message


def _rezip(docx, target, part: str, write) -> None:
    """Copy the parts of ``docx`` into ``target``, ``part`` written by ``write(stream)`` instead."""
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in source.namelist():
            if name != part:
                copy.writestr(name, source.read(name))
        with copy.open(part, "w") as stream:
            write(stream)


def _bomb(tmp_path, inflated: int = 200 * 2**20):
    """A .docx whose document.xml inflates to ``inflated`` bytes of repeated paragraphs."""
    docx = write_county_plan_docx(tmp_path / "plan.docx")
    bomb = tmp_path / "bomb.docx"
    block = _PARAGRAPH * (2**20 // len(_PARAGRAPH))

    def write(stream) -> None:
        stream.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
        for _ in range(inflated // len(block)):
            stream.write(block)
        stream.write(b"</w:body></w:document>")

    _rezip(docx, bomb, "word/document.xml", write)
    return bomb


def _refused_quickly_in_little_memory(path) -> str:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = _refusal(path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 5 and peak < 40 * 2**20, (elapsed, peak)
    return message


def test_a_docx_zip_bomb_is_refused_from_its_directory(tmp_path):
    bomb = _bomb(tmp_path)
    assert bomb.stat().st_size < 1_000_000
    message = _refused_quickly_in_little_memory(bomb)
    assert "a part of the Word file (word/document.xml) unpacks to" in message and "zip bomb" in message


def test_a_docx_zip_bomb_whose_directory_lies_is_stopped_while_inflating(tmp_path):
    bomb = _bomb(tmp_path)
    data = bytearray(bomb.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory's entry of word/document.xml
    while data[entry + 46 : entry + 46 + len(b"word/document.xml")] != b"word/document.xml":
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 100_000)  # the central directory's uncompressed size
    bomb.write_bytes(bytes(data))
    message = _refused_quickly_in_little_memory(bomb)
    assert "damaged Word file: a part of it does not unpack" in message


def test_a_docx_with_too_many_parts_is_refused(tmp_path, monkeypatch):
    from pipeline.ingest.readers import word

    monkeypatch.setattr(word, "MAX_ZIP_ENTRIES", 5)
    message = _refusal(write_county_plan_docx(tmp_path / "plan.docx"))
    assert "parts, more than 5" in message


def _with_part(tmp_path, part: str, content: bytes | None):
    docx = write_county_plan_docx(tmp_path / "plan.docx")
    damaged = tmp_path / "damaged.docx"
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in source.namelist():
            if name != part:
                copy.writestr(name, source.read(name))
            elif content is not None:
                copy.writestr(name, content)
    return damaged


_WORD_DOCUMENT_WITHOUT_BODY = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'


def _corrupt_deflate(tmp_path):
    docx = write_county_plan_docx(tmp_path / "plan.docx")
    data = bytearray(docx.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 40] = bytes(range(7, 47))  # an invalid deflate block
    docx.write_bytes(bytes(data))
    return docx


DAMAGED_WORD_FILES = {
    "document part not XML": (
        lambda d: _with_part(d, "word/document.xml", b"<w:document><w:body><w:p>"),
        "damaged Word file: one of its parts (document, styles or numbering) is not valid XML — open it in Word",
    ),
    "document part in another namespace": (  # found by the fuzzer: python-docx's AttributeError
        lambda d: _with_part(
            d,
            "word/document.xml",
            zipfile.ZipFile(write_county_plan_docx(d / "p.docx"))
            .read("word/document.xml")
            .replace(b"wordprocessingml/2006/main", b"wordprocessingml/2006/other"),
        ),
        "damaged Word file: its document part holds no Word document body",
    ),
    "document part without a body": (
        lambda d: _with_part(d, "word/document.xml", _WORD_DOCUMENT_WITHOUT_BODY),
        "damaged Word file: its document part holds no Word document body",
    ),
    "document part missing": (
        lambda d: _with_part(d, "word/document.xml", None),
        "damaged Word file: a part every Word document has is missing",
    ),
    "corrupt deflate stream": (_corrupt_deflate, "damaged Word file"),
    "a chunk deleted before its directory": (  # found by the fuzzer: zipfile's "negative seek value"
        lambda d: _write(
            d / "cut.docx", _without_bytes(write_county_plan_docx(d / "plan.docx").read_bytes(), 200, 3000)
        ),
        "damaged or truncated Word file: its ZIP directory points outside the file",
    ),
    "truncated": (
        lambda d: _write(d / "cut.docx", write_county_plan_docx(d / "plan.docx").read_bytes()[:3000]),
        "damaged or truncated Word file: it is not a complete DOCX (ZIP) package",
    ),
    "a .doc or an encrypted docx": (
        lambda d: _write(d / "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)),
        "not a .docx: a Word 97-2003 .doc file or a password-protected document — open it in Word or WPS, remove",
    ),
    "a spreadsheet renamed": (
        lambda d: _with_part(
            d,
            "[Content_Types].xml",
            zipfile.ZipFile(write_county_plan_docx(d / "p.docx"))
            .read("[Content_Types].xml")
            .replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main"),
        ),
        "not a Word document: the package holds another kind of Office file",
    ),
}


def _without_bytes(data: bytes, start: int, end: int) -> bytes:
    return data[:start] + data[end:]


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(DAMAGED_WORD_FILES))
def test_every_kind_of_damaged_word_file_gets_its_own_message(tmp_path, case):
    make, expected = DAMAGED_WORD_FILES[case]
    message = _refusal(make(tmp_path))
    assert expected in message and "please report" not in message


def test_damaged_numbering_definitions_leave_lists_unnumbered_and_the_text_read(tmp_path):
    docx = write_county_plan_docx(tmp_path / "plan.docx")
    numbering = zipfile.ZipFile(docx).read("word/numbering.xml")
    damaged = _with_part(tmp_path, "word/numbering.xml", numbering.replace(b'w:ilvl="0"', b'w:ilvl="x"'))
    assert "加强行政调解工作" in read_source(damaged).text


def _encrypted_pdf(path, user_password: str, monkeypatch):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import _cidfontdata, pdfdoc, pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    # reportlab writes the CID font's Registry and Ordering unencrypted; a real encrypted PDF has them encrypted
    system_info = _cidfontdata.CIDFontInfo["STSong-Light"]["DescendantFonts"][0]["CIDSystemInfo"]
    monkeypatch.setitem(system_info, "Registry", pdfdoc.PDFString("Adobe"))
    monkeypatch.setitem(system_info, "Ordering", pdfdoc.PDFString("GB1"))
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    security = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner", canPrint=0, canCopy=0)
    page = canvas.Canvas(str(path), encrypt=security)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 700, "某县2024年法治政府建设工作计划")
    page.drawString(72, 680, "一、加强行政执法。")
    page.save()
    return path


def test_encrypted_pdfs_open_with_an_empty_password_and_are_refused_with_a_real_one(tmp_path, monkeypatch):
    restricted = _encrypted_pdf(tmp_path / "restricted.pdf", "", monkeypatch)
    assert read_source(restricted).text.splitlines() == ["某县2024年法治政府建设工作计划", "一、加强行政执法。"]
    protected = _encrypted_pdf(tmp_path / "protected.pdf", "secret", monkeypatch)
    assert _refusal(protected) == (
        f"{protected}: password-protected: the PDF opens only with a password — "
        "remove the password (e.g. qpdf --decrypt) and read the decrypted copy"
    )


def test_pdf_page_count_and_stream_size_are_limited(tmp_path, monkeypatch):
    pdf = write_county_plan_pdf(tmp_path / "plan.pdf")
    monkeypatch.setattr(pdf_reader, "MAX_PDF_PAGES", 2)
    assert "too many pages: 5, more than 2 — split it" in _refusal(pdf)
    monkeypatch.setattr(pdf_reader, "MAX_PDF_PAGES", 5_000)
    monkeypatch.setattr(pdf_reader, "MAX_STREAM_BYTES", 2_000)
    assert "page 1 holds an object that unpacks to more than" in _refusal(pdf)


def test_a_damaged_pdf_page_names_the_page(tmp_path):
    pdf = write_county_plan_pdf(tmp_path / "plan.pdf")
    data = pdf.read_bytes()
    stream = data.index(b"stream", data.index(b"/Filter [ /ASCII85Decode"))
    pdf.write_bytes(data[: stream + 10] + b"\x00\x01\x02" + data[stream + 13 :])
    message = _refusal(pdf)
    assert "damaged PDF: the content of page" in message and "get an intact copy" in message
