"""Which documents are parents of which: manifest, basis citations, inference, missing parents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline.api import read_corpus
from pipeline.cascade.parents import PARENT_COLUMNS, missing_parent_messages, parent_relations, topic
from pipeline.document.manifest import Manifest
from tests.conftest import needs_corpus
from tests.documents import CORPUS, REPO

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
        },
        {
            "child_doc_id": COUNTY,
            "parent_doc_id": "",
            "parent_title": LEAGUE_PLAN,
            "source": "manifest",
            "found": False,
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
        }
    ]


@needs_corpus
def test_regulation_family_parents_are_inferred_level_by_level():
    corpus, documents = documents_of([CORPUS / "laws"], Manifest())
    parents = parent_relations(documents, corpus.declared_parents)
    pairs = {(row.child_doc_id, row.parent_doc_id) for row in parents.itertuples()}
    assert pairs == {
        (LAW.format("jinan-2022"), LAW.format("shandong-2020")),
        (LAW.format("qingdao-2021"), LAW.format("shandong-2020")),
        (LAW.format("yantai-2021"), LAW.format("shandong-2020")),
        (LAW.format("dezhou-2021"), LAW.format("shandong-2020")),
        (LAW.format("shandong-2020"), LAW.format("national-2019")),
    }
    assert set(parents["source"]) == {"inferred"} and parents["found"].all()
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
