"""Reading every supported format and encoding, and refusing bad input with a clear message."""

from __future__ import annotations

import codecs

import pytest

from pipeline.document.structure import parse_document
from pipeline.errors import InputError
from pipeline.ingest.decode import han_sample, looks_like_chinese
from pipeline.ingest.normalise import normalise
from pipeline.ingest.source import read_source
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN, write_county_plan_docx, write_county_plan_pdf


def tables_of(path):
    doc = parse_document(read_source(path), "alxa")
    return (
        {k: v for k, v in doc.record.items() if k not in ("source_path", "sha256", "encoding", "n_chars")},
        [(s.number, s.title, s.text) for s in doc.sections],
        [(t.path, t.title, t.text) for t in doc.tasks],
    )


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("gb18030", b""),
        ("gbk", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),  # FF FE 00 00: UTF-16 LE's BOM followed by a NUL
        ("utf-32-be", codecs.BOM_UTF32_BE),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_other_encodings_give_identical_tables(tmp_path, county_plan, encoding, bom):
    copy = tmp_path / "plan.txt"
    copy.write_bytes(bom + COUNTY_PLAN.read_text(encoding="utf-8").encode(encoding))
    assert tables_of(copy) == tables_of(COUNTY_PLAN)


def test_crlf_and_fullwidth_digits_are_normalised(tmp_path):
    copy = tmp_path / "plan.txt"
    text = COUNTY_PLAN.read_text(encoding="utf-8").replace("\n", "\r\n").replace("100%", "１００％")
    copy.write_bytes(text.encode("gb18030"))
    source = read_source(copy)
    assert "\r" not in source.text and "出庭应诉率100%" in source.text
    assert tables_of(copy)[2] == tables_of(COUNTY_PLAN)[2]


def test_offset_map_leads_back_to_the_original():
    normalised = normalise("第１条\r\n　加强\u200b管理")
    assert normalised.text == "第1条\n 加强管理"
    start = normalised.text.index("管理")
    assert normalised.original_span(start, start + 2) == (9, 11)
    assert normalised.original[9:11] == "管理"


def test_docx_numbering_definitions_are_rebuilt(tmp_path):
    docx = write_county_plan_docx(tmp_path / "plan.docx")
    from docx import Document  # python-docx itself drops the numbers

    assert not any(p.text.startswith("（一）") for p in Document(docx).paragraphs)
    assert tables_of(docx) == tables_of(COUNTY_PLAN)


def test_pdf_gives_the_same_tasks_without_page_furniture(tmp_path):
    pdf = write_county_plan_pdf(tmp_path / "plan.pdf")
    record, sections, tasks = tables_of(pdf)
    assert (sections, tasks) == tables_of(COUNTY_PLAN)[1:]
    assert record["title"] == "阿拉善左旗2024年法治政府建设工作计划"
    text = read_source(pdf).text
    assert "文件" not in text.splitlines()[-1] and "- 2 -" not in text


def test_html_tables_become_tab_separated_rows(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><meta charset='gbk'><title>t</title></head><body><nav>首页 | 政策</nav>"
        "<div class='article'><p>某县工作分工</p><table><tr><th>序号</th><th>重点任务</th><th>牵头单位</th></tr>"
        "<tr><td>1</td><td>推进依法行政。</td><td>县司法局</td></tr></table></div></body></html>",
        encoding="gbk",
    )
    source = read_source(page)
    assert source.text.splitlines() == ["某县工作分工", "序号\t重点任务\t牵头单位", "1\t推进依法行政。\t县司法局"]
    assert source.encoding == "gb18030"


def test_govcn_metadata_labels_in_indented_cells(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><table><tr>\n      <td>\n        <b>标　　题：</b>\n      </td>\n"
        "      <td>国务院办公厅关于加强行政调解工作的通知</td></tr><tr>\n      <td>\n        <b>发文机关：</b>\n"
        "      </td>\n      <td>国务院办公厅</td></tr></table>"
        "<div id='UCAP-CONTENT'><p>各省、自治区、直辖市人民政府：</p><p>一、加强行政调解工作。</p></div></body></html>",
        encoding="utf-8",
    )
    metadata = read_source(page).metadata
    assert metadata["title"] == "国务院办公厅关于加强行政调解工作的通知"
    assert metadata["issuer"] == "国务院办公厅"


def test_mojibake_is_not_chinese():
    text = COUNTY_PLAN.read_text(encoding="utf-8")
    assert looks_like_chinese(text)
    assert not looks_like_chinese(text.encode("utf-8").decode("gb18030", errors="replace"))


def test_han_sample_is_the_first_4000_han_characters_of_the_first_50000():
    plan = COUNTY_PLAN.read_text(encoding="utf-8")
    han = "".join(char for char in plan if "\u4e00" <= char <= "\u9fff")
    # a web page whose Chinese starts after 7,999 characters of markup, across the 8,000-character steps
    page = "<" * 7999 + plan
    assert han_sample(page) == han[:4000]
    assert han_sample("x" * 49_999 + "中文") == "中"  # only the first 50,000 characters are searched
    assert han_sample("x" * 50_000 + plan) == ""


def _scanned_pdf(path):
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.rect(50, 50, 400, 600, fill=1)  # an image-like page with no text layer
    page.save()
    return path


BAD_INPUTS = {
    "empty file": (lambda d: _write(d / "empty.txt", b"\n  \n"), "empty file"),
    "binary renamed": (lambda d: _write(d / "photo.txt", bytes(range(256)) * 40), "binary data"),
    "truncated docx": (lambda d: _truncate(write_county_plan_docx(d / "plan.docx")), "damaged or truncated Word file"),
    "truncated pdf": (
        lambda d: _truncate(write_county_plan_pdf(d / "plan.pdf")),
        "damaged or truncated PDF",
    ),
    "scanned pdf": (lambda d: _scanned_pdf(d / "scan.pdf"), "scanned, needs OCR"),
    "unknown encoding": (
        lambda d: _write(d / "big5.txt", COUNTY_PLAN.read_text(encoding="utf-8").encode("big5", "replace")),
        "unknown text encoding",
    ),
    "cut mid-character": (lambda d: _write(d / "cut.txt", COUNTY_PLAN.read_bytes()[:1000]), "truncated file"),
    "GB18030 cut mid-character": (
        lambda d: _write(d / "cut-gb.txt", COUNTY_PLAN.read_text(encoding="utf-8").encode("gb18030")[:5001]),
        "truncated file: it ends in the middle of a GB18030 character",
    ),
    "blank web page": (
        lambda d: _write(d / "blank.html", b"\xef\xbb\xbf" + b"\n" * 300),  # found by the fuzzer: lxml's ParserError
        "empty web page: it holds no elements, only blanks or comments",
    ),
    "web page of comments only": (
        lambda d: _write(d / "comment.html", b"<!-- \xe8\xae\xa1\xe5\x88\x92 -->"),
        "empty web page",
    ),
    "missing": (lambda d: d / "nothing-here.txt", "no such file"),
    "unsupported": (lambda d: _write(d / "plan.odt", b"PK\\x03\\x04"), "unsupported file type '.odt'"),
}


def _write(path, data):
    path.write_bytes(data)
    return path


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_raises_one_clear_error(tmp_path, case):
    make, expected = BAD_INPUTS[case]
    path = make(tmp_path)
    with pytest.raises(InputError) as raised:
        read_source(path)
    message = str(raised.value)
    assert message.startswith(str(path)) and expected in message and " — " in message
    assert "\n" not in message


def test_html_without_a_known_container_keeps_the_paragraphs_and_drops_the_menus(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>某县人民政府</title></head><body>"
        "<div class='menu'><div>首页</div><div>政务公开</div><div>办事服务</div></div>"
        "<div class='main'><p>一、完善制度</p><p>（一）健全规范性文件合法性审核机制，严格审核程序。</p>"
        "<p>（二）推行行政执法公示制度，及时公开执法信息。</p></div>"
        "<div class='footer'><div>主办单位：某县人民政府办公室</div></div></body></html>",
        encoding="utf-8",
    )
    assert read_source(page).text.splitlines() == [
        "一、完善制度",
        "（一）健全规范性文件合法性审核机制，严格审核程序。",
        "（二）推行行政执法公示制度，及时公开执法信息。",
    ]


def test_html_doctype_internal_subset_is_dropped_and_its_entities_never_expanded(tmp_path):
    laughs = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html [\n  <!ENTITY lol0 "lol">' + laughs + '\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
        '  <!ENTITY tricky "]>"> <!-- a ]> in a comment -->\n]>\n'
        "<html><head><title>某县2024年法治政府建设工作计划</title></head><body>"
        "<p>某县2024年法治政府建设工作计划</p><p>一、加强行政执法。&xxe;&lol9;</p>"
        "<p>（一）推进依法行政，严格执行制度。</p></body></html>",
        encoding="utf-8",
    )
    source = read_source(page)
    doc = parse_document(source, "page")
    assert doc.record["title"] == "某县2024年法治政府建设工作计划"
    assert "]>" not in source.text and "root:" not in source.text and "lollol" not in source.text
    assert "&xxe;&lol9;" in source.text  # references to undeclared entities stay as written
    assert [task.text for task in doc.tasks] == ["推进依法行政，严格执行制度。"]


@needs_corpus
def test_markdown_with_lone_cr_line_ends_reads_as_with_lf(tmp_path):
    # Found by the fuzzer: with CR-only line ends the title was the whole law (9,971 characters
    # holding CRs, which broke its documents.csv row) and the ## marks stayed in the text.
    law = CORPUS / "laws" / "jinan-2022-optimize-business-environment-regulation.md"
    cr = _write(tmp_path / "cr.md", law.read_bytes().replace(b"\n", b"\r"))
    expected, read = read_source(law), read_source(cr)
    assert read.metadata["title_hint"] == expected.metadata["title_hint"] == "济南市优化营商环境条例"
    assert read.text == expected.text and "##" not in read.text
