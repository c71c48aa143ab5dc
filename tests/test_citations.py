"""Cited instruments: titles, document numbers, kinds, basis relations and resolution."""

from __future__ import annotations

import pandas as pd

from extractors.citations import citations, own_references, title_key, title_kind
from pipeline.api import read_corpus
from pipeline.document.manifest import Manifest
from pipeline.document.structure import parse_document
from pipeline.document.titles import TitleIndex
from pipeline.ingest.source import read_source
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN

LAWS = CORPUS / "laws"
DECISION_PROCEDURE = LAWS / "national-2019-major-administrative-decision-procedure-regulation.md"


def _tables(*paths):
    corpus, failures = read_corpus(list(paths), manifest=Manifest(), stages=("structure", "commitments"))
    assert not failures
    return corpus, corpus.tables


def _document_citations(path, doc_id="doc"):
    doc = parse_document(read_source(path), doc_id)
    own = own_references(doc.record["title"], doc.record["doc_number"], doc.preamble)
    found = [(None, c) for c in citations(doc.preamble, preamble=True, own=own)]
    found += [(task.number, c) for task in doc.tasks for c in citations(task.text, own=own)]
    return doc, found


def test_county_plan_cites_ten_titles():
    corpus, tables = _tables(COUNTY_PLAN)
    cited = tables["citations"]
    assert cited.cited_title.nunique() == 10
    assert "阿拉善左旗2024年法治政府建设工作计划" not in set(cited.cited_title)
    basis = cited[cited.relation == "basis"]
    assert set(basis.cited_title) == {"内蒙古自治区2024年法治政府建设工作计划", "阿拉善盟2024年法治政府建设工作计划"}
    assert basis.task_id.isna().all()  # both in the preamble
    kinds = dict(zip(cited.cited_title, cited.kind))
    assert kinds["重大行政决策程序暂行条例"] == "regulation"
    assert kinds["内蒙古自治区重大行政决策目录管理办法"] == "measures"
    assert kinds["法治政府建设与责任落实督察工作规定"] == "provisions"
    assert kinds["内蒙古自治区提升行政执法质量三年行动计划（2023—2025年）实施方案"] == "programme"
    assert kinds["内蒙古自治区2024年法治政府建设工作计划"] == "work_plan"
    task5 = corpus.documents[0].tasks[4]
    assert set(cited[cited.task_id == task5.task_id].cited_title) == {
        "重大行政决策程序暂行条例",
        "内蒙古自治区重大行政决策目录管理办法",
    }
    assert (cited.relation[cited.task_id.notna()] == "cites").all()
    assert cited.citation_id.is_unique
    assert cited.resolved_doc_id.isna().all()  # nothing else in this run


@needs_corpus
def test_county_plan_citation_resolves_to_the_regulation_in_the_same_run():
    corpus, tables = _tables(
        COUNTY_PLAN, DECISION_PROCEDURE, LAWS / "national-2019-optimize-business-environment-regulation.md"
    )
    cited = tables["citations"].set_index("cited_title")
    assert cited.loc["重大行政决策程序暂行条例", "resolved_doc_id"] == (
        "national-2019-major-administrative-decision-procedure-regulation"
    )
    assert cited.loc["优化营商环境条例", "resolved_doc_id"] == "national-2019-optimize-business-environment-regulation"
    assert pd.isna(cited.loc["内蒙古自治区基层综合行政执法条例", "resolved_doc_id"])


@needs_corpus
def test_resolve_title_normalises_prefixes_revisions_and_brackets():
    corpus, _ = _tables(LAWS)
    documents = corpus.tables["documents"]
    resolve_title = TitleIndex(documents).resolve
    reconsideration = "national-2023-administrative-reconsideration-law"
    assert resolve_title("中华人民共和国行政复议法") == reconsideration
    assert resolve_title("行政复议法") == reconsideration
    assert resolve_title("中华人民共和国行政复议法（2023年修订）") == reconsideration
    assert resolve_title("〈优化营商环境条例〉") == "national-2019-optimize-business-environment-regulation"
    assert resolve_title("山东省优化营商环境条例") == "shandong-2020-optimize-business-environment-regulation"
    assert resolve_title("广东省优化营商环境条例") is None
    assert resolve_title("重大行政决策程序暂行条例", doc_number="国务院令第713号") == (
        "national-2019-major-administrative-decision-procedure-regulation"
    )
    assert TitleIndex(documents).resolve("", doc_number="中华人民共和国国务院令第713号") == (
        "national-2019-major-administrative-decision-procedure-regulation"
    )


def test_bare_region_prefix_resolves_inside_its_region():
    documents = pd.DataFrame(
        {
            "doc_id": ["nm-credit", "gd-credit", "nm-plan"],
            "title": [
                "内蒙古自治区失信责任追究办法",
                "广东省失信责任追究办法",
                "国务院办公厅关于印发《某某工作方案》的通知",
            ],
            "doc_number": ["", "", ""],
        }
    )
    resolve_title = TitleIndex(documents).resolve
    assert resolve_title("自治区失信责任追究办法") == "nm-credit"
    assert resolve_title("省失信责任追究办法") == "gd-credit"
    assert resolve_title("某某工作方案") == "nm-plan"


@needs_corpus
def test_regulation_basis_from_made_under_clause():
    _, found = _document_citations(LAWS / "dezhou-2021-optimize-business-environment-regulation.md")
    first_article = [c for number, c in found if number == "第一条"]
    assert [(c.cited_title, c.relation) for c in first_article] == [
        ("优化营商环境条例", "basis"),
        ("山东省优化营商环境条例", "basis"),
    ]


@needs_corpus
def test_document_numbers_with_and_without_titles():
    _, found = _document_citations(CORPUS / "national" / "guobanfa-1996-032.html")
    preamble = [c for number, c in found if number is None]
    assert [(c.doc_number, c.relation, c.kind) for c in preamble] == [("中发〔1994〕8号", "basis", "opinion")]
    _, found = _document_citations(CORPUS / "national" / "guohan-2018-145.html")
    assert ("", "国科发高〔2018〕235号", "document") in {(c.cited_title, c.doc_number, c.kind) for _, c in found}


@needs_corpus
def test_own_title_and_number_are_not_citations():
    _, found = _document_citations(CORPUS / "national" / "guobanhan-2018-071.html")
    assert "政府网站集约化试点工作方案" not in {c.cited_title for _, c in found}
    assert "国办函〔2018〕71号" not in {c.doc_number for _, c in found}
    _, found = _document_citations(CORPUS / "national" / "guoling-706.html")
    numbers = {c.doc_number for _, c in found}
    assert "国务院令第706号" not in numbers and "国务院令第76号" in numbers


@needs_corpus
def test_abbreviations_report_the_full_title():
    corpus, tables = _tables(CORPUS / "national" / "guobanhan-2004-071.html")
    cited = tables["citations"]
    assert "规划" not in set(cited.cited_title)
    in_item = cited[cited.cited_title == "三峡库区及其上游水污染防治规划"]
    assert len(in_item) >= 3  # the definition and two uses of 《规划》, all in item 九、
    tasks = corpus.tables["tasks"]
    assert set(in_item.task_id) == set(tasks.loc[tasks.number == "九、", "task_id"])
    # 《方案》 abbreviates the document's own (transmitted) plan: never a citation
    _, found = _document_citations(CORPUS / "national" / "guobanfa-2019-002.html")
    assert not {"方案", "国家组织药品集中采购和使用试点方案"} & {c.cited_title for _, c in found}


def test_title_kind_and_key():
    assert title_kind("医院处方点评管理规范（试行）") == "standard"
    assert title_kind("中华人民共和国民法典") == "law"
    assert title_kind("政府工作报告") == "report"
    assert title_kind("羊城论坛") == "other"
    assert title_key("中华人民共和国行政复议法（2023年修订）") == "行政复议法"
    assert title_key("法治政府建设实施纲要(2015-2020年)") == title_key("法治政府建设实施纲要（2015—2020年）")
    assert title_key("内蒙古自治区2024年法治政府建设工作计划") != title_key("内蒙古自治区2023年法治政府建设工作计划")


def test_a_long_line_without_a_full_stop_costs_time_in_proportion_to_its_length():
    # Found by the fuzzer: a 500,000-character line with no full stop ran for hours, every 根据
    # searching the rest of the line for 制定本 and every citation compared with every basis clause.
    clause = "根据《优化营商环境条例》，结合本市实际，"
    preamble = list(citations(clause * 5000, preamble=True))
    assert len(preamble) == 5000 and {c.relation for c in preamble} == {"basis"}
    text = clause * 5000 + "制定本条例。"
    found = list(citations(text))
    basis = [c for c in found if c.relation == "basis"]
    # every 根据 within the bounded reach (300 characters) of 制定本 is a basis, none before it
    assert len(found) == 5000 and 1 <= len(basis) <= 16
    assert all(len(text) - citation.start < 330 for citation in basis)
