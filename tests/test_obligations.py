"""Obligations: clause splitting, actions, commitment strength and the combining rule, on the
county plan, national plans with ministry annotations, and regulation articles."""

from __future__ import annotations

import jieba
import pytest

from extractors.nlp import COMPONENTS, SPAN_COMPONENT, build_pipeline, commitment_doc, get_pipeline
from extractors.obligations import (
    assignment_annotations,
    commitment_strength,
    load_lexicon,
    obligations,
    split_clauses,
    task_heading,
)
from pipeline.api import read_corpus
from pipeline.document.manifest import Manifest
from pipeline.document.structure import parse_document
from pipeline.ingest.source import read_source
from pipeline.stages.registry import build_tables
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN


@pytest.fixture(scope="module")
def county_tables():
    corpus, failures = read_corpus([COUNTY_PLAN], manifest=Manifest(), stages=("structure", "commitments"))
    assert not failures
    return corpus, dict(corpus.tables)


def _task(corpus, number):
    return next(task for task in corpus.documents[0].tasks if task.number == number)


def _obligation(tables, corpus, number, action):
    task_id = _task(corpus, number).task_id
    rows = tables["obligations"]
    found = rows[(rows.task_id == task_id) & (rows.action == action)]
    assert len(found) == 1, f"{number} {action}: {rows[rows.task_id == task_id].action.tolist()}"
    return found.iloc[0]


def test_every_county_task_yields_an_obligation(county_tables):
    corpus, tables = county_tables
    tasks = corpus.documents[0].tasks
    assert len(tasks) == 26
    counts = tables["obligations"].groupby("task_id").size()
    assert set(counts.index) == {task.task_id for task in tasks}
    assert counts.min() >= 1


def test_no_obligation_from_annotations_headings_or_notice(county_tables):
    corpus, tables = county_tables
    rows = tables["obligations"]
    assert not rows.text.str.contains("牵头单位|责任单位|各有关部门）").any()
    assert rows.task_id.notna().all()  # the transmittal notice and preamble yield none
    for task in corpus.documents[0].tasks:
        heading_end = task_heading(task.text)
        assert task.text[:heading_end].startswith(task.title)
        assert (rows[rows.task_id == task.task_id].start >= heading_end).all()
    # 加强和规范行政应诉工作 is task 16's heading, 加强行政争议实质性化解 a real clause of it
    task16 = rows[rows.task_id == _task(corpus, "（十六）").task_id]
    assert "加强和规范行政应诉工作" not in task16.text.tolist()
    assert "加强行政争议实质性化解" in task16.text.tolist()


def test_obligation_ids_follow_task_and_clause_position(county_tables):
    corpus, tables = county_tables
    rows = tables["obligations"]
    first = _task(corpus, "（一）").task_id
    assert rows[rows.task_id == first].obligation_id.tolist()[:3] == [f"{first}:O01", f"{first}:O02", f"{first}:O03"]
    assert rows.obligation_id.is_unique
    again = build_tables(corpus, only=("commitments",))["obligations"]
    assert again.equals(rows)


def test_action_and_object_as_written(county_tables):
    corpus, tables = county_tables
    row = _obligation(tables, corpus, "（一）", "持续调整优化")
    assert (row.object, row.strength) == ("政府组织结构", "strengthen")
    row = _obligation(tables, corpus, "（二十四）", "要切实履行")
    assert row.object == "主体责任"
    # 把…纳入: the verb follows its object
    row = _obligation(tables, corpus, "（三）", "纳入")
    assert row.text == "把履约和兑现情况纳入政府绩效考评指标体系"


def test_one_clause_of_each_grade_in_the_county_plan(county_tables):
    corpus, tables = county_tables
    assert _obligation(tables, corpus, "（二）", "严格执行").strength == "mandatory"
    assert _obligation(tables, corpus, "（二十六）", "确保").strength == "mandatory"
    assert _obligation(tables, corpus, "（十一）", "持续健全").strength == "strengthen"
    assert _obligation(tables, corpus, "（一）", "推进").strength == "promote"
    assert _obligation(tables, corpus, "（十六）", "探索建立").strength == "explore"
    assert _obligation(tables, corpus, "（二十三）", "探索推行").strength == "explore"


def test_combining_rule_on_county_plan_clauses(county_tables):
    corpus, tables = county_tables
    # strongest word wins: 全面 (mandatory) + 推行 (promote)
    assert _obligation(tables, corpus, "（十）", "全面推行").strength == "mandatory"
    # 持续 (strengthen) + 加大…力度 (strengthen)
    row = _obligation(tables, corpus, "（九）", "持续加大")
    assert row.strength == "strengthen" and row.text.endswith("执法力度")
    # a hedge wins: 积极 + 构建
    assert _obligation(tables, corpus, "（十九）", "积极构建").strength == "explore"
    # a quantified target makes 实现 mandatory
    row = _obligation(tables, corpus, "（十六）", "实现")
    assert row.text == "实现行政机关负责人出庭应诉率100%" and row.strength == "mandatory"
    # 实现 without a target stays promote
    assert _obligation(tables, corpus, "（二十一）", "实现").strength == "promote"


def test_combining_rule_step_by_step():
    assert commitment_strength("全面推行") == "mandatory"
    assert commitment_strength("持续推进") == "strengthen"
    assert commitment_strength("加快推进") == "promote"
    assert commitment_strength("积极履行") == "explore"  # hedge beats 履行 (mandatory)
    assert commitment_strength("探索建立", quantified=True) == "explore"
    assert commitment_strength("实现", quantified=True) == "mandatory"
    assert commitment_strength("必须坚持", modal="必须") == "mandatory"
    assert commitment_strength("可以召开", modal="可以") == "explore"
    assert commitment_strength("可以召开", modal="可以", register="regulation") == "permission"
    assert commitment_strength("不得超过", modal="不得", register="regulation") == "prohibition"
    with pytest.raises(ValueError):
        commitment_strength("召开", register="regulation")


def test_lexicon_is_consistent():
    lexicon = load_lexicon()
    assert set(lexicon.grade_of.values()) <= set(lexicon.grades["plan"])
    assert lexicon.nominal <= set(lexicon.grade_of)
    assert set(lexicon.modals["regulation"].values()) == set(lexicon.grades["regulation"])


def test_commas_inside_quotes_do_not_split():
    text = "按照“谁审批、谁监管，谁主管、谁监管”的原则，通过分类标注等方式，建立检查对象名录库。"
    clauses = split_clauses(text)
    assert [c.text for c in clauses] == [
        "按照“谁审批、谁监管，谁主管、谁监管”的原则",
        "通过分类标注等方式",
        "建立检查对象名录库",
    ]
    assert len({c.sentence for c in clauses}) == 1


@needs_corpus
def test_national_ministry_annotations_are_not_obligations():
    doc = parse_document(read_source(CORPUS / "national" / "guofa-2019-003.html"), "guofa-2019-003")
    assert sum(len(assignment_annotations(task.text)) for task in doc.tasks) == 21
    found = [o for task in doc.tasks for o in obligations(task.text, skip_heading=True)]
    assert found
    assert not any("负责" in o.text and "海关总署" in o.text for o in found)


@needs_corpus
def test_regulation_articles_graded_by_their_modal():
    doc = parse_document(
        read_source(CORPUS / "laws" / "national-2019-major-administrative-decision-procedure-regulation.md"), "decision"
    )
    article = {task.number: task for task in doc.tasks}
    fifth = list(obligations(article["第五条"].text, register="regulation"))
    assert [(o.action, o.strength) for o in fifth[:3]] == [
        ("应当遵循", "mandatory"),
        ("贯彻", "mandatory"),
        ("坚持", "mandatory"),
    ]
    twelfth = list(obligations(article["第十二条"].text, register="regulation"))
    assert ("可以提出", "permission") in [(o.action, o.strength) for o in twelfth]
    # the modal of an opening adverbial passes to the clause it qualifies
    assert twelfth[0].action == "拟订" and twelfth[0].strength == "mandatory"
    twentieth = list(obligations(article["第二十条"].text, register="regulation"))
    assert ("不得选择", "prohibition") in [(o.action, o.strength) for o in twentieth]
    # definitions and scope articles oblige no one
    assert list(obligations(article["第二条"].text, register="regulation")) == []


@needs_corpus
def test_prohibition_does_not_carry_to_the_next_clause():
    doc = parse_document(read_source(CORPUS / "laws" / "national-2022-petition-work-regulation.md"), "petition")
    article = next(task for task in doc.tasks if task.number == "第十八条")
    found = list(obligations(article.text, register="regulation"))
    assert any(o.action == "不得打击" and o.strength == "prohibition" for o in found)


def test_unit_label_lines_of_a_task_division_table_are_not_obligations():
    # the task text structure.py makes of a row of a 序号/重点任务/牵头单位/配合单位/完成时限 table
    text = "推进依法行政，完善制度体系。\n牵头单位：县司法局\n配合单位：各有关部门\n完成时限：2024年12月底前"
    found = list(obligations(text, skip_heading=True, year=2024))
    assert [o.action for o in found] == ["推进", "完善", "完成"]  # 完成时限 keeps the task's deadline
    assert "配合单位" not in "".join(o.text for o in found)


def test_pipeline_components_and_spans():
    nlp = get_pipeline()
    assert tuple(nlp.pipe_names) == COMPONENTS + (SPAN_COMPONENT,)
    assert get_pipeline() is nlp
    text = "提升政务服务水平。2024年6月底前严格执行行政审批告知承诺制，降低准入门槛。"
    doc = nlp(commitment_doc(nlp, text, text_kind="task"))
    assert [o.action for o in doc._.guanche_obligations] == ["严格执行", "降低"]
    assert [span.label_ for span in doc.spans["obligations"]] == ["mandatory", "promote"]
    assert [(span.text, span.label_) for span in doc.spans["targets"]] == [("2024年6月底前", "deadline")]
    # the pipeline that builds the tables skips the span groups, nothing else
    tables_nlp = get_pipeline(span_groups=False)
    assert tuple(tables_nlp.pipe_names) == COMPONENTS
    plain = tables_nlp(commitment_doc(tables_nlp, text, text_kind="task"))
    assert plain._.guanche_obligations == doc._.guanche_obligations and plain._.guanche_targets == doc._.guanche_targets
    assert "obligations" not in plain.spans
    preamble = nlp(commitment_doc(nlp, "严格执行告知承诺制。", text_kind="preamble"))
    assert preamble._.guanche_obligations == []
    with pytest.raises(ValueError):
        commitment_doc(nlp, "x", text_kind="notice")


def test_user_words_stay_whole_without_touching_global_jieba():
    nlp = build_pipeline(user_words=["依法治旗办"])
    assert "依法治旗办" in [token.text for token in nlp.make_doc("依法治旗办牵头")]
    assert "依法治旗办" not in jieba.dt.FREQ


@needs_corpus
def test_statements_of_what_was_done_and_cited_titles_are_not_obligations():
    doc = parse_document(read_source(CORPUS / "national" / "guobanhan-2004-080.html"), "badong")
    found = [o for task in doc.tasks for o in obligations(task.text, skip_heading=True)]
    assert found and not any("设立了" in o.text for o in found)
    doc = parse_document(read_source(CORPUS / "national" / "guobanfa-1997-002.html"), "quake")
    found = [o for task in doc.tasks for o in obligations(task.text, skip_heading=True)]
    assert not any(o.action == "建立健全" and "计划体制" in (o.object or "") for o in found)


LAWREFBOOK = CORPUS.parent / "lawrefbook"


@pytest.mark.skipif(not LAWREFBOOK.is_dir(), reason="../shared/lawrefbook not present")
def test_bare_ying_is_a_deontic_modal_of_regulations_and_unmodalised_clauses_oblige_no_one():
    path = LAWREFBOOK / "部门规章" / "公安部" / "道路交通事故处理程序规定(2018-02-02).md"
    article = next(task for task in parse_document(read_source(path), "traffic").tasks if task.number == "第五十三条")
    found = list(obligations(article.text, register="regulation"))
    # 应 alone (a mere directive marker in plans) is mandatory in a regulation, and governs its sentence
    assert ("应记录", "mandatory", "应") in [(o.action, o.strength, o.modal) for o in found]
    assert all(o.modal is not None for o in found)
    assert list(obligations("本规定所称道路交通事故，是指车辆在道路上造成的事件。", register="regulation")) == []
