"""Which documents are parents of which: manifest, basis citations, inference, missing parents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline.api import read_corpus
from pipeline.cascade.divisions import contains, jurisdictions
from pipeline.cascade.parents import PARENT_COLUMNS, missing_parent_messages, parent_relations, topic
from pipeline.document.manifest import Manifest
from tests.conftest import needs_corpus, needs_lawrefbook
from tests.documents import CORPUS, LAWREFBOOK, REPO

COUNTY = "alxa-left-banner-2024-rule-of-law-government-plan"
REGION_PLAN = "内蒙古自治区2024年法治政府建设工作计划"
LEAGUE_PLAN = "阿拉善盟2024年法治政府建设工作计划"
LAW = "{}-optimize-business-environment-regulation"


def documents_of(paths: list[Path], manifest: Manifest | None = None):
    corpus, failures = read_corpus(paths, manifest=manifest, stages=("structure",))
    assert failures == []
    return corpus, corpus.tables["documents"]


def test_topic_sets_aside_place_year_issuer_and_document_type():
    assert topic("山东省优化营商环境条例") == topic("优化营商环境条例") == "优化营商环境"
    assert topic("济南市优化营商环境条例", "济南市") == "优化营商环境"
    assert topic(f"《{REGION_PLAN}》") == topic(LEAGUE_PLAN) == "法治政府建设"
    assert topic("阿拉善左旗2024年法治政府建设工作计划", "阿拉善左旗") == "法治政府建设"
    assert (
        topic("国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见")
        == "全面推行行政规范性文件合法性审核机制"
    )
    assert topic("重大行政决策程序暂行条例") == "重大行政决策程序"


def test_county_plan_alone_names_its_two_missing_parents(monkeypatch):
    monkeypatch.chdir(REPO)
    corpus, documents = documents_of([Path("data/raw")])
    parents = parent_relations(documents, corpus.declared_parents)
    assert list(parents.columns) == PARENT_COLUMNS
    assert parents.to_dict("records") == [
        {
            "child_doc_id": COUNTY,
            "parent_doc_id": "",
            "parent_title": REGION_PLAN,
            "source": "manifest",
            "found": False,
            "topic": "",
            "issued_later": False,
        },
        {
            "child_doc_id": COUNTY,
            "parent_doc_id": "",
            "parent_title": LEAGUE_PLAN,
            "source": "manifest",
            "found": False,
            "topic": "",
            "issued_later": False,
        },
    ]
    assert missing_parent_messages(parents, documents) == [
        f"阿拉善左旗2024年法治政府建设工作计划: its parents are not among the inputs: 《{REGION_PLAN}》 and "
        f"《{LEAGUE_PLAN}》 — put the files (any supported format) in data/raw/ and run again to link its "
        "tasks to them; everything else was built without them."
    ]


@needs_corpus
def test_basis_citations_are_parents_and_merge_with_the_manifest(monkeypatch):
    monkeypatch.chdir(REPO)
    corpus, documents = documents_of([Path("data/raw"), CORPUS / "laws"])
    citations = pd.DataFrame(
        [
            {
                "doc_id": COUNTY,
                "task_id": None,
                "cited_title": REGION_PLAN,
                "kind": "计划",
                "relation": "basis",
                "resolved_doc_id": None,
            },
            {
                "doc_id": COUNTY,
                "task_id": None,
                "cited_title": LEAGUE_PLAN,
                "kind": "计划",
                "relation": "basis",
                "resolved_doc_id": None,
            },
            {
                "doc_id": COUNTY,
                "task_id": f"{COUNTY}:T0005",
                "cited_title": "重大行政决策程序暂行条例",
                "kind": "条例",
                "relation": "",
                "resolved_doc_id": "national-2019-major-administrative-decision-procedure-regulation",
            },
            {
                "doc_id": LAW.format("jinan-2022"),
                "task_id": None,
                "cited_title": "山东省优化营商环境条例",
                "kind": "条例",
                "relation": "basis",
                "resolved_doc_id": LAW.format("shandong-2020"),
            },
        ]
    )
    parents = parent_relations(documents, corpus.declared_parents, citations)
    county = parents[parents["child_doc_id"] == COUNTY]
    assert list(county["source"]) == ["manifest", "manifest"]  # the same two titles, not repeated
    jinan = parents[parents["child_doc_id"] == LAW.format("jinan-2022")].to_dict("records")
    assert jinan == [
        {
            "child_doc_id": LAW.format("jinan-2022"),
            "parent_doc_id": LAW.format("shandong-2020"),
            "parent_title": "山东省优化营商环境条例",
            "source": "basis",
            "found": True,
            "topic": "优化营商环境",
            "issued_later": False,
        },
        {
            "child_doc_id": LAW.format("jinan-2022"),
            "parent_doc_id": LAW.format("national-2019"),
            "parent_title": "优化营商环境条例",
            "source": "jurisdiction+topic",
            "found": True,
            "topic": "优化营商环境",
            "issued_later": False,
        },
    ]


@needs_corpus
def test_regulation_family_parents_are_every_superior_on_the_topic():
    corpus, documents = documents_of([CORPUS / "laws"], Manifest())
    parents = parent_relations(documents, corpus.declared_parents)
    pairs = {(row.child_doc_id, row.parent_doc_id) for row in parents.itertuples()}
    cities = ("jinan-2022", "qingdao-2021", "yantai-2021", "dezhou-2021")
    assert pairs == {
        (LAW.format(city), LAW.format(parent)) for city in cities for parent in ("shandong-2020", "national-2019")
    } | {(LAW.format("shandong-2020"), LAW.format("national-2019"))}
    assert set(parents["source"]) == {"jurisdiction+topic"} and parents["found"].all()
    assert set(parents["topic"]) == {"优化营商环境"} and not parents["issued_later"].any()
    assert missing_parent_messages(parents, documents) == []


def jinan_declaring(tmp_path: Path, parents: str):
    """The three regulations in ``tmp_path``, 济南's manifest entry naming ``parents`` (a TOML
    list); returns (parents table, documents table)."""
    for name in ("jinan-2022", "shandong-2020", "national-2019"):
        shutil.copy(CORPUS / "laws" / f"{LAW.format(name)}.md", tmp_path)
    (tmp_path / "manifest.toml").write_text(
        "[[documents]]\n"
        f'id = "{LAW.format("jinan-2022")}"\n'
        f'file = "{LAW.format("jinan-2022")}.md"\n'
        f"parents = {parents}\n",
        encoding="utf-8",
    )
    corpus, documents = documents_of([tmp_path])
    return parent_relations(documents, corpus.declared_parents), documents


def jinan_parents(parents: pd.DataFrame) -> list[tuple[str, bool]]:
    jinan = parents[parents["child_doc_id"] == LAW.format("jinan-2022")]
    return list(zip(jinan["parent_doc_id"], jinan["found"]))


@needs_corpus
def test_parents_declared_by_id_or_title_are_found(tmp_path):
    parents, documents = jinan_declaring(
        tmp_path,
        '["《山东省优化营商环境条例》", "national-2019-optimize-business-environment-regulation", '
        '"青岛市优化营商环境条例"]',
    )
    assert jinan_parents(parents) == [
        (LAW.format("shandong-2020"), True),
        (LAW.format("national-2019"), True),
        ("", False),
    ]
    (message,) = missing_parent_messages(parents, documents)
    assert message.startswith(
        "济南市优化营商环境条例: its parent is not among the inputs: 《青岛市优化营商环境条例》 — "
        "put the file (any supported format) in "
    )
    assert str(tmp_path) in message


@needs_corpus
def test_a_parent_named_as_a_citation_would_be_is_found_like_one(tmp_path):
    # the same title rules as cited titles: a revision note, the 中华人民共和国 prefix
    parents, _ = jinan_declaring(
        tmp_path, '["《山东省优化营商环境条例（2020年修订）》", "中华人民共和国优化营商环境条例"]'
    )
    assert jinan_parents(parents) == [(LAW.format("shandong-2020"), True), (LAW.format("national-2019"), True)]


def test_jurisdictions_contain_each_other_by_their_division_codes():
    banner, league, region = jurisdictions("阿拉善左旗"), jurisdictions("阿拉善盟"), jurisdictions("内蒙古自治区")
    assert banner == ("152921",) and league == ("1529",) and region == ("15",)
    assert contains(league, banner) and contains(region, league) and contains(region, banner)
    assert contains(jurisdictions("广东省"), jurisdictions("深圳市"))
    assert contains(jurisdictions("河南省"), jurisdictions("洛阳市"))
    assert contains(jurisdictions("全国"), region) and not contains(region, jurisdictions("全国"))
    assert not contains(jurisdictions("山东省"), jurisdictions("洛阳市")) and not contains(banner, banner)
    # a region written short by the title reader (新乡) falls back to the title's division name
    assert jurisdictions("新乡", "新乡市居民住宅区消防安全管理条例") == ("4107",)


LOCAL = "DLC/{0}地方法规/地方性法规/{0}/{1}.md"
FAMILY_FILES = [
    LOCAL.format("河南", "洛阳市科学技术进步条例(2019-08-19)"),
    LOCAL.format("河南", "河南省科学技术进步条例(2010-07-30)"),
    "行政法/科学技术进步法(2021-12-24).md",
    LOCAL.format("山东", "济南市道路交通安全条例(2015-04-01)"),
    LOCAL.format("山东", "山东省实施《道路交通安全法》办法(2012-01-13)"),
    "行政法/道路交通安全法(2021-04-29).md",
    LOCAL.format("河南", "新乡市居民住宅区消防安全管理条例(2020-07-12)"),
    LOCAL.format("河南", "河南省消防条例(2014-04-15)"),
    LOCAL.format("河南", "河南省信访条例(2012-11-29)"),
    "行政法规/信访条例(2005-01-10).md",
    "行政法规/信访工作条例(2022-02-25).md",
    LOCAL.format("上海", "上海市实施《突发事件应对法》办法(2018-05-24)"),
    "行政法/突发事件应对法(2007-08-30).md",
    "行政法/突发事件应对法(2024-06-28).md",
    LOCAL.format("广东", "广东省乡村振兴促进条例(2022-06-01)"),
    "经济法/乡村振兴促进法(2021-04-29).md",
    LOCAL.format("广东", "深圳经济特区绿色建筑条例(2022-03-28)"),
]


def lawrefbook_parents(paths: list[str]):
    """The documents table and parents table of the lawrefbook files ``paths`` read together."""
    corpus, failures = read_corpus([LAWREFBOOK / path for path in paths], stages=("structure", "commitments"))
    assert failures == []
    documents = corpus.tables["documents"]
    return documents, parent_relations(documents, corpus.declared_parents, corpus.tables["citations"])


@needs_lawrefbook
def test_superiors_are_parents_whether_cited_or_not():
    documents, parents = lawrefbook_parents(FAMILY_FILES)
    found = parents[parents["found"]]
    by_child = {
        child: {(row.parent_doc_id, row.source, row.topic, row.issued_later) for row in group.itertuples()}
        for child, group in found.groupby("child_doc_id")
    }
    every = set(documents["doc_id"])
    assert by_child | dict.fromkeys(every - set(by_child), set()) == {
        # cites only the national law: its province's regulation is found as its superior
        "洛阳市科学技术进步条例-2019-08-19": {
            ("科学技术进步法-2021-12-24", "basis", "科学技术进步", True),
            ("河南省科学技术进步条例-2010-07-30", "jurisdiction+topic", "科学技术进步", False),
        },
        "河南省科学技术进步条例-2010-07-30": {("科学技术进步法-2021-12-24", "basis", "科学技术进步", True)},
        "济南市道路交通安全条例-2015-04-01": {
            ("道路交通安全法-2021-04-29", "basis", "道路交通安全", True),
            ("山东省实施-道路交通安全法-办法-2012-01-13", "jurisdiction+topic", "道路交通安全", False),
        },
        # the law a 实施《X法》办法 carries out is its basis, though its title quotes it
        "山东省实施-道路交通安全法-办法-2012-01-13": {("道路交通安全法-2021-04-29", "basis", "道路交通安全", True)},
        # cites the province's 消防条例 as its basis; its own topic (居民住宅区消防安全管理) is narrower
        "新乡市居民住宅区消防安全管理条例-2020-07-12": {("河南省消防条例-2014-04-15", "basis", "", False)},
        "河南省信访条例-2012-11-29": {
            ("信访条例-2005-01-10", "jurisdiction+topic", "信访", False),
            ("信访工作条例-2022-02-25", "jurisdiction+topic", "信访", True),
        },
        "上海市实施-突发事件应对法-办法-2018-05-24": {
            ("突发事件应对法-2007-08-30", "basis", "突发事件应对", False),
            ("突发事件应对法-2024-06-28", "jurisdiction+topic", "突发事件应对", True),
        },
        "广东省乡村振兴促进条例-2022-06-01": {("乡村振兴促进法-2021-04-29", "basis", "乡村振兴促进", False)},
        # no superior on its topic in the run; the national laws have none
        "深圳经济特区绿色建筑条例-2022-03-28": set(),
        "河南省消防条例-2014-04-15": set(),
        "科学技术进步法-2021-12-24": set(),
        "道路交通安全法-2021-04-29": set(),
        "信访条例-2005-01-10": set(),
        "信访工作条例-2022-02-25": set(),
        "突发事件应对法-2007-08-30": set(),
        "突发事件应对法-2024-06-28": set(),
        "乡村振兴促进法-2021-04-29": set(),
    }


# the eight pairs of the held-out gold families (benchmarks/families.py), read together
HELD_OUT_FILES = [
    "DLC/北京地方法规/地方性法规/北京/北京市实施《水法》办法(2022-11-25).md",
    "经济法/水法(2016-07-02).md",
    "DLC/浙江地方法规/地方性法规/浙江/宁波市全民健身条例(2021-06-11).md",
    "DLC/浙江地方法规/地方性法规/浙江/浙江省全民健身条例(2014-11-28).md",
    "DLC/浙江地方法规/地方性法规/浙江/浙江省劳动保障监察条例(2020-09-24).md",
    "行政法规/劳动保障监察条例(2004-11-01).md",
    "DLC/河南地方法规/地方性法规/河南/开封市文物保护条例(2018-10-30).md",
    "DLC/河南地方法规/地方性法规/河南/河南省实施《文物保护法》办法(2016-03-29).md",
    "DLC/浙江地方法规/地方性法规/浙江/杭州市法律援助条例(2017-01-13).md",
    "DLC/浙江地方法规/地方性法规/浙江/浙江省法律援助条例(2016-09-29).md",
    "DLC/重庆地方法规/地方性法规/重庆/重庆市地质灾害防治条例(2020-06-05).md",
    "行政法规/地质灾害防治条例(2003-11-24).md",
    "DLC/山东地方法规/地方性法规/山东/枣庄市农村公路条例(2020-11-30).md",
    "DLC/山东地方法规/地方性法规/山东/山东省农村公路条例(2018-09-21).md",
    "DLC/广东地方法规/地方性法规/广东/广东省动物防疫条例(2021-12-01).md",
    "经济法/动物防疫法(2021-01-22).md",
]


@needs_lawrefbook
def test_each_held_out_child_finds_its_gold_parent_and_why():
    _, parents = lawrefbook_parents(HELD_OUT_FILES)
    found = parents[parents["found"]]
    assert {(r.child_doc_id, r.parent_doc_id, r.source, r.topic, r.issued_later) for r in found.itertuples()} == {
        # 为了实施《中华人民共和国水法》…制定本办法: the law it carries out, though its title quotes it
        ("北京市实施-水法-办法-2022-11-25", "水法-2016-07-02", "basis", "水", False),
        ("宁波市全民健身条例-2021-06-11", "浙江省全民健身条例-2014-11-28", "basis", "全民健身", False),
        ("浙江省劳动保障监察条例-2020-09-24", "劳动保障监察条例-2004-11-01", "basis", "劳动保障监察", False),
        # cites only 《中华人民共和国文物保护法》, which is not among the files: not the province's
        # 实施《中华人民共和国文物保护法》办法, which is found as its superior instead
        (
            "开封市文物保护条例-2018-10-30",
            "河南省实施-文物保护法-办法-2016-03-29",
            "jurisdiction+topic",
            "文物保护",
            False,
        ),
        ("杭州市法律援助条例-2017-01-13", "浙江省法律援助条例-2016-09-29", "basis", "法律援助", False),
        ("重庆市地质灾害防治条例-2020-06-05", "地质灾害防治条例-2003-11-24", "basis", "地质灾害防治", False),
        ("枣庄市农村公路条例-2020-11-30", "山东省农村公路条例-2018-09-21", "basis", "农村公路", False),
        # revised on 2021-12-01, after the law of 2021-01-22: not a superior issued later
        ("广东省动物防疫条例-2021-12-01", "动物防疫法-2021-01-22", "basis", "动物防疫", False),
    }
    missing = parents.loc[~parents["found"] & (parents["child_doc_id"] == "开封市文物保护条例-2018-10-30")]
    assert missing["parent_title"].tolist() == ["中华人民共和国文物保护法"]


STAND_IN = "# {title}\n\n（测试用的构造文本，不是真实文件。）\n\n一、构造的测试章节\n\n（一）构造的测试条目，只用于查找上级文件。\n"


def county_plan_with_stand_ins(tmp_path: Path, titles: dict[str, str]):
    """The county plan and its manifest in ``tmp_path`` beside constructed stand-in documents
    (``titles``: file name → title; fake, one line of made-up text each); returns its parents."""
    for name in ("alxa-left-banner-2024-rule-of-law-government-plan.txt", "manifest.toml"):
        shutil.copy(REPO / "data" / "raw" / name, tmp_path)
    for name, title in titles.items():
        (tmp_path / name).write_text(STAND_IN.format(title=title), encoding="utf-8")
    corpus, documents = documents_of([tmp_path])
    parents = parent_relations(documents, corpus.declared_parents)
    return parents[parents["child_doc_id"] == COUNTY]


def test_the_county_plans_named_parents_are_found_by_title(tmp_path):
    county = county_plan_with_stand_ins(
        tmp_path, {"region-stand-in.md": REGION_PLAN, "league-stand-in.md": LEAGUE_PLAN}
    )
    assert list(zip(county["parent_doc_id"], county["parent_title"], county["source"], county["found"])) == [
        ("region-stand-in", REGION_PLAN, "manifest", True),
        ("league-stand-in", LEAGUE_PLAN, "manifest", True),
    ]


def test_named_parents_with_other_titles_are_found_by_jurisdiction_year_and_topic(tmp_path):
    county = county_plan_with_stand_ins(
        tmp_path,
        {
            "league-2023.md": "阿拉善盟2023年法治政府建设工作要点",  # another year: not the parent
            "league-2024.md": "阿拉善盟2024年法治政府建设工作要点",
            "region-2024.md": "内蒙古自治区2024年法治政府建设工作要点",
            "other-banner-2024.md": "阿拉善右旗2024年法治政府建设工作要点",
        },
    )
    assert list(zip(county["parent_doc_id"], county["topic"], county["found"])) == [
        ("region-2024", "法治政府建设", True),
        ("league-2024", "法治政府建设", True),
    ]
