"""The manifest is checked against its schema: each mistake is one line naming the manifest, the
entry and the key; a good manifest gives its overrides and parents."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.document.manifest import load_manifest
from pipeline.errors import InputError
from tests.documents import COUNTY_PLAN

PLAN = COUNTY_PLAN.name
ENTRY = f'[[documents]]\nid = "county"\nfile = "{PLAN}"\n'


def manifest(tmp_path, text: str):
    path = tmp_path / "manifest.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "line, problem",
    [
        ('levle = "county"', "[[documents]] entry 1 (county): unknown key 'levle' — did you mean 'level'?"),
        ('parent = ["x"]', "[[documents]] entry 1 (county): unknown key 'parent' — did you mean 'parents'?"),
        ('year = "二〇二四"', "[[documents]] entry 1 (county): year must be a year in digits, not '二〇二四'"),
        ('level = "city"', "[[documents]] entry 1 (county): unknown level 'city' — use one of national, province"),
        ("title = 5", "[[documents]] entry 1 (county): key 'title': input should be a valid string, not 5"),
        ('parents = "省计划"', "[[documents]] entry 1 (county): key 'parents': input should be a valid list"),
        ('issued_on = "昨天"', "[[documents]] entry 1 (county): key 'issued_on': input should be a valid date"),
    ],
)
def test_a_mistake_names_the_manifest_the_entry_and_the_key(tmp_path, line, problem):
    path = manifest(tmp_path, ENTRY + line + "\n")
    with pytest.raises(InputError) as raised:
        load_manifest(path)
    assert str(raised.value).startswith(f"{path}: {problem}")
    assert "\n" not in str(raised.value)


def test_the_second_entry_is_named_by_its_file_and_further_mistakes_counted(tmp_path):
    text = ENTRY + '[[documents]]\nfile = "other.txt"\nyear = 2024.5\nlevle = "county"\n'
    with pytest.raises(
        InputError, match=r"entry 2 \(other.txt\): year must be a year in digits, not 2024.5 \(and 1 more\)"
    ):
        load_manifest(manifest(tmp_path, text))


def test_an_unknown_top_level_table(tmp_path):
    with pytest.raises(InputError, match=r"top level: unknown key 'document' — did you mean 'documents'\?"):
        load_manifest(manifest(tmp_path, '[[document]]\nid = "county"\n'))


def test_a_good_manifest_gives_overrides_with_dates_as_the_tables_write_them(tmp_path):
    text = (
        ENTRY
        + 'level = "county"\nyear = 2024\nissued_on = 2024-03-01\nparents = ["内蒙古自治区2024年法治政府建设工作计划"]\n'
    )
    (entry,) = load_manifest(manifest(tmp_path, text)).entries
    assert entry.doc_id == "county" and entry.file == (tmp_path / PLAN).resolve()
    assert entry.overrides == {"level": "county", "year": 2024, "issued_on": "2024-03-01"}
    assert entry.parents == ("内蒙古自治区2024年法治政府建设工作计划",)


def test_the_run_stops_on_a_bad_manifest_with_one_line(tmp_path):
    shutil.copy(COUNTY_PLAN, tmp_path)
    path = manifest(tmp_path, ENTRY + 'year = "二〇二四"\n')
    result = CliRunner().invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {path}: [[documents]] entry 1 (county): year must be a year in digits, not '二〇二四' — write e.g. "
        "year = 2024, without quotes"
    ]
