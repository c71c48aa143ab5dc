"""Documents, sections and tasks on real text: the county plan, gov.cn pages, regulations."""

from __future__ import annotations

import re

import pytest

from pipeline.document.numbering import match_numbering
from pipeline.document.structure import parse_document, task_table_columns
from pipeline.ingest.source import read_source
from tests.conftest import needs_corpus, needs_lawrefbook
from tests.documents import CORPUS, LAWREFBOOK
from tests.hierarchy import hierarchy_problems

COUNTY_SECTIONS = [
    "健全政府机构职能体系",
    "完善行政决策制度体系",
    "提升行政执法工作质量",
    "健全完善突发事件应对机制",
    "持续加强社会矛盾纠纷预防调处",
    "强化行政权力制约监督",
    "健全法治政府建设科技保障体系",
    "加强党的领导，完善推进机制",
]
COUNTY_TASKS = [
    "推进政府机构职能优化协同高效",
    "提升政务服务水平",
    "加快推进政务诚信建设",
    "持续优化法治化营商环境",
    "严格落实重大行政决策程序",
    "加强行政决策执行和评估",
    "强化行政规范性文件监督管理",
    "深化行政执法体制改革",
    "全面提升行政执法质效",
    "创新行政执法方式",
    "完善突发事件应对制度",
    "提升突发事件依法处置能力",
    "引导、规范基层组织和社会力量参与突发事件应对",
    "加强行政调解工作",
    "充分发挥行政复议化解行政争议主渠道作用",
    "加强和规范行政应诉工作",
    "规范信访工作程序",
    "形成监督合力",
    "深化行政执法制约和监督",
    "全面主动落实政务公开",
    "加快推进信息化平台建设",
    "加快推进政务数据共享",
    "深入推进“互联网+”监管执法",
    "加强党对法治政府建设的领导",
    "完善法治政府建设推进机制",
    "全面加强依法行政能力建设",
]


def test_county_plan_record(county_plan):
    record = county_plan.record
    assert record["title"] == "阿拉善左旗2024年法治政府建设工作计划"
    assert record["issuer"] == "阿拉善左旗人民政府办公室"
    assert record["issued_on"] == "2024-07-05"
    assert (record["level"], record["region"], record["year"]) == ("county", "阿拉善左旗", 2024)


def test_county_plan_sections_and_tasks(county_plan):
    assert [s.title for s in county_plan.sections] == COUNTY_SECTIONS
    assert [s.number for s in county_plan.sections][-1] == "八、"
    assert [t.title for t in county_plan.tasks] == COUNTY_TASKS
    task_13 = county_plan.tasks[12]
    assert (task_13.number, task_13.path) == ("（十三）", "四、/（十三）")
    assert task_13.section_id == county_plan.sections[3].section_id
    assert {t.kind for t in county_plan.tasks} == {"task"}


def test_notice_and_closing_line_are_not_tasks(county_plan):
    assert "关于印发" in county_plan.preamble and "根据《内蒙古自治区2024年" in county_plan.preamble
    last = county_plan.tasks[-1]
    assert last.text.endswith("（牵头单位：旗委组织部、宣传部、政府办、司法局；责任单位：各有关部门）")
    assert all("印发" not in t.text for t in county_plan.tasks)


def test_task_offsets_point_into_the_text(county_plan):
    text = county_plan.source.text
    for task in county_plan.tasks:
        assert text[task.start : task.end].startswith(task.number)
        assert text[task.start : task.end].endswith(task.text[-10:])


@pytest.mark.parametrize(
    "line, style, value",
    [
        ("第一百零二条 有下列情形", "article", 102),
        ("（二十六）全面加强", "cn_paren", 26),
        ("12.加强", "arabic", 12),
        ("（3）完善", "arabic_paren", 3),
        ("⑤推进", "circled", 5),
        ("第三章  政务环境", "chapter", 3),
        ("第二节 预防", "subchapter", 2),
        ("第二部分 主要任务", "part", 2),
        ("3）完善", "arabic_half_paren", 3),
    ],
)
def test_numbering_styles(line, style, value):
    found = match_numbering(line)
    assert (found.style, found.value) == (style, value)


@pytest.mark.parametrize("line", ["2024年7月5日", "1.5亿元资金", "第三条规定的情形", "一是加强"])
def test_lines_that_are_not_headings(line):
    assert match_numbering(line) is None


def test_task_division_table_rows_become_tasks(tmp_path):
    path = tmp_path / "分工.txt"
    path.write_text(
        "某县2025年工作要点任务分工\n序号\t重点任务\t牵头单位\t责任单位\t完成时限\n"
        "1\t推进政务服务标准化。\t县政务服务局\t各有关部门\t2025年底前\n"
        "2\t开展规范性文件清理。\t县司法局\t县政府办\t6月30日前\n",
        encoding="utf-8",
    )
    doc = parse_document(read_source(path), "t")
    assert [(t.number, t.title) for t in doc.tasks] == [("1", "推进政务服务标准化"), ("2", "开展规范性文件清理")]
    assert doc.tasks[1].text.splitlines() == [
        "开展规范性文件清理。",
        "牵头单位：县司法局",
        "责任单位：县政府办",
        "完成时限：6月30日前",
    ]
    assert task_table_columns(["序号", "工作任务", "配合单位"]) == {"number": 0, "task": 1, "配合单位": 2}
    assert task_table_columns(["序号", "姓名", "单位"]) is None


GOVCN = {
    "guofa-2019-003.html": (
        "国务院关于促进综合保税区高水平开放高质量发展的若干意见",
        "国务院",
        "2019-01-12",
        "国发〔2019〕3号",
        "2019-01-25",
    ),
    "guofa-2019-005.html": (None, "国务院", "2019-01-27", "国发〔2019〕5号", "2019-02-15"),
    "guobanfa-2018-129.html": (
        "国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见",
        "国务院办公厅",
        "2018-12-30",
        "国办发〔2018〕129号",
        "2019-01-14",
    ),
    "guobanfa-2018-115.html": (None, "国务院办公厅", "2018-12-04", "国办发〔2018〕115号", "2018-12-20"),
    "guobanhan-2018-071.html": (
        "国务院办公厅关于印发《政府网站集约化试点工作方案》的通知",
        "国务院办公厅",
        "2018-10-27",
        "国办函〔2018〕71号",
        "2018-11-09",
    ),
    "guoling-707.html": ("中华人民共和国个人所得税法实施条例", "国务院", "2018-12-18", "国令第707号", "2018-12-22"),
}


@needs_corpus
@pytest.mark.parametrize("name", sorted(GOVCN))
def test_govcn_metadata(name):
    title, issuer, issued_on, doc_number, published_on = GOVCN[name]
    doc = parse_document(read_source(CORPUS / "national" / name), name)
    record = doc.record
    if title:
        assert record["title"] == title
    assert (record["issuer"], record["issued_on"], record["doc_number"], record["published_on"]) == (
        issuer,
        issued_on,
        doc_number,
        published_on,
    )
    assert record["level"] == "national"
    assert "索引号" not in doc.preamble  # the metadata table is not body text


@needs_corpus
def test_govcn_sections_from_chinese_numbers_tasks_from_parenthesised():
    doc = parse_document(read_source(CORPUS / "national" / "guobanfa-2018-129.html"), "p")
    assert [s.number for s in doc.sections] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert len(doc.tasks) == 17 and doc.tasks[0].number == "（一）" and doc.tasks[-1].number == "（十七）"
    assert all(t.path.split("/")[0].endswith("、") for t in doc.tasks)


LAWS = sorted((CORPUS / "laws").glob("*.md")) if CORPUS.is_dir() else []


@needs_corpus
@pytest.mark.parametrize("path", LAWS, ids=[p.stem for p in LAWS])
def test_every_article_of_every_regulation_is_a_task(path):
    raw = path.read_text(encoding="utf-8")
    written = re.findall(r"^第([一二三四五六七八九十百零]+)条", raw, re.M)
    doc = parse_document(read_source(path), path.stem)
    assert len(doc.tasks) == len(written) > 20
    assert [t.number for t in doc.tasks] == [f"第{n}条" for n in written]
    assert {t.kind for t in doc.tasks} == {"article"}
    assert doc.tasks[-1].number == f"第{written[-1]}条"


@needs_corpus
def test_regulation_articles_sit_under_their_chapters():
    doc = parse_document(
        read_source(CORPUS / "laws" / "shandong-2020-optimize-business-environment-regulation.md"), "sd"
    )
    assert doc.record["title"] == "山东省优化营商环境条例"
    assert (doc.record["level"], doc.record["region"]) == ("province", "山东省")
    assert [s.title for s in doc.sections][:3] == ["总则", "市场环境", "政务环境"]
    article_28 = next(t for t in doc.tasks if t.number == "第二十八条")
    assert article_28.path == "第三章/第二十八条"
    assert article_28.text.startswith("省人民政府应当组织有关部门编制全省统一的政务服务事项目录")


@needs_corpus
def test_city_regulation_record():
    doc = parse_document(read_source(CORPUS / "laws" / "dezhou-2021-optimize-business-environment-regulation.md"), "dz")
    assert (doc.record["level"], doc.record["region"], doc.record["issuer"]) == (
        "prefecture",
        "德州市",
        "德州市人民代表大会常务委员会",
    )


@needs_corpus
def test_guangzhou_plan_has_35_tasks_in_9_sections():
    doc = parse_document(
        read_source(CORPUS / "guangzhou" / "guangzhou-2012-democracy-rule-of-law-implementation-opinion.txt"), "gz"
    )
    assert len(doc.sections) == 9
    assert [t.number for t in doc.tasks] == [f"{i}." for i in range(1, 36)]
    assert doc.tasks[2].title == "健全党委重大决策工作机制"


@needs_corpus
def test_provisions_numbered_at_the_top_level_are_tasks():
    # 国务院工作规则: 一、…五十四、 are provisions (two of them list （一）（二）（三） items), not titles
    doc = parse_document(read_source(CORPUS / "national" / "guofa-2004-018.html"), "rules")
    assert [t.number for t in doc.tasks][:3] == ["一、", "二、", "三、"] and len(doc.tasks) == 54
    assert {s.number for s in doc.sections} <= {f"第{n}章" for n in "一二三四五六七八九十"}
    item_36 = next(t for t in doc.tasks if t.number == "三十六、")
    assert "（一）讨论决定国务院工作中的重大事项；" in item_36.text.splitlines()


@needs_corpus
def test_titled_sections_keep_their_subdivided_tasks():
    doc = parse_document(read_source(CORPUS / "national" / "guofa-2019-003.html"), "p")
    assert [s.title for s in doc.sections] == ["指导思想", "基本原则", "发展目标", "主要任务", "有关要求"]
    assert [t.path for t in doc.tasks][-1] == "四、/（五）" and len(doc.tasks) == 9


def test_plan_in_parts_has_its_tasks_two_levels_down(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(
        "某县工作要点\n第一部分 总体要求\n坚持依法行政。\n第二部分 重点任务\n一、完善制度\n（一）健全规范性文件审核机制。\n"
        "（二）推行行政执法公示。\n二、强化监督\n（三）加强行政复议。\n",
        encoding="utf-8",
    )
    doc = parse_document(read_source(path), "p")
    assert [s.number for s in doc.sections] == ["第一部分", "第二部分", "一、", "二、"]
    assert [t.path for t in doc.tasks] == ["第二部分/一、/（一）", "第二部分/一、/（二）", "第二部分/二、/（三）"]


# --------------------------------------------------------------------------- ranks of GB/T 9704-2012


def _plan(tmp_path, text: str):
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    return parse_document(read_source(path), "p")


def test_levels_rank_by_the_standard_not_by_first_appearance(tmp_path):
    # 1. directly under 一、 in one section, （一） then 1. in the next: （一） is a section either way.
    doc = _plan(
        tmp_path,
        "某市工作要点\n一、总体要求\n1.坚持依法行政。\n2.坚持统筹推进。\n二、主要任务\n（一）完善制度\n"
        "落实制度建设的要求。\n1.健全规范性文件审核机制。\n2.推行行政执法公示。\n（二）强化监督\n3.加强行政复议。\n",
    )
    assert [(s.number, s.depth) for s in doc.sections] == [("一、", 1), ("二、", 1), ("（一）", 2), ("（二）", 2)]
    by_number = {s.number: s for s in doc.sections}
    assert by_number["（一）"].parent_id == by_number["二、"].section_id
    assert by_number["（一）"].text == "落实制度建设的要求。"  # the lead text stays with its heading
    assert [t.path for t in doc.tasks] == ["一、/1.", "一、/2.", "二、/（一）/1.", "二、/（一）/2.", "二、/（二）/3."]
    assert hierarchy_problems(doc) == []


def test_items_numbered_continuously_across_sections(tmp_path):
    lines = ["一、重点任务"] + [f"{n}.任务{n}。" for n in range(1, 4)] + ["二、保障措施"]
    lines += [f"{n}.任务{n}。" for n in range(4, 46)]
    doc = _plan(tmp_path, "\n".join(lines) + "\n")
    assert [t.number for t in doc.tasks] == [f"{n}." for n in range(1, 46)]
    assert doc.tasks[-1].path == "二、/45." and hierarchy_problems(doc) == []


def test_a_skipped_level_keeps_its_items_as_tasks_of_the_section(tmp_path):
    # The plan's tasks are （一）…; one section lists 1. 2. directly under 一、.
    doc = _plan(
        tmp_path,
        "一、健全制度\n（一）完善决策程序。\n1.开展合法性审查。\n（二）加强备案审查。\n"
        "二、强化保障\n1.加强组织领导。\n2.强化督促检查。\n三、营造氛围\n（三）加强普法宣传。\n",
    )
    assert [t.path for t in doc.tasks] == ["一、/（一）", "一、/（二）", "二、/1.", "二、/2.", "三、/（三）"]
    assert "1.开展合法性审查。" in doc.tasks[0].text.splitlines()
    assert hierarchy_problems(doc) == []


def test_a_later_section_before_a_chapter_is_not_nested_under_it(tmp_path):
    # 第一节 first, then 第二章: the chapter ranks above the 节 and closes it.
    doc = _plan(
        tmp_path,
        "某条例\n第一章 总则\n第一节 一般规定\n第一条 为了规范工作，制定本条例。\n第二条 本条例适用于本市。\n"
        "第二章 附则\n第三条 本条例自公布之日起施行。\n",
    )
    assert [(s.number, s.depth, s.parent_id) for s in doc.sections] == [
        ("第一章", 1, None),
        ("第一节", 2, "p:S001"),
        ("第二章", 1, None),
    ]
    assert [t.path for t in doc.tasks] == ["第一章/第一节/第一条", "第一章/第一节/第二条", "第二章/第三条"]


CORPUS_DOCUMENTS = (
    sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".md", ".html") and p.name != "README.md")
    if CORPUS.is_dir()
    else []
)


@needs_corpus
def test_every_corpus_document_has_a_consistent_hierarchy_with_no_heading_lost():
    problems = {}
    for path in CORPUS_DOCUMENTS:
        found = hierarchy_problems(parse_document(read_source(path), path.stem))
        if found:
            problems[path.name] = found
    assert len(CORPUS_DOCUMENTS) > 60 and problems == {}


def test_a_unit_column_joined_with_its_deadline_is_a_unit_column():
    columns = task_table_columns(["序号", "重点任务", "牵头单位", "责任单位及完成时限"])
    assert columns == {"number": 0, "task": 1, "牵头单位": 2, "责任单位": 3}


@needs_lawrefbook
@pytest.mark.parametrize(
    "path, issued_on",
    [
        # two entries on one history line: "…第二次修正  2021年12月1日…第二次修订"
        ("DLC/广东地方法规/地方性法规/广东/广东省动物防疫条例(2021-12-01).md", "2021-12-01"),
        ("DLC/上海地方法规/地方性法规/上海/上海市市民体育健身条例(2017-11-23).md", "2017-11-23"),
        # one entry a line: the latest
        ("DLC/浙江地方法规/地方性法规/浙江/杭州市法律援助条例(2017-01-13).md", "2016-12-23"),
    ],
)
def test_a_regulation_is_dated_by_its_latest_enactment(path, issued_on):
    source = LAWREFBOOK / path
    assert parse_document(read_source(source), source.stem).record["issued_on"] == issued_on
