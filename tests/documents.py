"""Test inputs made from the real county plan: a Word file with real numbering definitions and a
PDF with a CJK font, running heads and page numbers; its hand-checked gold. Paths to the shared
corpus."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline.document.numbering import match_numbering

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
LAWREFBOOK = REPO.parent / "shared" / "lawrefbook"
COUNTY_PLAN = REPO / "data" / "raw" / "alxa-left-banner-2024-rule-of-law-government-plan.txt"
GOLD = REPO / "tests" / "data" / "gold"

_NUMBERING_XML = (
    f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="%1、"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:lvlRestart w:val="0"/>'
    '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
    "</w:abstractNum>"
)


def county_gold_assignments() -> pd.DataFrame:
    """The county plan's hand-checked unit mentions (tests/data/gold), one row a mention:
    task_number, mention, role, order, and the mention's canonical unit, type and collective."""
    mentions = pd.read_csv(GOLD / "units_alxa_county_plan.csv")
    return mentions.join(pd.read_csv(GOLD / "units_alxa_canonical.csv").set_index("mention"), on="mention")


def county_plan_lines() -> list[str]:
    """The county plan's non-empty lines, as in data/raw/."""
    return [line.strip() for line in COUNTY_PLAN.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_county_plan_docx(path: Path) -> Path:
    """Write the county plan as .docx whose 一、 and （一） come from numbering definitions only."""
    document = Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(_NUMBERING_XML))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for line in county_plan_lines():
        found = match_numbering(line)
        if found is None or found.style not in ("cn", "cn_paren"):
            document.add_paragraph(line)
            continue
        paragraph = document.add_paragraph(found.rest)
        level = 0 if found.style == "cn" else 1
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
        )
    document.save(path)
    return path


def write_county_plan_pdf(path: Path) -> Path:
    """Write the county plan as a PDF (STSong-Light CJK font) with a running head and page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK")

    def page_furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(72, A4[1] - 40, "阿拉善左旗人民政府办公室文件")
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")
        canvas.restoreState()

    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph(line, style) for line in county_plan_lines()],
        onFirstPage=page_furniture,
        onLaterPages=page_furniture,
    )
    return path
