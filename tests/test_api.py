"""The one read → build path (pipeline.api) and the stage registry it runs."""

from __future__ import annotations

import pytest

from pipeline import api
from pipeline.errors import InputError
from pipeline.stages.registry import STAGES
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN


@pytest.fixture(scope="module")
def county():
    return api.read(COUNTY_PLAN.parent)


def test_read_gives_every_table_by_name_and_as_an_attribute(county):
    assert len(county.tasks) == 26 and county.tasks is county["tasks"]
    assert county.failures == [] and county.notes == []
    with pytest.raises(AttributeError, match="no table named 'taks'"):
        county.taks  # noqa: B018


def test_every_stage_writes_exactly_the_tables_and_columns_it_declares(county):
    declared = {name: columns for stage in STAGES for name, columns in stage.tables.items()}
    assert set(county) == set(declared)
    for name, columns in declared.items():
        assert list(county[name].columns) == columns, name


def test_read_of_a_folder_without_documents_raises_one_clear_error(tmp_path):
    (tmp_path / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0")  # a type guanche never reads
    with pytest.raises(InputError, match="no readable document found"):
        api.read(tmp_path)


@needs_corpus
def test_a_linker_setting_reaches_the_cascade_stage():
    laws = CORPUS / "laws"
    default, strict = api.read(laws).links, api.read(laws, linker={"threshold": 0.99}).links
    assert 0 < len(strict) < 0.75 * len(default)  # a link now needs a probability of 0.99
