"""Coverage of parent directives, gaps and local additions: 济南 against 山东, the cascade stage
over the whole regulation family, and the county plan read alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.api import read_corpus
from pipeline.cascade.compare import compare_with_parents
from pipeline.cascade.coverage import COVERAGE_COLUMNS, LOCAL_ADDITION_COLUMNS
from pipeline.cascade.linker import LINK_COLUMNS
from pipeline.document.manifest import Manifest
from tests.conftest import needs_corpus
from tests.documents import CORPUS, REPO

LAWS = CORPUS / "laws"
JINAN = "jinan-2022-optimize-business-environment-regulation"
SHANDONG = "shandong-2020-optimize-business-environment-regulation"
NATIONAL = "national-2019-optimize-business-environment-regulation"
STAGE_TABLES = ("parents", "links", "coverage", "coverage_sections", "coverage_documents", "local_additions")


@pytest.fixture(scope="module")
def jinan():
    return compare_with_parents(LAWS / f"{JINAN}.md", LAWS / f"{SHANDONG}.md")


@needs_corpus
def test_one_row_per_parent_article_with_boilerplate_flagged(jinan):
    table = jinan.coverage
    assert list(table.columns) == COVERAGE_COLUMNS
    assert len(table) == 67 and set(table["parent_doc_id"]) == {SHANDONG}
    flagged = table.loc[table["boilerplate"], "number"].tolist()
    assert flagged == ["第一条", "第二条", "第六十七条"]  # purpose, scope, 施行日期
    documents = jinan.tables["coverage_documents"].iloc[0]
    assert documents["directives"] == 64  # the rate leaves the boilerplate out
    assert documents["covered"] == int(table.loc[~table["boilerplate"], "covered"].sum())
    sections = jinan.tables["coverage_sections"]
    assert sections["title"].tolist() == ["总则", "市场环境", "政务环境", "法治环境", "监督保障", "法律责任", "附则"]
    assert sections["directives"].sum() == 64


@needs_corpus
def test_covered_articles_name_their_child_articles(jinan):
    table = jinan.coverage.set_index("number")
    # 山东 第五十条 (人大监督) is carried out by 济南 第五十八条 nearly word for word.
    assert table.loc["第五十条", "covered"]
    assert table.loc["第五十条", "best_child_task_id"] == f"{JINAN}:T0058"
    assert table.loc["第五十条", "relation"] == "verbatim"
    # 山东 第三十七条 (工程建设审批, 区域评估) is taken up by 济南 第三十一条 and 第三十条.
    assert table.loc["第三十七条", "covering_task_ids"].split("; ")[:2] == [f"{JINAN}:T0031", f"{JINAN}:T0030"]


@needs_corpus
def test_gaps_are_parent_articles_no_child_article_takes_up(jinan):
    table = jinan.coverage.set_index("number")
    # No 济南 article on 反垄断执法 (12), 企业家精神 (13), 破产重整审判 (25), 政府信息获取 (33),
    # 税收优惠 (38), 经济运行监测 (52) or 配套实施办法 (66): checked against the gold.
    for gap in ("第十二条", "第十三条", "第二十五条", "第三十三条", "第三十八条", "第五十二条", "第六十六条"):
        assert not table.loc[gap, "covered"], gap
        assert table.loc[gap, "covering_task_ids"] == ""
    assert "gaps (" in jinan.summary and "    第二十五条 人民法院应当健全重整企业识别审查机制" in jinan.summary


@needs_corpus
def test_local_additions_are_the_city_articles_without_a_parent(jinan):
    additions = jinan.tables["local_additions"]
    assert list(additions.columns) == LOCAL_ADDITION_COLUMNS
    numbers = set(additions["number"])
    # 省会经济圈, 行政许可事项清单, 处罚清单, the 宜居 chapter, 专项督查, 社会监督员, 审计, 奖惩 (the gold's
    # local 第五十五条 好差评 is linked to 山东 第五十八条 政务服务评价 by the shipped model: a miss)
    assert {
        "第六条",
        "第二十七条",
        "第三十八条",
        "第四十五条",
        "第五十条",
        "第五十一条",
        "第五十二条",
        "第五十六条",
        "第五十七条",
        "第五十九条",
        "第六十一条",
        "第六十三条",
        "第六十四条",
    } <= numbers
    assert not numbers & {"第一条", "第二条", "第五十八条", "第六十九条"}
    assert "local additions (" in jinan.summary
    assert "    第五十条 市、区县人民政府应当传承“山泉湖河城”有机融合的泉城特色风貌" in jinan.summary


@needs_corpus
def test_cascade_stage_over_the_regulation_family(tmp_path):
    corpus, failures = read_corpus([LAWS], manifest=Manifest(), stages=("structure", "cascade"))
    tables = {name: corpus.tables[name] for name in STAGE_TABLES}
    assert set(tables) == {"parents", "links", "coverage", "coverage_sections", "coverage_documents", "local_additions"}
    pairs = tables["coverage_documents"][["child_doc_id", "parent_doc_id"]]
    assert len(pairs) == 9  # four cities → 山东 and national (both their superiors), 山东 → national
    assert len(tables["coverage"]) == 4 * (67 + 72) + 72
    jinan_links = tables["links"][tables["links"]["child_doc_id"] == JINAN].reset_index(drop=True)
    for parent in (SHANDONG, NATIONAL):
        shutil.copy(LAWS / f"{parent}.md", tmp_path)
    alone = compare_with_parents(LAWS / f"{JINAN}.md", tmp_path).tables["links"]
    pd.testing.assert_frame_equal(jinan_links, alone)
    # national regulations (重大行政决策, 信访, 复议, 突发事件) have no parent: no additions listed for them
    assert set(tables["local_additions"]["doc_id"]) <= set(pairs["child_doc_id"])


def test_county_plan_alone_builds_empty_cascade_tables(monkeypatch):
    monkeypatch.chdir(REPO)
    paths = [Path("data/raw")]
    corpus, _ = read_corpus(paths, stages=("structure", "cascade"))
    tables = corpus.tables
    assert list(tables["links"].columns) == LINK_COLUMNS and tables["links"].empty
    assert tables["coverage"].empty and tables["local_additions"].empty
    assert tables["parents"]["found"].tolist() == [False, False]
