"""``guanche diff``: two versions of the county plan made by editing it here, with exact
expectations, and the two hand-checked law pairs of tests/data/gold/versions/ with floors."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.api import read
from pipeline.cascade.diff import diff_documents, version_notes
from pipeline.cli.app import app
from pipeline.outputs.diff_report import write_diff_outputs
from tests.documents import COUNTY_PLAN, REPO
from tests.support.devtools import CHROMIUM, DevTools

runner = CliRunner()
GOLD = REPO / "tests" / "data" / "gold" / "versions"
LAWREFBOOK = REPO.parent / "shared" / "lawrefbook"
needs_lawrefbook = pytest.mark.skipif(not LAWREFBOOK.is_dir(), reason="../shared/lawrefbook not present")
ADDED_TASK = "（二十七）建立法治督察工作机制。每年开展一次法治督察。（牵头单位：依法治旗办；责任单位：各有关部门）"
EDITS = [  # (in the line of task, OLD, NEW): the county plan's next version
    ("（一）", "推进机构、职能、权限、程序、责任法定化", "全面落实机构、职能、权限、程序、责任法定化"),
    ("（二）", "标准化、规范化、便利化水平", "标准化、规范化、便利化、智能化水平"),
    ("（六）", "（牵头单位：旗政府办、司法局；", "（牵头单位：司法局；"),
    ("（二十六）", "不少于60学时", "不少于80学时"),
]
LAW_PAIRS = {
    "diff_administrative_reconsideration_law_2017_2023.csv": (
        "诉讼与非诉讼程序法/行政复议法(2017-09-01).md",
        "诉讼与非诉讼程序法/行政复议法(2023-09-01).md",
    ),
    "diff_shanghai_science_progress_2010_2024.csv": (
        "DLC/上海地方法规/地方性法规/上海/上海市科学技术进步条例(2010-09-17).md",
        "DLC/上海地方法规/地方性法规/上海/上海市科学技术进步条例(2024-05-10).md",
    ),
}
# measured on 2026-12-03 with the learned linker (README, "Comparing two versions"); the floors
# sit a little below
ALIGNMENT_FLOORS = {
    "diff_administrative_reconsideration_law_2017_2023.csv": (0.8, 0.78),
    "diff_shanghai_science_progress_2010_2024.csv": (0.83, 0.58),
}
CLASS_FLOORS = {  # class: (precision, recall) of the articles given that class
    "diff_administrative_reconsideration_law_2017_2023.csv": {
        "unchanged": (1.0, 1.0),
        "reworded": (0.8, 0.82),
        "split": (0.6, 0.6),
        "new": (0.75, 0.75),
    },
    "diff_shanghai_science_progress_2010_2024.csv": {
        "reworded": (0.7, 0.62),
        "merged": (0.8, 0.3),
        "new": (0.65, 0.85),
        "dropped": (0.55, 0.85),
    },
}


def next_version(lines: list[str]) -> list[str]:
    """The county plan edited: the EDITS made, task （十三） dropped, task （十） moved from
    section 三 to the start of section 四, ADDED_TASK appended to the last section."""
    edited = []
    for line in lines:
        for number, old, new in EDITS:
            if line.startswith(number):
                assert old in line
                line = line.replace(old, new)
        edited.append(line)
    moved = next(line for line in edited if line.startswith("（十）"))
    edited = [line for line in edited if not line.startswith(("（十三）", "（十）"))]
    edited.insert(edited.index("四、健全完善突发事件应对机制") + 1, moved)
    last = max(i for i, line in enumerate(edited) if line.startswith("（二十六）"))
    return edited[: last + 1] + [ADDED_TASK] + edited[last + 1 :]


@pytest.fixture(scope="module")
def plan_versions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("versions")
    lines = COUNTY_PLAN.read_text(encoding="utf-8").splitlines()
    old, new = folder / "plan-2024.txt", folder / "plan-2025.txt"
    old.write_text("\n".join(lines), encoding="utf-8")
    new.write_text("\n".join(next_version(lines)), encoding="utf-8")
    return old, new


@pytest.fixture(scope="module")
def plan_diff(plan_versions):
    return diff_documents(*plan_versions)


def test_each_edit_of_the_plan_gets_its_class(plan_diff):
    diff = plan_diff.diff
    changed = diff[diff["classes"] != "unchanged"]
    assert dict(zip(changed["old_numbers"] + ">" + changed["new_numbers"], changed["classes"])) == {
        "（一）>（一）": "reworded;strengthened",
        "（二）>（二）": "reworded",
        "（六）>（六）": "unchanged;units_reassigned",
        "（十）>（十）": "unchanged;moved",
        "（十三）>": "dropped",
        "（二十六）>（二十六）": "reworded;targets_changed",
        ">（二十七）": "new",
    }
    assert (diff["classes"] == "unchanged").sum() == 26 - 6


def test_the_changes_are_described(plan_diff):
    row = plan_diff.diff.set_index("new_numbers").loc
    assert row["（一）", "strengthened"] == "推进（promote）→ 全面落实（mandatory）：机构、职能、权限、程序、责任法定化"
    assert row["（六）", "units_reassigned"] == "lead −旗政府办"
    assert row["（二十六）", "targets_changed"] == "不少于60学时 → 不少于80学时"
    assert row["（十）", "moved"] == "三、 提升行政执法工作质量 → 四、 健全完善突发事件应对机制"
    passages = plan_diff.tables["version_passages"]
    group = row["（二）", "group"]
    assert passages[passages["group"] == group][["operation", "new_passage"]].values.tolist() == [
        ["insert", "、智能化"]
    ]


def test_the_summary_counts_then_lists_by_section(plan_diff):
    lines = plan_diff.summary.splitlines()
    assert lines[1] == "  unchanged 22 · reworded 3 · split 0 · merged 0 · new 1 · dropped 1"
    assert lines[2] == "  strengthened 1 · softened 0 · units reassigned 1 · targets changed 1 · moved 1"
    assert "  dropped: （十三） → —" in lines
    assert lines.index("四、 健全完善突发事件应对机制") < lines.index("  unchanged, moved: （十） → （十）")


def test_diff_command_writes_tables_and_the_side_by_side_page(plan_versions, tmp_path):
    out = tmp_path / "diff"
    result = runner.invoke(app, ["diff", *map(str, plan_versions), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "reworded, targets changed: （二十六） → （二十六）" in result.stdout
    table = pd.read_csv(out / "version_diff.csv", encoding="utf-8-sig", keep_default_na=False)
    assert len(table) == 27 and set(table["change"]) == {"unchanged", "reworded", "new", "dropped"}
    page = (out / "diff.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in page and "<script" not in page
    assert "不少于<del>6</del>0学时" in page and "不少于<ins>8</ins>0学时" in page


@pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"{CHROMIUM} not installed")
def test_diff_page_in_chromium_shows_both_versions_without_errors(plan_diff, tmp_path):
    write_diff_outputs(plan_diff, tmp_path / "diff", workbook=False)
    browser = DevTools(tmp_path / "chromium-profile")
    try:
        session = browser.open((tmp_path / "diff" / "diff.html").as_uri())
        assert browser.problems(session) == []
        shown = browser.text(session)
        assert "旧 OLD · 2024-07-05" in shown and "建立法治督察工作机制" in shown
    finally:
        browser.close()


def test_run_says_when_two_inputs_are_versions_of_one_document(plan_versions, tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    for path in plan_versions:
        shutil.copy(path, folder)
    notes = version_notes(read([folder]).documents)
    assert len(notes) == 1 and notes[0].startswith(
        "2 versions of 阿拉善左旗2024年法治政府建设工作计划 (plan-2024, plan-2025)"
    )
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out"), "--no-workbook"])
    assert result.exit_code == 0, result.output
    assert re.search(r"note: 2 versions of .*guanche diff \S*plan-2024.txt \S*plan-2025.txt", result.stderr)


def gold_labels(old: pd.Series, new: pd.Series, classes: pd.Series) -> dict[tuple[str, str], str]:
    """(side, article number) → class, from rows of ";"-separated article lists."""
    labels = {}
    for olds, news, change in zip(old, new, classes):
        labels |= {("old", a): change for a in str(olds).split(";") if a}
        labels |= {("new", a): change for a in str(news).split(";") if a}
    return labels


def aligned_pairs(old: pd.Series, new: pd.Series) -> set[tuple[str, str]]:
    """Every (OLD article, NEW article) pair the rows align."""
    return {
        (a, b) for olds, news in zip(old, new) for a in str(olds).split(";") if a for b in str(news).split(";") if b
    }


def precision_recall(found: set, expected: set) -> tuple[float, float]:
    """Precision and recall of ``found`` against ``expected`` (1.0 when there is nothing to find)."""
    shared = len(found & expected)
    return (shared / len(found) if found else 1.0, shared / len(expected) if expected else 1.0)


@needs_lawrefbook
@pytest.mark.parametrize("gold_file", sorted(LAW_PAIRS))
def test_law_versions_align_like_the_gold(gold_file):
    gold = pd.read_csv(GOLD / gold_file, keep_default_na=False)
    old, new = (LAWREFBOOK / path for path in LAW_PAIRS[gold_file])
    diff = diff_documents(old, new).diff
    precision, recall = precision_recall(
        aligned_pairs(diff["old_numbers"], diff["new_numbers"]), aligned_pairs(gold["old_article"], gold["new_article"])
    )
    assert precision >= ALIGNMENT_FLOORS[gold_file][0] and recall >= ALIGNMENT_FLOORS[gold_file][1]
    found = gold_labels(diff["old_numbers"], diff["new_numbers"], diff["change"])
    expected = gold_labels(gold["old_article"], gold["new_article"], gold["class"])
    assert found.keys() == expected.keys()  # every article once
    for change, (precision_floor, recall_floor) in CLASS_FLOORS[gold_file].items():
        precision, recall = precision_recall(
            {k for k, v in found.items() if v == change}, {k for k, v in expected.items() if v == change}
        )
        assert precision >= precision_floor and recall >= recall_floor, change
