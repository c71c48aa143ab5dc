"""The HTML report on real runs: content, escaping, offline-only resources, atomic writing, and
the page as headless Chromium renders it (no console errors, every task title, CJK fonts)."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pipeline import api
from pipeline.document.manifest import Manifest, ManifestEntry
from pipeline.errors import InputError, OutputError
from pipeline.outputs import report, views
from pipeline.outputs import writer as export
from tests.conftest import needs_chromium, needs_cjk_font, needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN, GOLD, REPO, county_gold_assignments
from tests.support.devtools import DevTools

SCREENSHOT = REPO / "tests" / "artifacts" / "report.png"  # git-ignored: for a person to look at
LARGE_SCREENSHOT = REPO / "tests" / "artifacts" / "report_corpus.png"
SEARCH_SCREENSHOT = REPO / "tests" / "artifacts" / "report_corpus_search.png"  # docs/report-search.png is one
COUNTY_PARENTS = ("内蒙古自治区2024年法治政府建设工作计划", "阿拉善盟2024年法治政府建设工作计划")
EXTERNAL = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(""", re.IGNORECASE)


@pytest.fixture(scope="module")
def county_tables():
    tables = api.read(COUNTY_PLAN.parent)
    assert not tables.failures
    return tables


@pytest.fixture(scope="module")
def county_report(tmp_path_factory):
    """The report ``guanche report`` writes for a copy of data/raw/."""
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(COUNTY_PLAN, raw)
    shutil.copy(COUNTY_PLAN.parent / "manifest.toml", raw)
    path, failures = report.report_command([raw], raw.parent / "out" / "report.html")
    assert not failures
    return path


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def gold_task_units(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The county plan's hand-checked assignments (tests/data/gold) as a task_units table."""
    gold = county_gold_assignments()
    tasks = tables["tasks"].set_index("number")
    return pd.DataFrame(
        {
            "doc_id": gold["task_number"].map(tasks["doc_id"]),
            "task_id": gold["task_number"].map(tasks["task_id"]),
            "order": gold["order"],
            "mention": gold["mention"],
            "unit": gold["canonical"],
            "unit_id": gold["canonical"],
            "role": gold["role"],
            "collective": gold["collective"],
            "type": gold["type"],
            "jurisdiction": "阿拉善左旗",
        }
    )


def test_report_shows_the_26_task_titles_in_their_sections(county_report, county_tables):
    page = soup(county_report.read_text(encoding="utf-8"))
    rows = page.select("#tasks tbody tr")
    titles = [row.select("td")[1].get_text() for row in rows if row.select("td")]
    assert titles == county_tables["tasks"]["title"].tolist()
    assert len(titles) == 26 and titles[12] == "引导、规范基层组织和社会力量参与突发事件应对"
    assert [row.get_text() for row in rows if "section" in row.get("class", [])][0] == "一、 健全政府机构职能体系"


def test_report_names_the_lead_and_support_units_when_the_run_has_them(county_report, county_tables):
    page = soup(county_report.read_text(encoding="utf-8"))
    assert len(page.select("#tasks thead th")) == 5  # number, task, lead units, support units, strength
    first = [row for row in page.select("#tasks tbody tr") if row.select("td")][0].select("td")
    assignments = views.task_assignments(county_tables).iloc[0]
    assert (first[2].get_text(), first[3].get_text()) == (assignments["lead_units"], assignments["support_units"])
    chart = page.select_one("#workload svg").get_text()
    for unit in views.workload_by_unit(county_tables)["unit"]:
        assert unit in chart


def test_workload_chart_and_task_table_follow_the_task_units_table(county_tables):
    tables = {**county_tables, "task_units": gold_task_units(county_tables)}
    page = soup(report.render_report(tables))
    first = [row for row in page.select("#tasks tbody tr") if row.select("td")][0].select("td")
    assert [cell.get_text() for cell in first] == [
        "（一）",
        "推进政府机构职能优化协同高效",
        "旗委编办、旗政务服务局",
        "各有关部门",
        "strengthen、promote",  # its obligations' strengths, strongest first
    ]
    bars = {
        label.get_text(): value.get_text()
        for label, value in zip(
            page.select("#workload svg text[text-anchor=end]"), page.select("#workload svg text.value")
        )
    }
    assert bars["旗司法局"] == "14 / 1"  # leads 14 tasks, supports 1 (gold)
    assert "各有关部门" not in bars  # collective mentions are not a unit's workload
    assert list(bars)[0] == "旗司法局"


def test_missing_parents_notice_names_the_parent_plans_and_where_to_put_them(county_report):
    notice = soup(county_report.read_text(encoding="utf-8")).select_one("#missing-parents")
    assert notice is not None
    assert [item.get_text() for item in notice.select("li")] == [f"《{title}》" for title in COUNTY_PARENTS]
    assert "data/raw/" in notice.get_text()


def test_report_loads_nothing_from_anywhere(county_report):
    html = county_report.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html)
    page = soup(html)
    assert not page.select("link, iframe, img, object, embed, script[src]")
    policy = page.select_one('meta[http-equiv="Content-Security-Policy"]')["content"]
    assert policy.startswith("default-src 'none';")
    (script,) = page.select("script")  # the search, allowed by its hash and nothing else
    digest = base64.b64encode(hashlib.sha256(script.string.encode("utf-8")).digest()).decode()
    assert policy.endswith(f"script-src 'sha256-{digest}'")
    assert "Noto Sans CJK SC" in page.select_one("style").get_text()


def test_document_text_is_escaped(county_tables):
    tasks = county_tables["tasks"].copy()
    tasks.loc[0, "title"] = '<script>alert("x")</script> & <b>'
    html = report.render_report({**county_tables, "tasks": tasks})
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert html.count("<script") == 1  # only the search's own


def test_parts_appear_only_for_tables_the_run_has(county_tables):
    structure_only = {name: county_tables[name] for name in ("documents", "sections", "tasks")}
    page = soup(report.render_report(structure_only))
    assert [section.get("id") for section in page.select("section")] == [
        "summary",
        "missing-parents",
        "documents",
        "sections",
        "tasks",
    ]
    empty = {
        "targets": pd.DataFrame(columns=["obligation_id", "kind", "value", "unit_of_measure", "comparator", "text"]),
        "citations": pd.DataFrame(columns=["doc_id", "task_id", "cited_title", "kind", "resolved_doc_id"]),
    }
    page = soup(report.render_report({**structure_only, **empty}))
    assert "No quantified target or deadline was found." in page.select_one("#targets").get_text()
    assert "No document is cited." in page.select_one("#citations").get_text()


def test_same_tables_give_the_same_bytes(county_tables):
    assert report.render_report(county_tables) == report.render_report(county_tables)


def test_failed_write_keeps_the_previous_report(county_tables, tmp_path, monkeypatch):
    out = tmp_path / "report.html"
    out.write_text("previous", encoding="utf-8")

    def disk_full(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", disk_full)
    with pytest.raises(OutputError, match="report.html: cannot be written"):
        report.write_report(county_tables, out)
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]
    assert out.read_text(encoding="utf-8") == "previous"


def test_report_command_without_readable_input_writes_nothing(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no report written"):
        report.report_command([tmp_path], tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


@pytest.fixture(scope="module")
def jinan_tables():
    """济南 and 山东 regulations, linked as the hand-checked gold links say (a stand-in for the
    links and coverage stages, so the coverage parts are checked against known answers)."""
    laws = CORPUS / "laws"
    files = {
        "jinan": laws / "jinan-2022-optimize-business-environment-regulation.md",
        "shandong": laws / "shandong-2020-optimize-business-environment-regulation.md",
    }
    manifest = Manifest(
        [
            ManifestEntry("jinan", files["jinan"].resolve(), parents=("shandong",)),
            ManifestEntry("shandong", files["shandong"].resolve()),
        ]
    )
    tables = dict(api.read(list(files.values()), manifest=manifest))
    tasks = tables["tasks"]
    ids = {doc_id: dict(zip(group["number"], group["task_id"])) for doc_id, group in tasks.groupby("doc_id")}
    gold = pd.read_csv(GOLD / "links_jinan_to_shandong.csv", keep_default_na=False)
    links = [
        {
            "child_doc_id": "jinan",
            "child_task_id": ids["jinan"][row.child_article],
            "parent_doc_id": "shandong",
            "parent_task_id": ids["shandong"][parent],
            "rank": rank,
            "score": 1.0 / rank,
            "relation": row.relation,
            "evidence": "",
        }
        for row in gold.itertuples()
        for rank, parent in enumerate(filter(None, row.parent_articles.split(";")), 1)
    ]
    tables["links"] = pd.DataFrame(links)
    parents = tasks[tasks["doc_id"] == "shandong"]
    covered = parents["task_id"].isin(tables["links"]["parent_task_id"])
    tables["coverage"] = pd.DataFrame(
        {
            "child_doc_id": "jinan",
            "parent_doc_id": "shandong",
            "parent_task_id": parents["task_id"],
            "kind": "article",
            "boilerplate": False,
            "covered": covered,
            "best_child_doc_id": None,
            "best_child_task_id": None,
            "score": None,
        }
    )
    tables["coverage_documents"] = pd.DataFrame(
        {
            "child_doc_id": ["jinan"],
            "parent_doc_id": ["shandong"],
            "directives": [len(parents)],
            "covered": [int(covered.sum())],
            "share": [covered.mean()],
        }
    )
    by_section = parents.assign(covered=covered).groupby("section_id", sort=False)["covered"].agg(["size", "sum"])
    tables["coverage_sections"] = (
        tables["sections"]
        .set_index("section_id")
        .loc[by_section.index]
        .reset_index()
        .assign(
            child_doc_id="jinan",
            parent_doc_id="shandong",
            directives=by_section["size"].to_numpy(),
            covered=by_section["sum"].to_numpy(),
        )
    )
    local = tasks[(tasks["doc_id"] == "jinan") & ~tasks["task_id"].isin(tables["links"]["child_task_id"])]
    tables["local_additions"] = local.assign(boilerplate=False)
    return tables, gold


@needs_corpus
def test_coverage_parts_list_gaps_and_local_additions(jinan_tables):
    tables, gold = jinan_tables
    page = soup(report.render_report(tables))
    assert page.select_one("#missing-parents") is None
    local = {row.select("td")[2].get_text() for row in page.select("#coverage table")[2].select("tbody tr")}
    assert local == set(gold.loc[gold["relation"] == "none", "child_article"])
    named = {parent for parents in gold["parent_articles"] for parent in parents.split(";") if parent}
    shandong = tables["tasks"][tables["tasks"]["doc_id"] == "shandong"]["number"]
    gaps = [row.select("td")[3].get_text() for row in page.select("#coverage table")[1].select("tbody tr")]
    assert gaps == [number for number in shandong if number not in named]
    summary = page.select("#coverage table")[0].select("tbody td")
    assert [cell.get_text() for cell in summary] == [
        "济南市优化营商环境条例",
        "山东省优化营商环境条例",
        "67",
        str(67 - len(gaps)),
        str(len(gaps)),
        f"{(67 - len(gaps)) / 67:.0%}",
    ]
    assert len(page.select("#links tbody tr")) == (gold["relation"] != "none").sum()


@needs_corpus
def test_link_evidence_quotes_a_parent_sections_own_text():
    """A task can implement a parent section's lead text (the cascade links to it by section_id);
    the evidence view shows that text, not an empty cell."""
    files = [COUNTY_PLAN, CORPUS / "national" / "guobanfa-1996-032.html"]
    tables = dict(api.read(files, manifest=Manifest()))
    sections, tasks = tables["sections"], tables["tasks"]
    lead = sections[(sections["doc_id"] == "guobanfa-1996-032") & (sections["number"] == "三、")].iloc[0]
    child = tasks[tasks["doc_id"] != "guobanfa-1996-032"].iloc[0]
    tables["links"] = pd.DataFrame(
        [
            {
                "child_doc_id": child["doc_id"],
                "child_task_id": child["task_id"],
                "parent_doc_id": "guobanfa-1996-032",
                "parent_task_id": lead["section_id"],
                "rank": 1,
                "score": 0.5,
                "relation": "topical",
                "evidence": "",
            }
        ]
    )
    evidence = views.link_evidence(tables).iloc[0]
    assert (evidence["parent_number"], evidence["parent_title"]) == ("三、", "加强领导，明确职责")
    assert evidence["parent_text"] == lead["text"] and evidence["parent_text"]


# --- the page in a real browser ------------------------------------------------------------------


@pytest.fixture()
def browser(tmp_path):
    devtools = DevTools(tmp_path / "chromium-profile")
    yield devtools
    devtools.close()


@needs_chromium
def test_browser_check_catches_console_errors_and_requests(browser, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>中文</p>'
        '<img src="http://example.invalid/x.png">'
        '<script>console.error("logged"); throw new Error("thrown")</script></body></html>',
        encoding="utf-8",
    )
    found = browser.problems(browser.open(page.as_uri()))
    assert "console.error: logged" in found
    assert any(problem.startswith("uncaught: Error: thrown") for problem in found)
    assert "request: http://example.invalid/x.png" in found


@needs_chromium
@needs_cjk_font
def test_report_in_chromium_has_no_errors_shows_tasks_and_units_in_a_cjk_font(
    browser, county_report, county_tables, tmp_path
):
    session = browser.open(county_report.as_uri())
    assert browser.problems(session) == []
    shown = browser.text(session)
    for title in county_tables["tasks"]["title"]:
        assert title in shown
    workload = views.workload_by_unit(county_tables)
    assert len(workload) == 23
    for unit in workload["unit"]:
        assert unit in shown
    for parent in COUNTY_PARENTS:
        assert parent in shown
    for selector in ("h1", "#tasks tbody td:nth-child(2)", "#missing-parents li"):
        fonts = browser.fonts(session, selector)
        assert fonts and all(re.search(r"CJK|Han|WenQuanYi|YaHei|PingFang", font["familyName"]) for font in fonts), (
            fonts
        )
    shot = browser.screenshot(session, tmp_path / "report.png")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENSHOT)
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_report_is_readable_by_the_people_it_is_handed_to(county_tables, tmp_path):
    out = report.write_report(county_tables, tmp_path / "report.html")
    assert out.stat().st_mode & 0o044 == 0o044  # group and others may read it (umask 022)
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]


def filter_tasks(browser: DevTools, session: str, **fields: str) -> list[str]:
    """Set the filter form's fields (q, doc, section, unit, strength) as a reader would, and
    return the titles of the task rows left visible."""
    for name, value in fields.items():
        browser.evaluate(
            session,
            f"var form = document.getElementById('filter'); form.elements[{name!r}].value = {value!r};"
            "form.dispatchEvent(new Event('input', {bubbles: true}));",
        )
    return browser.evaluate(
        session,
        "Array.from(document.querySelectorAll('#tasks tr[data-doc]')).filter(row => !row.hidden)"
        ".map(row => row.cells[1].textContent)",
    )


@needs_chromium
def test_search_finds_a_task_by_a_units_name_and_filters_hide_and_show_rows(browser, county_report, county_tables):
    session = browser.open(county_report.as_uri())
    assert browser.evaluate(session, "document.getElementById('filter').hidden") is False
    assert filter_tasks(browser, session, q="旗卫健委") == ["全面提升行政执法质效"]  # a supporting unit of （九）
    assert browser.evaluate(session, "document.getElementById('filter-count').textContent") == "1 / 26"
    headings = "Array.from(document.querySelectorAll('#tasks tr.section')).filter(row => !row.hidden).length"
    assert browser.evaluate(session, headings) == 1  # only the section of （九） keeps its heading
    titles = county_tables["tasks"]["title"].tolist()
    assert filter_tasks(browser, session, q="") == titles
    assert filter_tasks(browser, session, section="s3") == titles[7:10]  # 三、 提升行政执法工作质量
    obligations = county_tables["obligations"]
    exploring = set(obligations.loc[obligations["strength"] == "explore", "task_id"])
    assert filter_tasks(browser, session, section="", strength="explore") == [
        title for title, task_id in zip(titles, county_tables["tasks"]["task_id"]) if task_id in exploring
    ]
    unit = browser.evaluate(session, "document.querySelector('#filter select[name=unit] option:nth-child(2)').value")
    assert len(filter_tasks(browser, session, strength="", unit=unit)) == 14 + 1  # 旗司法局 leads 14, supports 1
    assert browser.problems(session) == []


@needs_chromium
def test_with_scripts_off_every_task_is_visible_and_no_control_shows(browser, county_report):
    session = browser.open(county_report.as_uri(), scripts=False)
    assert browser.evaluate(session, "document.getElementById('filter').hidden") is True  # the script did not run
    shown = browser.text(session)
    assert "搜索 search" not in shown and "全面提升行政执法质效" in shown
    assert browser.problems(session) == []


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory):
    """The report of the whole shared corpus (66+ documents, some with their parents)."""
    path, _ = report.report_command([CORPUS], tmp_path_factory.mktemp("corpus") / "report.html")
    return path


@needs_corpus
def test_large_report_banner_speaks_of_the_documents_without_parents_and_agrees_with_the_figures(corpus_report):
    page = soup(corpus_report.read_text(encoding="utf-8"))
    tables = api.read(CORPUS)
    missing = views.missing_parents(tables)
    notice = page.select_one("#missing-parents")
    named = {paragraph.get_text().split("》 names")[0].lstrip("《") for paragraph in notice.select("details p")}
    assert named == {str(title) for title in missing["title"]}
    pairs = len(views.coverage_summary(tables))
    assert pairs and f"count only the {pairs} document pair(s) whose parent was read" in notice.get_text()
    assert "no coverage" not in notice.get_text()
    assert "上级要求覆盖 coverage" in page.select_one("#summary").get_text()
    contents = [link["href"] for link in page.select("#contents a")]
    assert "#tasks" in contents and "#doc-1" in contents and len(page.select("#tasks nav.toc")) >= 10


@needs_chromium
@needs_corpus
def test_large_report_in_chromium_searches_keeps_numbers_whole_and_is_screenshot(browser, corpus_report, tmp_path):
    session = browser.open(corpus_report.as_uri())
    assert browser.problems(session) == []
    lines = browser.evaluate(
        session,
        "Array.from(document.querySelectorAll('#documents td.nowrap')).filter(cell => cell.textContent.includes('号'))"
        ".map(cell => { var range = document.createRange(); range.selectNodeContents(cell);"
        " return range.getClientRects().length; })",
    )
    assert len(lines) > 20 and set(lines) == {1}  # every document number on one line
    total = browser.evaluate(session, "document.querySelectorAll('#tasks tr[data-doc]').length")
    assert total > 1000
    shot = browser.screenshot(session, tmp_path / "report_corpus.png")
    LARGE_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, LARGE_SCREENSHOT)
    found = filter_tasks(browser, session, q="司法局", strength="mandatory")
    assert "全面提升行政执法质效" in found and len(found) < total
    documents = "Array.from(document.querySelectorAll('#tasks details')).filter(part => !part.hidden).length"
    assert 1 <= browser.evaluate(session, documents) < 10  # the documents without a match are hidden
    top = browser.evaluate(session, "document.getElementById('tasks').getBoundingClientRect().top + window.scrollY")
    searched = browser.screenshot(session, SEARCH_SCREENSHOT, top=top - 16, height=820)
    assert shot.read_bytes().startswith(b"\x89PNG") and searched.read_bytes().startswith(b"\x89PNG")
    assert browser.problems(session) == []
