"""Assignment parsing (extractors/units) and the task_units/units stage (pipeline/assign)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pytest

from extractors.unit_registry import Jurisdiction, jurisdiction_for
from extractors.units import LEAD, SUPPORT, assignments, task_units
from pipeline.api import read_corpus
from pipeline.document.manifest import Manifest
from pipeline.document.structure import parse_document
from pipeline.ingest.source import read_source
from pipeline.stages.units import document_units, unit_workload, unresolved_units
from tests.conftest import needs_corpus

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GOLD = Path(__file__).resolve().parent / "data" / "gold"
COUNTY_PLAN = CORPUS / "seed" / "alxa-left-banner-2024-rule-of-law-government-plan.txt"
GUANGZHOU = CORPUS / "guangzhou" / "guangzhou-2012-democracy-rule-of-law-implementation-opinion.txt"
# National pages whose text carries assignment annotations; every other page must give no unit.
ANNOTATED = {"guofa-2019-003", "guobanfa-2018-129", "guobanfa-2018-128"}


COUNTY = Jurisdiction("county", "阿拉善左旗", "旗")
CITY = Jurisdiction("prefecture", "济南市", "市")
NATION = Jurisdiction("national", "全国", "")


def _units_by_task(path: Path) -> dict[str, list[SimpleNamespace]]:
    """Task path → the task_units rows the units stage extracts from the document at ``path``."""
    doc = parse_document(read_source(path), path.stem)
    rows = document_units(doc)["task_units"]
    return {task.path: [SimpleNamespace(**row) for row in rows if row["task_id"] == task.task_id] for task in doc.tasks}


def _gold(name: str, task_key=lambda number: number) -> dict[str, list[tuple[str, str]]]:
    """Gold mentions per task in order; several annotations of one task merge (lead anywhere wins)."""
    merged: dict[str, dict[str, str]] = defaultdict(dict)
    with (GOLD / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            roles = merged[task_key(row["task_number"])]
            if roles.get(row["mention"]) != LEAD:
                roles[row["mention"]] = row["role"]
    return {task: list(roles.items()) for task, roles in merged.items()}


def _found(units_by_task: dict[str, list], key=lambda path: path) -> dict[str, list[tuple[str, str]]]:
    return {key(path): [(u.mention, u.role) for u in units] for path, units in units_by_task.items() if units}


# --------------------------------------------------------------------------- the real documents


@needs_corpus
def test_county_plan_every_mention_and_role_of_all_26_tasks():
    found = _found(_units_by_task(COUNTY_PLAN), key=lambda path: path.split("/")[-1])
    assert len(found) == 26
    assert found == _gold("units_alxa_county_plan.csv")


@needs_corpus
def test_county_plan_resolves_to_23_units_and_2_collectives():
    with (GOLD / "units_alxa_canonical.csv").open(encoding="utf-8") as handle:
        canonical = {row["mention"]: row for row in csv.DictReader(handle)}
    units = [u for task in _units_by_task(COUNTY_PLAN).values() for u in task]
    for unit in units:
        expected = canonical[unit.mention]
        assert (unit.unit, unit.type, unit.collective) == (
            expected["canonical"],
            expected["type"],
            expected["collective"] == "true",
        ), unit.mention
    assert all(unit.resolved and unit.jurisdiction == "阿拉善左旗" for unit in units)
    assert len({u.unit for u in units if not u.collective}) == 23
    assert {u.unit for u in units if u.collective} == {"各有关部门", "各行政执法部门"}


@needs_corpus
def test_county_plan_prefix_inheritance_uses_the_unit_type():
    units = _units_by_task(COUNTY_PLAN)
    task_26 = next(v for k, v in units.items() if k.endswith("（二十六）"))
    assert [u.unit for u in task_26] == ["旗委组织部", "旗委宣传部", "旗政府办", "旗司法局", "各有关部门"]
    task_13 = next(v for k, v in units.items() if k.endswith("（十三）"))
    assert [u.unit for u in task_13][:2] == ["旗委政法委", "旗应急管理局"]


@needs_corpus
def test_guangzhou_every_lead_and_support_unit():
    found = _found(_units_by_task(GUANGZHOU), key=lambda path: path.split("/")[-1])
    assert found == _gold("units_guangzhou_2012.csv")
    assert len(found) == 33  # tasks 1 and 2 (general requirements) carry no annotation


@needs_corpus
@pytest.mark.parametrize("stem", ["guofa-2019-003", "guobanfa-2018-129"])
def test_state_council_annotations_first_listed_leads(stem):
    found = _found(_units_by_task(CORPUS / "national" / f"{stem}.html"))
    gold = _gold(f"units_{stem.replace('-', '_')}.csv", task_key=lambda n: "/".join(n.split("/")[:2]))
    assert found == gold


@needs_corpus
def test_guofa_2019_003_merges_annotations_within_a_task():
    units = _units_by_task(CORPUS / "national" / "guofa-2019-003.html")["四、/（一）"]
    roles = {u.unit: u.role for u in units}
    # 税务总局 leads item 1 (its note 排在第一位的部门为牵头部门 is not a unit); 海关总署 supports
    # item 1 but leads item 2, so it leads the task.
    assert roles == {"税务总局": LEAD, "财政部": SUPPORT, "海关总署": LEAD, "商务部": LEAD}


@needs_corpus
def test_guobanfa_2018_128_reads_qiantou_canyu_fuze_and_fuze_luoshi_but_not_zhidao():
    units = {
        path: [(u.unit, u.role) for u in task]
        for path, task in _units_by_task(CORPUS / "national" / "guobanfa-2018-128.html").items()
        if task
    }
    assert units == {
        "二、/（一）": [
            ("生态环境部", LEAD),
            ("发展改革委", SUPPORT),
            ("工业和信息化部", SUPPORT),
            ("住房城乡建设部", SUPPORT),
            ("农业农村部", SUPPORT),
            ("统计局", SUPPORT),
            ("试点城市政府", LEAD),  # （生态环境部指导，试点城市政府负责落实。…）: 负责落实 assigns
        ],
        "二、/（二）": [("市场监管总局", LEAD), ("工业和信息化部", SUPPORT)],
    }


@needs_corpus
@pytest.mark.parametrize(
    "path", sorted((CORPUS / "national").glob("*.html")) if CORPUS.is_dir() else [], ids=lambda p: p.stem
)
def test_national_pages_without_assignments_give_no_units(path):
    units = [u for task in _units_by_task(path).values() for u in task]
    assert bool(units) == (path.stem in ANNOTATED)


@needs_corpus
def test_laws_give_no_units():
    for path in sorted((CORPUS / "laws").glob("*.md")):
        assert not any(_units_by_task(path).values()), path.name


# --------------------------------------------------------------------------- conventions on short texts


def _pairs(text: str, jurisdiction: Jurisdiction = CITY) -> list[tuple[str, str, str]]:
    return [(u.mention, u.unit, u.role) for u in task_units(text, jurisdiction=jurisdiction)]


def test_prose_you_qiantou_peihe():
    assert _pairs("加强普法宣传。由市司法局牵头，各有关部门配合。") == [
        ("市司法局", "市司法局", LEAD),
        ("各有关部门", "各有关部门", SUPPORT),
    ]


def test_prose_qiantou_an_zhize_fengong_fuze():
    assert _pairs("加强普法。市司法局牵头，市教育局、市文旅局按职责分工负责。") == [
        ("市司法局", "市司法局", LEAD),
        ("市教育局", "市教育局", SUPPORT),
        ("市文旅局", "市文旅局", SUPPORT),
    ]


def test_prose_fuze_sentence_only_when_it_is_the_whole_sentence():
    assert _pairs("开展执法检查。由市公安局负责。") == [("市公安局", "市公安局", LEAD)]
    assert _pairs("开展执法检查，由市公安局负责具体工作。") == []
    assert _pairs("具体工作由国家发展改革委负责。", NATION) == []


def test_separate_label_lines_as_a_task_division_table_row_gives_them():
    text = "推进政务公开。\n牵头单位：市政府办公厅\n责任单位：市大数据局、市融媒体中心"
    assert _pairs(text) == [
        ("市政府办公厅", "市政府办公厅", LEAD),
        ("市大数据局", "市数据局", SUPPORT),
        ("市融媒体中心", "市融媒体中心", SUPPORT),
    ]
    # A table cell may separate units by spaces; an empty lead cell names no one.
    assert _pairs("任务\n牵头单位：—\n责任单位：市司法局 市法院") == [
        ("市司法局", "市司法局", LEAD),
        ("市法院", "市法院", SUPPORT),
    ]


def test_lone_zeren_danwei_list_reads_like_a_fuze_list():
    assert _pairs("推进政务公开\n责任单位：市司法局、市财政局") == [
        ("市司法局", "市司法局", LEAD),
        ("市财政局", "市财政局", SUPPORT),
    ]


def test_qiantou_marker_inside_a_list():
    assert _pairs("推进\n责任单位：市发展改革委（牵头）、市财政局") == [
        ("市发展改革委", "市发改委", LEAD),
        ("市财政局", "市财政局", SUPPORT),
    ]


def test_label_tail_after_a_full_stop_on_the_same_line():
    assert _pairs("完善机制。牵头单位：旗司法局；责任单位：各有关部门", COUNTY) == [
        ("旗司法局", "旗司法局", LEAD),
        ("各有关部门", "各有关部门", SUPPORT),
    ]


def test_he_joins_two_registered_units_but_not_inside_a_name():
    assert _pairs("加强监管（财政部和税务总局负责）", NATION) == [
        ("财政部", "财政部", LEAD),
        ("税务总局", "税务总局", SUPPORT),
    ]
    assert _pairs("（文化和旅游部负责）", NATION) == [("文化和旅游部", "文化和旅游部", LEAD)]


def test_other_labels_and_notes_end_a_list_of_units():
    assert _pairs("（牵头单位：市委政法委；配合单位：市法院、市检察院；完成时限：2025年6月）") == [
        ("市委政法委", "市委政法委", LEAD),
        ("市法院", "市法院", SUPPORT),
        ("市检察院", "市检察院", SUPPORT),
    ]
    assert _pairs("（牵头单位：市委、市政府；责任单位：市司法局（2024年底前完成））") == [
        ("市委", "市委", LEAD),
        ("市政府", "市政府", LEAD),
        ("市司法局", "市司法局", SUPPORT),
    ]


def test_huitong_and_luoshi():
    expected = [("市司法局", "市司法局", LEAD), ("市财政局", "市财政局", SUPPORT)]
    assert _pairs("由市司法局会同市财政局负责。") == expected
    assert _pairs("（市司法局会同市财政局负责）") == expected
    assert _pairs("（市卫健委负责，各区政府落实）") == [
        ("市卫健委", "市卫健委", LEAD),
        ("各区政府", "各区政府", SUPPORT),
    ]


def test_collectives_with_a_jurisdiction_word_before_ge():
    units = task_units("推进。（责任单位：市委办公厅、市直各部门）", jurisdiction=CITY)
    assert [(u.unit, u.role, u.collective) for u in units] == [
        ("市委办公厅", LEAD, False),
        ("市直各部门", SUPPORT, True),
    ]


def test_unknown_units_are_kept_unresolved():
    units = task_units("建设平台。（牵头单位：市城乡水务局；配合单位：市文体局等部门）", jurisdiction=CITY)
    assert [(u.mention, u.unit, u.role, u.resolved) for u in units] == [
        ("市城乡水务局", "市城乡水务局", LEAD, False),
        ("市文体局", "市文体局", SUPPORT, False),
    ]


def test_parentheses_that_are_not_annotations_give_nothing():
    assert _pairs("有关部门要加强协调（以下简称“三个中心”）。全社会共同参与。", NATION) == []
    assert _pairs("（商务部指导，供销合作总社参与）", NATION) == []  # 参与 in a guidance annotation
    assert _pairs("（全社会参与）", NATION) == []


def test_assignments_report_convention_and_offsets():
    text = "完善机制。（牵头单位：旗委政法委、应急管理局；责任单位：各苏木镇）"
    [found] = list(assignments(text, jurisdiction=COUNTY))
    assert found.convention == "parenthesis"
    assert [text[m.start : m.end] for m in found.mentions] == ["旗委政法委", "应急管理局", "各苏木镇"]


# --------------------------------------------------------------------------- the stage


@needs_corpus
def test_unit_tables_and_workload_on_the_county_plan():
    corpus, failures = read_corpus([COUNTY_PLAN], manifest=Manifest(), stages=("units",))
    assert not failures
    tables = corpus.tables
    gold = _gold("units_alxa_county_plan.csv")
    assert len(tables["task_units"]) == sum(len(v) for v in gold.values())
    units = tables["units"].set_index("unit")
    assert units.loc["旗司法局", "aliases"] == "司法局|旗司法局"
    assert units.loc["旗司法局", "full_name"] == "阿拉善左旗司法局"
    assert units["collective"].sum() == 2 and len(units) == 25
    workload = unit_workload(tables["task_units"]).set_index("unit")
    assert "各有关部门" not in workload.index
    with (GOLD / "units_alxa_canonical.csv").open(encoding="utf-8") as handle:
        canonical = {row["mention"]: row["canonical"] for row in csv.DictReader(handle)}
    led = sum(1 for task in gold.values() for m, r in task if canonical[m] == "旗司法局" and r == LEAD)
    supported = sum(1 for task in gold.values() for m, r in task if canonical[m] == "旗司法局" and r == SUPPORT)
    assert (workload.loc["旗司法局", "tasks_led"], workload.loc["旗司法局", "tasks_supported"]) == (led, supported)
    assert workload.index[0] == "旗司法局"
    assert unresolved_units(tables["task_units"]).empty


def test_task_division_table_in_html_gives_units_per_row(tmp_path):
    page = tmp_path / "table.html"
    rows = [
        ("序号", "重点任务", "牵头单位", "责任单位", "完成时限"),
        ("1", "开展宪法宣传周活动。", "县司法局", "县委宣传部、县教体局", "2024年12月"),
        ("2", "落实普法责任制。", "", "县普法办 县文体局", "2024年6月"),
    ]
    cells = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    page.write_text(
        f'<html><head><meta charset="utf-8"></head><body><p>一、重点任务</p><table>{cells}</table></body></html>',
        encoding="utf-8",
    )
    corpus, _ = read_corpus([page], manifest=Manifest(), stages=("units",))
    table = corpus.tables["task_units"]
    assert list(zip(table["mention"], table["role"], table["resolved"])) == [
        ("县司法局", LEAD, True),
        ("县委宣传部", SUPPORT, True),
        ("县教体局", SUPPORT, True),
        ("县普法办", LEAD, True),
        ("县文体局", SUPPORT, False),
    ]
    assert table["task_id"].nunique() == 2


def test_unresolved_units_are_listed_for_the_summary(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "一、重点任务\n（一）加强普法。（牵头单位：县文体广电局；责任单位：县司法局、各乡镇）\n", encoding="utf-8"
    )
    corpus, _ = read_corpus([plan], manifest=Manifest(), stages=("units",))
    tables = corpus.tables
    assert list(tables["task_units"]["unit"]) == ["县文体广电局", "县司法局", "各乡镇"]
    unknown = unresolved_units(tables["task_units"])
    assert list(unknown["mention"]) == ["县文体广电局"] and list(unknown["n_tasks"]) == [1]


def test_other_labels_before_the_unit_labels_are_skipped():
    county = jurisdiction_for("county", "某县")
    found = task_units(
        "推进政务公开。（牵头领导：县政府分管副县长；牵头单位：县政府办；责任单位：各乡镇）", jurisdiction=county
    )
    assert [(u.mention, u.role, u.collective) for u in found] == [
        ("县政府办", "lead", False),
        ("各乡镇", "support", True),
    ]


def test_a_list_that_shares_the_work_with_no_lead_named_is_led_by_its_first_unit():
    city = jurisdiction_for("prefecture", "某市")
    alone = task_units("开展普法宣传。（市委宣传部、市司法局按职责分工负责）", jurisdiction=city)
    assert [(u.mention, u.role) for u in alone] == [("市委宣传部", "lead"), ("市司法局", "support")]
    with_lead = task_units("开展普法宣传。（市司法局牵头，市委宣传部、市教育局按职责分工负责）", jurisdiction=city)
    assert [(u.mention, u.role) for u in with_lead] == [
        ("市司法局", "lead"),
        ("市委宣传部", "support"),
        ("市教育局", "support"),
    ]


# --------------------------------------------------------------------------- every convention, by rule

L, S = LEAD, SUPPORT
# (jurisdiction, annotation, exact (mention, role) list): constructed strings, one per form.
ANNOTATIONS = [
    # labelled lists mixing units, groups and collectives, separated by 、，；
    (
        CITY,
        "（牵头单位：市教育局，配合单位：市财政局、市卫健委，各区、县（市）政府）",
        [("市教育局", L), ("市财政局", S), ("市卫健委", S), ("各区、县（市）政府", S)],
    ),
    (
        CITY,
        "（牵头单位：市教育局；配合单位：市财政局、各区、县（市、区）政府）",
        [("市教育局", L), ("市财政局", S), ("各区、县（市、区）政府", S)],
    ),
    (CITY, "（主要责任单位：市司法局，配合单位：各区、县级市）", [("市司法局", L), ("各区、县级市", S)]),
    (
        CITY,
        "（牵头单位：市委政法委；配合单位：市法院、市检察院及各区县）",
        [("市委政法委", L), ("市法院", S), ("市检察院", S), ("各区县", S)],
    ),
    (
        CITY,
        "（牵头单位：市司法局；责任单位：各区县人民政府、市直有关部门）",
        [("市司法局", L), ("各区县人民政府", S), ("市直有关部门", S)],
    ),
    (CITY, "（牵头单位：市委、市政府；责任单位：市司法局）", [("市委", L), ("市政府", L), ("市司法局", S)]),
    (CITY, "（牵头单位：市司法局；配合部门：市财政局、市公安局）", [("市司法局", L), ("市财政局", S), ("市公安局", S)]),
    (CITY, "（主要责任单位：市司法局；协助单位：市财政局）", [("市司法局", L), ("市财政局", S)]),
    (CITY, "（配合单位：市财政局）", [("市财政局", S)]),
    (CITY, "（责任单位：市司法局、市财政局）", [("市司法局", L), ("市财政局", S)]),
    (CITY, "（责任单位：市发展改革委（牵头）、市财政局）", [("市发展改革委", L), ("市财政局", S)]),
    (CITY, "（责任单位：市财政局、市发展改革委（牵头））", [("市财政局", S), ("市发展改革委", L)]),
    # groups, leading groups and their members
    (CITY, "（牵头单位：市司法局；责任单位：各成员单位）", [("市司法局", L), ("各成员单位", S)]),
    (
        CITY,
        "（牵头单位：市司法局；责任单位：市法治政府建设工作领导小组各成员单位）",
        [("市司法局", L), ("市法治政府建设工作领导小组各成员单位", S)],
    ),
    (
        CITY,
        "（市法治政府建设工作领导小组办公室牵头，各成员单位配合）",
        [("市法治政府建设工作领导小组办公室", L), ("各成员单位", S)],
    ),
    (
        CITY,
        "（牵头单位：市安全生产委员会；责任单位：市安委会其他成员单位）",
        [("市安全生产委员会", L), ("市安委会其他成员单位", S)],
    ),
    # a partial reading keeps what it can: unknown names unresolved, dates and notes left out
    (CITY, "（牵头单位：市司法局、市城乡水利局；完成时限：2025年6月底前）", [("市司法局", L), ("市城乡水利局", L)]),
    (CITY, "（牵头单位：市司法局，2024年底前完成）", [("市司法局", L)]),
    (CITY, "推进。\n责任单位：市司法局 2024年12月底前", [("市司法局", L)]),
    (
        CITY,
        "（牵头单位：市司法局；责任单位：市财政局、试点企业联合体）",
        [("市司法局", L), ("市财政局", S), ("试点企业联合体", S)],
    ),
    (CITY, "（市司法局牵头，持续推进，市财政局配合）", [("市司法局", L), ("市财政局", S)]),
    # national style: the first unit listed leads, the rule stated in several wordings
    (
        NATION,
        "（发展改革委、商务部、海关总署负责，排在第一位的部门为牵头部门，下同）",
        [("发展改革委", L), ("商务部", S), ("海关总署", S)],
    ),
    (NATION, "（税务总局、财政部负责，列第一位者为牵头单位）", [("税务总局", L), ("财政部", S)]),
    (NATION, "（税务总局、财政部负责，第一个单位为牵头单位）", [("税务总局", L), ("财政部", S)]),
    (NATION, "（税务总局、财政部负责，排名第一的为牵头单位，以下均同）", [("税务总局", L), ("财政部", S)]),
    (NATION, "（人力资源社会保障部、教育部按职责分工负责）", [("人力资源社会保障部", L), ("教育部", S)]),
    (
        NATION,
        "（国家发展改革委、财政部、商务部，各省级人民政府按职责分工负责）",
        [("国家发展改革委", L), ("财政部", S), ("商务部", S), ("各省级人民政府", S)],
    ),
    (
        NATION,
        "（国家发展改革委、财政部按职责分工负责，各省级人民政府负责落实）",
        [("国家发展改革委", L), ("财政部", S), ("各省级人民政府", S)],
    ),
    (NATION, "（教育部等有关部门和单位负责）", [("教育部", L), ("有关部门和单位", S)]),
    (NATION, "（财政部和税务总局负责）", [("财政部", L), ("税务总局", S)]),
    (NATION, "（文化和旅游部负责）", [("文化和旅游部", L)]),
    # verbs in prose and in parentheses
    (CITY, "由市司法局牵头负责。", [("市司法局", L)]),
    (CITY, "（由市司法局牵头负责）", [("市司法局", L)]),
    (CITY, "（市司法局牵头、市财政局参与）", [("市司法局", L), ("市财政局", S)]),
    (CITY, "（市司法局牵头，市财政局、市教育局参与）", [("市司法局", L), ("市财政局", S), ("市教育局", S)]),
    (CITY, "（市司法局会同市财政局负责）", [("市司法局", L), ("市财政局", S)]),
    (CITY, "由市司法局会同市财政局、市教育局负责。", [("市司法局", L), ("市财政局", S), ("市教育局", S)]),
    (CITY, "（市委宣传部、市司法局等部门按职责分工负责）", [("市委宣传部", L), ("市司法局", S)]),
    (CITY, "（市司法局负责，各区县政府落实）", [("市司法局", L), ("各区县政府", S)]),
    (CITY, "（由市公安局负责，市司法局配合）", [("市公安局", L), ("市司法局", S)]),
    (CITY, "（市司法局牵头，市直各部门按职责分工负责）", [("市司法局", L), ("市直各部门", S)]),
    (CITY, "（市卫健委牵头，市医保局、市市场监管局协助）", [("市卫健委", L), ("市医保局", S), ("市市场监管局", S)]),
    (CITY, "（市司法局、市财政局、市教育局负责）", [("市司法局", L), ("市财政局", S), ("市教育局", S)]),
    # guidance is not an assignment; what a guidance annotation assigns is
    (NATION, "（生态环境部指导，试点城市政府负责落实）", [("试点城市政府", L)]),
    (NATION, "（商务部指导，供销合作总社参与）", []),
    (NATION, "（生态环境部、住房城乡建设部指导）", []),
    # parentheses that assign no one
    (CITY, "加强协调（以下简称“三个中心”）。", []),
    (NATION, "（全社会参与）", []),
    (NATION, "（技工院校内由人力资源社会保障行政部门负责）", []),
    (CITY, "（2024年底前完成）", []),
]


@pytest.mark.parametrize(("jurisdiction", "text", "expected"), ANNOTATIONS, ids=[a[1][:24] for a in ANNOTATIONS])
def test_every_annotation_form_gives_its_exact_mentions_and_roles(jurisdiction, text, expected):
    assert [(u.mention, u.role) for u in task_units(text, jurisdiction=jurisdiction)] == expected


def test_the_table_covers_at_least_40_forms():
    assert len(ANNOTATIONS) >= 40


def test_collectives_groups_and_members_are_kept_as_collectives_with_their_role():
    text = "（牵头单位：市司法局；配合单位：各区、县级市，市法治政府建设工作领导小组各成员单位）"
    assert [(u.mention, u.role, u.collective) for u in task_units(text, jurisdiction=CITY)] == [
        ("市司法局", LEAD, False),
        ("各区、县级市", SUPPORT, True),
        ("市法治政府建设工作领导小组各成员单位", SUPPORT, True),
    ]


def test_the_first_listed_leads_rule_applies_from_where_the_document_states_it(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "某市工作要点\n一、重点任务\n（一）加强普法。（市财政局、市司法局）\n"
        "（二）完善机制。（市司法局、市财政局按职责分工负责，列在首位的单位牵头，下同）\n"
        "（三）推进公开。（市财政局、市司法局）\n（四）强化监督。（配合单位：市司法局、市财政局）\n",
        encoding="utf-8",
    )
    found = [(path.split("/")[-1], u.mention, u.role) for path, units in _units_by_task(plan).items() for u in units]
    assert found == [  # （一） comes before the rule: its bare list is no annotation
        ("（二）", "市司法局", LEAD),
        ("（二）", "市财政局", SUPPORT),
        ("（三）", "市财政局", LEAD),
        ("（三）", "市司法局", SUPPORT),
        ("（四）", "市司法局", LEAD),
        ("（四）", "市财政局", SUPPORT),
    ]


def test_a_partial_reading_lists_its_unknown_pieces_as_unresolved(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "一、重点任务\n（一）建设平台。（牵头单位：县司法局；责任单位：县财政局、试点企业联合体，2024年底前）\n",
        encoding="utf-8",
    )
    corpus, _ = read_corpus([plan], manifest=Manifest(), stages=("units",))
    assert list(corpus.tables["task_units"]["mention"]) == ["县司法局", "县财政局", "试点企业联合体"]
    assert list(unresolved_units(corpus.tables["task_units"])["mention"]) == ["试点企业联合体"]


def test_a_long_line_of_labels_not_opening_a_sentence_is_read_in_one_pass():
    # Found by the fuzzer: a 2,000,000-character line holding thousands of 配合单位： labels ran
    # for minutes, the text before every label searched again for a full stop.
    text = "加强监督，配合单位：市财政局" * 20_000 + "。牵头单位：市司法局"
    assert _pairs(text) == [("市司法局", "市司法局", LEAD)]
