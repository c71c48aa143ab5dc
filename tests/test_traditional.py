"""Traditional-character input: a real corpus page converted to traditional (with OpenCC, here in
the test) reads with the same sections, tasks, units and obligations as the page itself."""

from __future__ import annotations

import opencc
import pytest

from pipeline.api import read_corpus
from pipeline.document.manifest import Manifest
from pipeline.ingest.script import SIMPLIFIED, TRADITIONAL, script_of
from pipeline.ingest.source import read_source
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN

ANNOTATED_PAGE = CORPUS / "national" / "guofa-2019-003.html"


def _traditional_copy(path, folder, *, standard="s2t", encoding="utf-8"):
    """``path`` written in traditional characters (OpenCC ``standard``: s2t, Taiwan's s2tw, Hong
    Kong's s2hk) in ``encoding`` under ``folder``."""
    text = path.read_bytes().decode("utf-8")
    copy = folder / f"{standard}-{encoding}-{path.name}"
    copy.write_bytes(opencc.OpenCC(standard).convert(text).encode(encoding, errors="strict"))
    return copy


def _read(path):
    corpus, failures = read_corpus([path], manifest=Manifest(), stages=("structure", "units", "commitments"))
    assert [failure.message for failure in failures] == []
    return corpus.tables


def _as_read(tables):
    """What must not depend on the script: tasks, unit assignments, obligations' strengths."""
    return (
        list(zip(tables["tasks"]["path"], tables["tasks"]["title"])),
        list(zip(tables["task_units"]["mention"], tables["task_units"]["unit"], tables["task_units"]["role"])),
        list(zip(tables["obligations"]["action"], tables["obligations"]["strength"])),
    )


@pytest.mark.parametrize(("standard", "encoding"), [("s2t", "utf-8"), ("s2tw", "big5"), ("s2hk", "utf-8")])
def test_a_traditional_copy_of_the_county_plan_reads_the_same(tmp_path, standard, encoding):
    copy = _traditional_copy(COUNTY_PLAN, tmp_path, standard=standard, encoding=encoding)
    assert script_of(read_source(copy).normalised.original[:2000]) == TRADITIONAL  # type: ignore[union-attr]
    simplified, traditional = _read(COUNTY_PLAN), _read(copy)
    assert _as_read(traditional) == _as_read(simplified)
    assert len(traditional["task_units"]) == 89
    assert list(traditional["documents"]["script"]) == [TRADITIONAL]
    assert list(simplified["documents"]["script"]) == [SIMPLIFIED]


@needs_corpus
def test_a_traditional_mirror_of_a_state_council_page_reads_the_same(tmp_path):
    copy = _traditional_copy(ANNOTATED_PAGE, tmp_path)
    source = read_source(copy)
    assert source.script == TRADITIONAL and "負責" in source.normalised.original  # type: ignore[union-attr]
    assert _as_read(_read(copy)) == _as_read(_read(ANNOTATED_PAGE))


def test_simplified_text_is_simplified():
    assert script_of("牵头单位负责落实各项任务") == SIMPLIFIED
    assert script_of("牽頭單位負責落實各項任務") == TRADITIONAL


@needs_corpus
def test_gov_cn_metadata_labels_in_traditional_characters_are_read(tmp_path):
    copy = _traditional_copy(ANNOTATED_PAGE, tmp_path)
    assert "發文機關" in copy.read_text(encoding="utf-8") and "發佈日期" in copy.read_text(encoding="utf-8")
    assert read_source(copy).metadata["issuer"] == "國務院"  # read under its traditional label, as written
    columns = ["title", "issuer", "level", "region", "issued_on", "published_on", "doc_number", "year"]
    traditional = _read(copy)["documents"][columns].to_dict("records")
    assert traditional == _read(ANNOTATED_PAGE)["documents"][columns].to_dict("records")
    assert traditional[0]["issuer"] == "国务院" and traditional[0]["published_on"] == "2019-01-25"
