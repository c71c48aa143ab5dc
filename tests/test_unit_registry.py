"""The unit registry: loading, canonical names, jurisdictions, jieba dictionary, trie matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import unit_registry
from extractors.unit_registry import (
    Jurisdiction,
    find_unit_names,
    is_collective,
    jieba_entries,
    jurisdiction_for,
    region_prefix,
    registry,
    resolve_list,
    resolve_unit,
)
from pipeline.stages.commitments import commitment_pipeline

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
COUNTY_PLAN = CORPUS / "seed" / "alxa-left-banner-2024-rule-of-law-government-plan.txt"
COUNTY = Jurisdiction("county", "阿拉善左旗", "旗")
CITY = Jurisdiction("prefecture", "广州市", "市")
NATION = Jurisdiction("national", "全国", "")


def _unit(mention: str, jurisdiction: Jurisdiction = COUNTY) -> str:
    return resolve_unit(mention, jurisdiction=jurisdiction).unit


def test_registry_rows_are_well_formed():
    rows = registry()
    assert len(rows) > 150
    assert len({(row.unit, row.level) for row in rows}) == len(rows)
    for row in rows:
        assert row.type in unit_registry.UNIT_TYPES and row.type != "collective"
        assert row.local == ("{j}" in row.unit)
        assert not row.local or row.aliases, row.unit


def test_no_bare_local_alias_names_two_local_units():
    owners: dict[str, str] = {}
    for row in registry():
        if row.local:
            for alias in row.aliases:
                assert owners.setdefault(alias, row.unit) == row.unit, alias


def test_bad_registry_row_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_text("unit,full_name,type,level,aliases\n{j}司法局,,ministry,local,司法局\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{bad}: row 2"):
        registry(bad)


def test_region_prefix():
    assert region_prefix("阿拉善左旗") == "旗"
    assert region_prefix("广州市") == "市"
    assert region_prefix("内蒙古自治区") == "自治区"
    assert region_prefix("阿拉善盟") == "盟"


def test_jurisdiction_inferred_from_mentions_without_a_region():
    juris = jurisdiction_for("unknown", "", ["市委办公厅", "市法院", "市委政研室", "各有关部门"])
    assert juris.prefix == "市"
    assert jurisdiction_for("national", "全国").national


def test_same_unit_with_and_without_the_jurisdiction_prefix():
    assert {_unit(m) for m in ("司法局", "旗司法局", "阿拉善左旗司法局")} == {"旗司法局"}
    assert {_unit(m) for m in ("政务服务局", "旗政务服务局")} == {"旗政务服务局"}
    assert {_unit(m) for m in ("政法委", "旗委政法委", "中共阿拉善左旗委员会政法委员会")} == {"旗委政法委"}
    assert _unit("依法治旗办") == "旗委依法治旗办"
    assert _unit("市监局") == "旗市监局"  # the market regulator, not a city unit
    assert _unit("旗市监局") == "旗市监局"


def test_full_name_type_and_jurisdiction():
    unit = resolve_unit("政法委", jurisdiction=COUNTY)
    assert (unit.full_name, unit.type, unit.jurisdiction, unit.resolved) == (
        "中共阿拉善左旗委员会政法委员会",
        "party",
        "阿拉善左旗",
        True,
    )
    assert resolve_unit("检察院", jurisdiction=COUNTY).type == "procuratorate"
    assert resolve_unit("人大办", jurisdiction=COUNTY).type == "congress"


def test_level_decides_between_a_national_and_a_local_unit():
    county, nation = resolve_unit("信访局", jurisdiction=COUNTY), resolve_unit("信访局", jurisdiction=NATION)
    assert (county.unit, county.jurisdiction) == ("旗信访局", "阿拉善左旗")
    assert (nation.unit, nation.full_name, nation.jurisdiction) == ("信访局", "国家信访局", "全国")
    assert _unit("国家发展改革委", NATION) == "发展改革委"
    assert _unit("市发展改革委", CITY) == "市发改委"
    assert _unit("市国资委", CITY) == "市国资委"


def test_jurisdiction_inside_the_name():
    assert _unit("团市委", CITY) == "团市委"
    assert _unit("市委办公厅", CITY) == "市委办公厅"
    assert _unit("市直机关工委", CITY) == "市直机关工委"


def test_prefix_inheritance_within_a_list_follows_the_unit_type():
    units = resolve_list(["旗委组织部", "宣传部", "政府办", "司法局"], jurisdiction=COUNTY)
    assert [u.unit for u in units] == ["旗委组织部", "旗委宣传部", "旗政府办", "旗司法局"]
    units = resolve_list(["旗委政法委", "应急管理局"], jurisdiction=COUNTY)
    assert [u.unit for u in units] == ["旗委政法委", "旗应急管理局"]
    # A unit of another jurisdiction passes its prefix on to the bare units after it.
    units = resolve_list(["盟司法局", "公安局", "政法委"], jurisdiction=COUNTY)
    assert [(u.unit, u.jurisdiction) for u in units] == [("盟司法局", "盟"), ("盟公安局", "盟"), ("盟委政法委", "盟")]


def test_collectives():
    for name in ("各有关部门", "各行政执法部门", "各苏木镇", "各地区各部门", "有关部门", "各省级人民政府"):
        assert is_collective(name), name
        unit = resolve_unit(name, jurisdiction=COUNTY)
        assert unit.collective and unit.type == "collective" and unit.unit == name
    assert not is_collective("旗司法局")


def test_unknown_unit_is_unresolved_and_takes_the_jurisdiction_prefix():
    unit = resolve_unit("文体广电局", jurisdiction=COUNTY)
    assert (unit.unit, unit.resolved, unit.type) == ("旗文体广电局", False, "government")
    assert resolve_unit("旗文体广电局", jurisdiction=COUNTY).unit_id == unit.unit_id


def test_jieba_dictionary_keeps_unit_names_whole():
    entries = jieba_entries()
    words = {word for word, _, _ in entries}
    assert {"旗司法局", "依法治旗办", "旗委政法委", "海关总署"} <= words
    nlp = commitment_pipeline()  # the spaCy pipeline, whose jieba loads these entries
    tokens = [
        token.text for token in nlp.make_doc("持续推进司法所协助旗司法局开展工作。牵头单位：依法治旗办、旗委政法委")
    ]
    assert {"旗司法局", "依法治旗办", "旗委政法委"} <= set(tokens)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
def test_trie_finds_unit_names_in_prose_of_the_county_plan():
    line = next(line for line in COUNTY_PLAN.read_text(encoding="utf-8").splitlines() if line.startswith("（十九）"))
    found = [(line[s:e], unit.unit) for s, e, unit in find_unit_names(line, jurisdiction=COUNTY)]
    assert ("旗司法局", "旗司法局") in found
    assert found[-1] == ("旗司法局", "旗司法局")  # the 牵头单位 of the task
