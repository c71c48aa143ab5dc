"""Targets and deadlines: exact values, units, comparators and anchors on real text."""

from __future__ import annotations

import re

import pytest

from extractors.targets import read_number, targets
from pipeline.api import read_corpus
from pipeline.document.manifest import Manifest
from pipeline.document.structure import parse_document
from pipeline.ingest.source import read_source
from tests.conftest import needs_corpus, needs_lawrefbook
from tests.documents import CORPUS, COUNTY_PLAN, LAWREFBOOK


def _fields(target):
    return (target.kind, target.comparator, target.value, target.unit_of_measure)


@pytest.fixture(scope="module")
def county_targets():
    corpus, failures = read_corpus([COUNTY_PLAN], manifest=Manifest(), stages=("structure", "commitments"))
    assert not failures
    tables = corpus.tables
    return tables["targets"], tables["obligations"]


def _row(table, text):
    found = table[table.text == text]
    assert len(found) == 1, table.text.tolist()
    return found.iloc[0]


def test_county_plan_targets_exact(county_targets):
    found, obligations = county_targets
    ratio = _row(found, "100%")
    assert (ratio.kind, ratio.comparator, ratio.value, ratio.unit_of_measure) == ("ratio", "=", 100, "%")
    hours = _row(found, "不少于60学时")
    assert (hours.kind, hours.comparator, hours.value, hours.unit_of_measure) == ("duration", ">=", 60, "学时")
    deadline = _row(found, "决策公布之日起三十日内")
    assert (deadline.kind, deadline.comparator, deadline.value, deadline.unit_of_measure, deadline.anchor) == (
        "deadline",
        "<=",
        30,
        "日",
        "决策公布",
    )
    # 全面落实一次性告知制度 names a system: nothing is measured, so it is no frequency target
    assert not (found.text == "一次性").any() and not (found.kind == "frequency").any()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全面落实一次性告知制度。", []),
        ("严格落实行政执法三项制度。", []),
        ("建立每季度一次会商机制。", [("frequency", "=", 1, "季度")]),
        ("每年开展一次执法检查。", [("frequency", "=", 1, "年")]),
        ("开展三项专项行动。", [("count", "=", 3, "项")]),
    ],
)
def test_a_number_in_the_name_of_a_system_is_no_target(text, expected):
    assert [_fields(target) for target in targets(text)] == expected


def test_county_targets_belong_to_their_obligation(county_targets):
    found, obligations = county_targets
    assert set(found.obligation_id) <= set(obligations.obligation_id)
    owner = obligations.set_index("obligation_id").loc[_row(found, "决策公布之日起三十日内").obligation_id]
    assert owner.text.endswith("进行备案") and owner.action == "进行"
    ratio = _row(found, "100%")
    assert ratio.target_id == f"{ratio.obligation_id}:G01"
    # the span is the text at the target's offsets in the task
    task_text = owner.text
    assert task_text[_row(found, "决策公布之日起三十日内").start - owner.start :][:4] == "决策公布"
    # nothing inside a cited title: 《…三年行动计划（2023—2025年）实施方案》
    assert not found.text.str.contains("2025|三年").any()


@pytest.mark.parametrize(
    "text, expected, due",
    [
        ("力争2024年底前完成", ("deadline", "<=", None, "date"), "2024-12-31"),
        ("6月30日前报送", ("deadline", "<=", None, "date"), "2024-06-30"),
        ("每年开展一次评查", ("frequency", "=", 1, "年"), None),
        ("每季度至少召开一次", ("frequency", ">=", 1, "季度"), None),
        ("实现市场监管领域全覆盖", ("coverage", "=", 100, "%"), None),
        ("秸秆综合利用率达到85%以上", ("ratio", ">=", 85, "%"), None),
        ("投入资金500万元", ("amount", "=", 500, "万元"), None),
        ("两名以上行政复议人员", ("count", ">=", 2, "名"), None),
        ("五个工作日内", ("deadline", "<=", 5, "工作日"), None),
    ],
)
def test_target_forms(text, expected, due):
    (found,) = list(targets(text, year=2024))
    assert _fields(found) == expected
    assert found.due_date == due


def test_not_targets():
    assert list(targets("建立一个平台，推动“高效办成一件事”，2024年7月5日印发")) == []
    assert list(targets("落实《三年行动计划（2023—2025年）》")) == []


def test_chinese_numerals():
    assert read_number("三十") == 30
    assert read_number("两") == 2
    assert read_number("６０") == 60
    assert read_number("不是数") is None


@needs_corpus
def test_regulation_deadlines_anchor_on_their_event():
    doc = parse_document(read_source(CORPUS / "laws" / "national-2022-petition-work-regulation.md"), "petition")
    found = [t for task in doc.tasks for t in targets(task.text, year=2022)]
    anchored = {(t.anchor, t.value, t.unit_of_measure) for t in found if t.anchor}
    assert ("收到复查请求", 30, "日") in anchored
    assert all(t.comparator == "<=" for t in found if t.kind == "deadline")


@needs_corpus
def test_dated_deadlines_in_a_national_plan():
    doc = parse_document(read_source(CORPUS / "national" / "guobanhan-2018-071.html"), "websites")
    dates = [t.due_date for task in doc.tasks for t in targets(task.text, year=2018) if t.kind == "deadline"]
    assert "2019-12-31" in dates and "2018-12-31" in dates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("按季度通报", ("frequency", "=", 1.0, "季度", None)),
        ("确保年内完成", ("deadline", "<=", None, "date", "2024-12-31")),
        ("2025年内完成", ("deadline", "<=", None, "date", "2025-12-31")),
        ("新增就业1.5万人", ("count", "=", 1.5, "万人", None)),
    ],
)
def test_more_ways_of_writing_targets(text, expected):
    (found,) = targets(text, year=2024)
    assert (found.kind, found.comparator, found.value, found.unit_of_measure, found.due_date) == expected


@pytest.mark.parametrize("text", ["报送上一年度报告", "近三年来", "按年度计划推进"])
def test_time_references_that_are_not_targets(text):
    assert list(targets(text, year=2024)) == []


# Comparators by convention, on sentences of real regulations in ../shared/lawrefbook (a negated
# comparison bounds the other way and includes the number; 以上/以下, also after 次, include it).
_COMPARATOR_SENTENCES = [
    (
        "DLC/北京地方法规/地方性法规/北京/北京市实施《全国人民代表大会和地方各级人民代表大会代表法》办法(2014-01-22).md",
        "每年活动不少于两次",
        ("frequency", ">=", 2.0, "年"),
    ),
    ("行政法规/控制对企业进行经济检查的规定(1999-07-23).md", "每年不得超过两次", ("frequency", "<=", 2.0, "年")),
    (
        "DLC/浙江地方法规/地方性法规/浙江/丽水市饮用水水源保护条例(2017-12-18).md",
        "每年监测一次以上",
        ("frequency", ">=", 1.0, "年"),
    ),
    ("DLC/北京地方法规/地方性法规/北京/北京市反不正当竞争条例.md", "不得超过5000元", ("amount", "<=", 5000.0, "元")),
    # 下达 is no 达 (reached): a frequency's comparator is a bound of its count
    (
        "DLC/山东地方法规/地方性法规/山东/淄博市水资源保护管理条例(2018-09-25).md",
        "每年下达一次",
        ("frequency", "=", 1.0, "年"),
    ),
]


@needs_lawrefbook
@pytest.mark.parametrize(("path", "written", "expected"), _COMPARATOR_SENTENCES)
def test_comparators_follow_the_convention_in_real_regulations(path, written, expected):
    text = read_source(LAWREFBOOK / path).text
    sentence = next(s for s in re.split("[。；\n]", text) if written in s)
    found = [_fields(t) for t in targets(sentence) if t.text == written]
    assert found == [expected], [(t.text, _fields(t)) for t in targets(sentence)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每年不少于两次", [("frequency", ">=", 2.0, "年")]),
        ("每半年不得少于一次", [("frequency", ">=", 1.0, "半年")]),
        ("每年至少召开一次会议", [("frequency", ">=", 1.0, "年")]),
        ("每季度一次", [("frequency", "=", 1.0, "季度")]),
        ("试运营的时间不得少于1年且不得超过3年", [("duration", ">=", 1.0, "年"), ("duration", "<=", 3.0, "年")]),
        ("超过二十四小时", [("duration", ">", 24.0, "小时")]),
        ("不足一年", [("duration", "<", 1.0, "年")]),
        ("500万元及以下", [("amount", "<=", 500.0, "万元")]),
        ("不高于5%", [("ratio", "<=", 5.0, "%")]),
    ],
)
def test_comparator_words(text, expected):
    assert [_fields(t) for t in targets(text)] == expected
