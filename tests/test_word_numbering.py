"""Word list numbers rebuilt as Word, WPS and LibreOffice show them: every numFmt they write for
Chinese lists, lists that restart through w:lvlOverride/w:startOverride, and w:lvlRestart. The
numbering definitions are made here, as those programs write them into numbering.xml. And .doc,
.wps, .rtf files: read through LibreOffice where it is installed, else refused in one line; both
paths are tested on every machine (LibreOffice is looked up when such a file is read)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline.errors import InputError
from pipeline.ingest.discover import discover_inputs
from pipeline.ingest.readers.word import format_list_number, read_docx
from pipeline.ingest.source import read_source
from tests.conftest import LIBREOFFICE, needs_libreoffice
from tests.documents import write_county_plan_docx

W = nsdecls("w")


def level(ilvl: int, num_fmt: str, text: str, *, start: int = 1, restart: int | None = None) -> str:
    """One w:lvl of an abstract numbering definition."""
    restart_xml = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/>{restart_xml}<w:numFmt w:val="{num_fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def docx_lines(abstracts: dict[int, list[str]], nums: dict[int, tuple[int, str]], items: list[tuple[int, int, str]]):
    """The lines guanche reads from a .docx with the abstract definitions ``abstracts`` (id →
    levels), the lists ``nums`` (numId → (abstractNumId, lvlOverride XML)) and paragraphs
    ``items`` (numId, ilvl, text)."""
    document = Document()
    numbering = document.part.numbering_part.element
    for abstract_id, levels in abstracts.items():
        numbering.insert(
            0, parse_xml(f'<w:abstractNum {W} w:abstractNumId="{90 + abstract_id}">{"".join(levels)}</w:abstractNum>')
        )
    for num_id, (abstract_id, overrides) in nums.items():
        numbering.append(
            parse_xml(
                f'<w:num {W} w:numId="{90 + num_id}"><w:abstractNumId w:val="{90 + abstract_id}"/>{overrides}</w:num>'
            )
        )
    for num_id, ilvl, text in items:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{90 + num_id}"/></w:numPr>')
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return read_docx(buffer.getvalue(), Path("numbered.docx")).text.splitlines()


@pytest.mark.parametrize(
    "num_fmt, values, expected",
    [
        ("chineseCounting", (1, 10, 11, 21), "一 十 十一 二十一"),
        ("chineseCountingThousand", (9, 20, 101), "九 二十 一百零一"),
        ("taiwaneseCounting", (2, 12), "二 十二"),
        ("taiwaneseCountingThousand", (1, 3, 15), "一 三 十五"),
        ("japaneseCounting", (4,), "四"),
        ("chineseLegalSimplified", (1, 2, 11), "壹 贰 壹拾壹"),
        ("ideographLegalTraditional", (2, 3, 6), "貳 參 陸"),
        ("ideographTraditional", (1, 2, 10, 11), "甲 乙 癸 甲"),
        ("ideographZodiac", (1, 12), "子 亥"),
        ("ideographDigital", (3, 10, 2024), "三 一〇 二〇二四"),
        ("decimalEnclosedCircle", (1, 20, 21), "① ⑳ 21"),
        ("decimalEnclosedCircleChinese", (3,), "③"),
        ("decimalEnclosedParen", (1, 12), "⑴ ⑿"),
        ("decimalEnclosedFullstop", (1, 5), "⒈ ⒌"),
        ("decimalFullWidth", (7, 12), "７ １２"),
        ("decimalFullWidth2", (3,), "３"),
        ("decimalZero", (5, 12), "05 12"),
        ("decimal", (12,), "12"),
        ("upperRoman", (4,), "IV"),
        ("bullet", (1,), ""),
    ],
)
def test_numbering_formats(num_fmt, values, expected):
    assert " ".join(format_list_number(value, num_fmt) for value in values) == expected


def test_taiwanese_counting_thousand_in_a_document_reads_as_word_shows_it():
    abstracts = {1: [level(0, "taiwaneseCountingThousand", "%1、"), level(1, "taiwaneseCountingThousand", "（%2）")]}
    items = [(1, 0, "总体要求"), (1, 1, "指导思想"), (1, 1, "工作目标"), (1, 0, "主要任务"), (1, 1, "健全机构职能")]
    assert docx_lines(abstracts, {1: (1, "")}, items) == [
        "一、总体要求",
        "（一）指导思想",
        "（二）工作目标",
        "二、主要任务",
        "（一）健全机构职能",
    ]


def test_a_list_with_a_start_override_counts_on_its_own():
    # Two lists of one definition: the second continues the first, the third restarts at 一.
    abstracts = {1: [level(0, "chineseCounting", "%1、")]}
    nums = {1: (1, ""), 2: (1, ""), 3: (1, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>')}
    items = [(1, 0, "甲项"), (2, 0, "乙项"), (3, 0, "新清单首项"), (3, 0, "新清单次项"), (1, 0, "原清单续项")]
    assert docx_lines(abstracts, nums, items) == [
        "一、甲项",
        "二、乙项",
        "一、新清单首项",
        "二、新清单次项",
        "三、原清单续项",
    ]


def test_a_level_override_replaces_the_format_and_start():
    abstracts = {1: [level(0, "decimal", "%1.")]}
    override = '<w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="chineseCounting"/></w:lvl></w:lvlOverride>'
    assert docx_lines(abstracts, {1: (1, override)}, [(1, 0, "第三项"), (1, 0, "第四项")]) == ["三.第三项", "四.第四项"]


def test_lvl_restart_zero_keeps_counting_and_a_level_restarts_only_below_its_restart_level():
    abstracts = {
        1: [
            level(0, "chineseCounting", "%1、"),
            level(1, "chineseCounting", "（%2）", restart=0),  # never restarts: （一）…（三） across sections
            level(2, "decimal", "%3.", restart=1),  # restarts only when level 0 steps, not level 1
        ]
    }
    items = [
        (1, 0, "甲"),
        (1, 1, "子"),
        (1, 2, "a"),
        (1, 1, "丑"),
        (1, 2, "b"),
        (1, 0, "乙"),
        (1, 1, "寅"),
        (1, 2, "c"),
    ]
    assert docx_lines(abstracts, {1: (1, "")}, items) == [
        "一、甲",
        "（一）子",
        "1.a",
        "（二）丑",
        "2.b",
        "二、乙",
        "（三）寅",
        "1.c",
    ]


@pytest.mark.usefixtures("without_libreoffice")
@pytest.mark.parametrize("suffix", [".doc", ".wps", ".rtf"])
def test_without_libreoffice_a_legacy_file_is_refused_in_one_line(tmp_path, suffix):
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") if suffix != ".rtf" else b"{\\rtf1 plan}")
    with pytest.raises(InputError) as raised:
        read_source(path)
    assert str(raised.value) == (
        f"{path}: a {suffix} file needs LibreOffice, which is not installed — install LibreOffice "
        "(sudo apt-get install libreoffice-writer) to read it, or save it as .docx"
    )


# LibreOffice as guanche calls it (soffice --headless -env:… --convert-to docx --outdir FOLDER
# FILE), standing in for it: it writes FOLDER/<FILE's name>.docx, a copy of the file DOCX.
FAKE_SOFFICE = """#!/bin/sh
while [ "$1" != "--outdir" ]; do shift; done
name=$(basename "$3")
cp "{docx}" "$2/${{name%.*}}.docx"
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for LibreOffice")
def test_libreoffice_is_looked_up_when_a_legacy_file_is_read(tmp_path, monkeypatch):
    docx = write_county_plan_docx(tmp_path / "plan.docx")
    plans = tmp_path / "plans"
    plans.mkdir()
    doc = plans / "plan.doc"
    doc.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1"))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))  # no LibreOffice on the PATH
    with pytest.raises(InputError, match=r"a \.doc file needs LibreOffice, which is not installed"):
        read_source(doc)
    assert list(discover_inputs([plans])) == []  # skipped in folders
    soffice = tmp_path / "bin" / "soffice"
    soffice.parent.mkdir()
    soffice.write_text(FAKE_SOFFICE.format(docx=docx), encoding="utf-8")
    soffice.chmod(0o755)
    monkeypatch.setenv("PATH", f"{soffice.parent}{os.pathsep}{os.defpath}")  # installed meanwhile
    assert list(discover_inputs([plans])) == [doc]
    read = read_source(doc)
    assert read.encoding == "doc via LibreOffice"
    assert read.text == read_source(docx).text


def _libreoffice(source: Path, target: str, folder: Path) -> Path:
    """``source`` converted by LibreOffice to the filter ``target`` in ``folder``; returns the file."""
    subprocess.run(
        [
            LIBREOFFICE,
            "--headless",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(folder / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder / "out" / f"{source.stem}.{target.split(':')[0]}"


@needs_libreoffice
def test_a_doc_saved_by_libreoffice_reads_as_libreoffice_shows_it(tmp_path):
    # The .doc that LibreOffice writes from the county plan's DOCX is read through LibreOffice's
    # own conversion, and gives the text LibreOffice shows for it (list numbers included; blank
    # space aside). LibreOffice restarts （一） under each 一、: in the .doc it saves, the DOCX's
    # w:lvlRestart="0" (never restart, as Word shows it) is gone, so the two texts differ there.
    doc = _libreoffice(write_county_plan_docx(tmp_path / "plan.docx"), "doc", tmp_path / "doc")
    shown = _libreoffice(doc, "txt:Text (encoded):UTF8", tmp_path / "txt").read_text(encoding="utf-8-sig")
    read = read_source(doc).text
    assert re.sub(r"\s+", "", read) == re.sub(r"\s+", "", shown)
    assert "（一）严格落实重大行政决策程序" in read  # the restart LibreOffice shows
