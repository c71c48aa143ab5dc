"""One self-contained HTML report of a run, for analysts to read and hand on.

The report is a single file with inline CSS and inline SVG charts: no scripts, no fonts, images
or styles fetched from anywhere (a Content-Security-Policy forbids it), so it opens offline.
Chinese text uses the CJK fonts installed on the reader's computer (Noto Sans CJK, Source Han,
WenQuanYi, Microsoft YaHei, PingFang). Every part is drawn only when the run has the table it
comes from; every text from the documents is escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

import pandas as pd

from pipeline.api import read
from pipeline.cascade.linker import EVIDENCE_SEPARATOR
from pipeline.config import default_out_dir, default_raw_dir
from pipeline.errors import InputError
from pipeline.outputs import search, views
from pipeline.outputs.writer import write_file_atomically
from pipeline.stages.corpus import InputFailure

REPORT_NAME = "report.html"
FONT_STACK = (
    '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", '
    '"Source Han Sans SC", "Source Han Sans CN", "Microsoft YaHei", "PingFang SC", sans-serif'
)
CONTENT_POLICY = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '{search.SCRIPT_HASH}'"
STRENGTHS = ("prohibition", "mandatory", "strengthen", "promote", "explore", "permission")  # strongest first
_PART_HEADING = re.compile(r'<section id="([\w-]+)"[^>]*><h2>(.*?)</h2>')
ROLE_NAMES = ("牵头 lead", "配合/责任 support")
COVERAGE_NAMES = ("已覆盖 covered", "缺口 gap")

REPORT_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --accent: #a4262c; --accent-soft: #e8b4b0;
        --paper: #ffffff; --shade: #f6f8fa; --notice: #fff4e5; --notice-line: #d4861d; }
* { box-sizing: border-box; }
body { font-family: FONTS; color: var(--ink); background: var(--paper); margin: 0; line-height: 1.6; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
.sub, .note { color: var(--muted); font-size: 13px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 0; padding: 0; list-style: none; }
.figures li { background: var(--shade); border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 120px; }
.figures b { display: block; font-size: 26px; color: var(--accent); }
.figures span { font-size: 13px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--shade); font-weight: 600; white-space: nowrap; }
tr.section th { background: #fbeeed; color: var(--accent); font-weight: 600; }
td.num { white-space: nowrap; color: var(--muted); }
td.score { text-align: right; font-variant-numeric: tabular-nums; }
.notice { background: var(--notice); border-left: 5px solid var(--notice-line); padding: 12px 18px; margin: 16px 0; }
.notice h2 { border: 0; margin: 0 0 6px; font-size: 18px; }
code { background: var(--shade); padding: 1px 4px; border-radius: 3px; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: FONTS; font-size: 13px; }
svg.chart .s0 { fill: var(--accent); } svg.chart .s1 { fill: var(--accent-soft); }
svg.chart text { fill: var(--ink); } svg.chart text.value { fill: var(--muted); font-size: 12px; }
details summary { cursor: pointer; font-weight: 600; margin: 12px 0 4px; }
blockquote { margin: 4px 0; padding: 4px 10px; border-left: 3px solid var(--line); font-size: 13px; }
td.nowrap { white-space: nowrap; }
nav.toc { font-size: 13px; columns: 2 260px; margin: 4px 0 12px; }
nav.toc a { color: var(--accent); text-decoration: none; } nav.toc a:hover { text-decoration: underline; }
nav.toc ol { margin: 0; padding-left: 20px; }
form.filter { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center;
              background: var(--paper); border-bottom: 1px solid var(--line); padding: 8px 0; font-size: 13px; }
form.filter[hidden] { display: none; } form.filter select { max-width: 220px; } form.filter output { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
""".replace("FONTS", FONT_STACK)


def _text(value) -> str:
    """A cell as escaped text: missing values are blank, scores have two decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return escape(str(value))


def _table(
    frame: pd.DataFrame, headers: dict[str, str], *, numeric: tuple[str, ...] = (), nowrap: tuple[str, ...] = ()
) -> str:
    """An HTML table of ``frame``'s columns named in ``headers`` (column → heading); the
    ``numeric`` columns right-aligned, the ``nowrap`` ones never broken across lines."""
    head = "".join(f"<th>{escape(title)}</th>" for title in headers.values())
    classes = dict.fromkeys(numeric, "score") | dict.fromkeys(nowrap, "nowrap")
    rows = []
    for record in frame[list(headers)].itertuples(index=False):
        cells = "".join(
            f'<td class="{classes[column]}">{_text(value)}</td>' if column in classes else f"<td>{_text(value)}</td>"
            for column, value in zip(headers, record)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def bar_chart(rows: Sequence[tuple[str, tuple[int, ...]]], series: tuple[str, ...], *, caption: str) -> str:
    """Horizontal stacked bars as inline SVG: one bar per label, one segment per series."""
    row_height, top, bar_width = 24, 30, 560
    longest = max((len(label) for label, _ in rows), default=4)
    label_width = 13 * min(longest, 16) + 16
    width = label_width + bar_width + 48
    height = top + row_height * len(rows) + 6
    biggest = max((sum(values) for _, values in rows), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(caption)}"><title>{escape(caption)}</title>'
    ]
    x: float = label_width
    for index, name in enumerate(series):
        parts.append(
            f'<rect class="s{index}" x="{x}" y="6" width="14" height="14"/>'
            f'<text x="{x + 20}" y="18">{escape(name)}</text>'
        )
        x += 20 + 13 * len(name) + 24
    for position, (label, values) in enumerate(rows):
        y = top + position * row_height
        shown = escape(label) if len(label) <= 16 else f"<title>{escape(label)}</title>{escape(label[:15])}…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{shown}</text>')
        x = float(label_width)
        for index, value in enumerate(values):
            if value:
                span = value / biggest * bar_width
                parts.append(
                    f'<rect class="s{index}" x="{x:.1f}" y="{y + 4}" width="{span:.1f}" height="16">'
                    f"<title>{escape(label)}: {escape(series[index])} {value}</title></rect>"
                )
                x += span
        parts.append(f'<text class="value" x="{x + 6:.1f}" y="{y + 16}">{" / ".join(map(str, values))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _figures(tables: dict[str, pd.DataFrame], workload: pd.DataFrame | None, coverage: pd.DataFrame | None) -> str:
    figures: list[tuple[int | str, str]] = [
        (len(tables["documents"]), "文件 documents"),
        (len(tables["sections"]), "部分 sections"),
        (len(tables["tasks"]), "任务 tasks"),
    ]
    if workload is not None:
        figures.append((len(workload), "责任单位 units"))
    for name, label in (
        ("obligations", "义务 obligations"),
        ("targets", "指标与时限 targets & deadlines"),
        ("citations", "引用 citations"),
        ("links", "上下级对应 links"),
    ):
        if name in tables and (name != "links" or len(tables[name])):
            figures.append((len(tables[name]), label))
    if coverage is not None and len(coverage):
        share = coverage["covered"].sum() / coverage["directives"].sum()
        figures.append((f"{share:.0%}", "上级要求覆盖 coverage"))
    items = "".join(f"<li><b>{escape(str(value))}</b><span>{escape(label)}</span></li>" for value, label in figures)
    return f'<section id="summary"><ul class="figures">{items}</ul></section>'


def _documents(tables: dict[str, pd.DataFrame]) -> str:
    documents = tables["documents"].copy()
    counts = tables["tasks"].groupby("doc_id").size()
    documents["n_tasks"] = documents["doc_id"].map(counts).fillna(0).astype(int)
    headers = {
        "title": "标题 title",
        "issuer": "发文机关 issuer",
        "level": "层级 level",
        "region": "地区 region",
        "issued_on": "成文日期 issued",
        "doc_number": "文号 number",
        "n_tasks": "任务 tasks",
        "parents": "上级文件 parents",
    }
    table = _table(documents, headers, nowrap=("issued_on", "doc_number"))
    return f'<section id="documents"><h2>文件 Documents</h2>{table}</section>'


def _missing_parents(tables: dict[str, pd.DataFrame], coverage: pd.DataFrame | None) -> str:
    """The notice on the documents whose named parents were not read: those documents and
    parents only, and what that leaves out, in agreement with the coverage figures (which
    count only the pairs whose parent was read)."""
    missing = views.missing_parents(tables)
    if missing.empty:
        return ""
    blocks = []
    for (doc_id, title), parents in missing.groupby(["doc_id", "title"], sort=False):
        names = "".join(f"<li>《{escape(name)}》</li>" for name in parents["parent"])
        blocks.append(
            f"<p>《{escape(str(title or doc_id))}》 names {len(parents)} parent plan(s) that are not in "
            f"this run:</p><ul>{names}</ul>"
        )
    documents = missing["doc_id"].nunique()
    listed = "".join(blocks)
    if documents > 3:
        listed = f"<details><summary>{documents} documents, {len(missing)} parent plans</summary>{listed}</details>"
    measured = 0 if coverage is None else len(coverage)
    consequence = (
        f"The coverage figures of this report count only the {measured} document pair(s) whose parent was read."
        if measured
        else "So this report has no coverage, gaps or local additions."
    )
    return (
        '<section id="missing-parents" class="notice" role="note"><h2>上级文件未读入 · Parent plans not read</h2>'
        f"{listed}"
        f"<p>Without them guanche cannot link {'this document’s' if documents == 1 else 'these documents’'} tasks "
        f"to the directives of those plans. {consequence}</p>"
        "<p>请将上级文件放入 <code>data/raw/</code> 后重新生成报告。Put the parent files (.txt .md .html .docx "
        ".pdf) in <code>data/raw/</code> (or the folder you give <code>guanche report</code>) and run the "
        "report again.</p></section>"
    )


def _task_strengths(tables: dict[str, pd.DataFrame]) -> dict[str, list[str]] | None:
    """task_id → the commitment strengths of its obligations, strongest first; None when the
    run has no obligations table."""
    obligations = tables.get("obligations")
    if obligations is None:
        return None
    rank = {strength: position for position, strength in enumerate(STRENGTHS)}
    found = obligations.dropna(subset=["strength"]).drop_duplicates(["task_id", "strength"])
    found = found.sort_values("strength", key=lambda strength: strength.map(rank).fillna(len(rank)), kind="stable")
    return {task_id: list(group["strength"]) for task_id, group in found.groupby("task_id", sort=False)}


def _task_filters(
    tables: dict[str, pd.DataFrame], tasks: pd.DataFrame, strengths: dict | None
) -> tuple[str, dict[str, dict[str, str]]]:
    """The search form with the choices of this run (documents, sections, units busiest
    first, strengths) and, per filter, the short code of each choice (d1, s1, u1, the strength
    itself) that the task rows carry, to keep a large page small."""
    titles = views.document_titles(tables)
    units = views.workload_by_unit(tables)
    present = {strength for values in (strengths or {}).values() for strength in values}
    labels = {
        "doc": {doc_id: titles[doc_id] for doc_id in dict.fromkeys(tasks["doc_id"])},
        "section": {section: section for section in dict.fromkeys(tasks["section"])},
        "unit": {} if units is None else {unit: unit for unit in units["unit"]},
    }
    codes = {key: {value: f"{key[0]}{n}" for n, value in enumerate(choices, 1)} for key, choices in labels.items()}
    codes["strength"] = {strength: strength for strength in STRENGTHS if strength in present}
    labels["strength"] = codes["strength"]
    options = {key: [(codes[key][value], label) for value, label in labels[key].items()] for key in labels}
    return search.filter_form(options), codes


def _task_row(task, width: int, strengths: dict | None, units: list[str], codes: dict[str, dict[str, str]]) -> str:
    """One task as a table row, with the codes the filters read (:func:`_task_filters`)."""
    cells = f'<td class="num">{_text(task.number)}</td><td>{_text(task.title)}</td>'
    if width >= 4:
        cells += f"<td>{_text(task.lead_units)}</td><td>{_text(task.support_units)}</td>"
    own = [] if strengths is None else strengths.get(task.task_id, [])
    if strengths is not None:
        cells += f"<td>{escape('、'.join(own))}</td>"
    values = {"doc": [task.doc_id], "section": [task.section], "unit": units, "strength": own}
    attributes = search.row_attributes(
        {key: [codes[key][value] for value in found if value in codes[key]] for key, found in values.items()}
    )
    return f"<tr{attributes}>{cells}</tr>"


def _tasks(tables: dict[str, pd.DataFrame], tasks: pd.DataFrame) -> str:
    with_units = "lead_units" in tasks
    strengths = _task_strengths(tables)
    width = (4 if with_units else 2) + (strengths is not None)
    titles = views.document_titles(tables)
    head = (
        "<th>编号 no.</th><th>任务 task</th>"
        + ("<th>牵头单位 lead units</th><th>配合/责任单位 support units</th>" if with_units else "")
        + ("<th>力度 strength</th>" if strengths is not None else "")
    )
    named = tables.get("task_units")
    task_units = {} if named is None else named.groupby("task_id", sort=False)["unit"].agg(list).to_dict()
    form, codes = _task_filters(tables, tasks, strengths)
    parts = ['<section id="tasks"><h2>任务分工 · Tasks and responsible units</h2>', form]
    for number, (doc_id, doc_tasks) in enumerate(tasks.groupby("doc_id", sort=False), start=1):
        if len(titles) > 1:
            parts.append(
                f'<details open id="doc-{number}"><summary>《{escape(titles[doc_id])}》: '
                f"{len(doc_tasks)} task(s)</summary>"
            )
        rows: list[str] = []
        toc: list[str] = []
        section = views.NO_SECTION
        for task in doc_tasks.itertuples(index=False):
            if task.section != section:
                section = task.section
                anchor = f"doc-{number}-s{len(toc) + 1}"
                toc.append(f'<li><a href="#{anchor}">{escape(section)}</a></li>')
                rows.append(f'<tr class="section" id="{anchor}"><th colspan="{width}">{escape(section)}</th></tr>')
            rows.append(_task_row(task, width, strengths, task_units.get(task.task_id, []), codes))
        if len(toc) > 1:
            parts.append(f'<nav class="toc" aria-label="目录 contents"><ol>{"".join(toc)}</ol></nav>')
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        if len(titles) > 1:
            parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


def _tasks_per_section(tables: dict[str, pd.DataFrame], tasks: pd.DataFrame) -> str:
    if tables["sections"].empty or len(tables["documents"]) > 1:
        return ""
    counts = tasks.groupby("section", sort=False).size()
    chart = bar_chart(
        [(section, (int(n),)) for section, n in counts.items()], ("任务 tasks",), caption="Tasks per section"
    )
    return f'<section id="sections"><h2>各部分任务数 · Tasks per section</h2>{chart}</section>'


def _section(
    section_id: str, heading: str, frame: pd.DataFrame | None, nothing_found: str, body: Callable[[pd.DataFrame], str]
) -> str:
    """A report section for one view: nothing when the run lacks the view's table, a one-line
    note when the view is empty, else ``body(frame)``."""
    if frame is None:
        return ""
    content = f'<p class="note">{nothing_found}</p>' if frame.empty else body(frame)
    return f'<section id="{section_id}"><h2>{heading}</h2>{content}</section>'


def _workload(workload: pd.DataFrame | None) -> str:
    def chart(workload: pd.DataFrame) -> str:
        bars = [(row.unit, (int(row.tasks_led), int(row.tasks_supported))) for row in workload.itertuples()]
        return (
            '<p class="note">Tasks each unit leads and supports (collective mentions such as 各有关部门 '
            "are not charted).</p>" + bar_chart(bars, ROLE_NAMES, caption="Tasks led and supported per unit")
        )

    return _section(
        "workload",
        "单位工作量 · Unit workload",
        workload,
        "No lead or support unit is named in these documents.",
        chart,
    )


def _targets(tables: dict[str, pd.DataFrame]) -> str:
    headers = {
        "number": "编号 no.",
        "task_title": "任务 task",
        "kind": "类型 kind",
        "comparator": "比较 comparator",
        "value": "数值 value",
        "unit_of_measure": "单位 unit",
        "due_date": "期限 due",
        "text": "原文 text",
    }
    return _section(
        "targets",
        "目标与时限 · Targets and deadlines",
        views.targets_and_deadlines(tables),
        "No quantified target or deadline was found.",
        lambda targets: _table(targets, {k: v for k, v in headers.items() if k in targets}),
    )


def _citations(tables: dict[str, pd.DataFrame]) -> str:
    def listing(citations: pd.DataFrame) -> str:
        citations = citations.assign(
            where=views.numbered(citations["number"], citations["task_title"]).replace("", "前言 preamble"),
            resolved=citations["resolved_title"].replace("", "not in this run"),
        )
        resolved = int((citations["resolved_title"] != "").sum())
        return (
            f'<p class="note">{resolved} of {len(citations)} citation(s) resolved to a document of this run.</p>'
            + _table(
                citations,
                {
                    "cited_title": "引用 cited",
                    "kind": "类型 kind",
                    "relation": "作用 relation",
                    "where": "出处 where",
                    "resolved": "对应文件 resolved to",
                },
            )
        )

    return _section(
        "citations", "引用文件 · Citations", views.citation_resolutions(tables), "No document is cited.", listing
    )


def _coverage(tables: dict[str, pd.DataFrame], summary: pd.DataFrame | None) -> str:
    by_section, gaps = views.coverage_by_section(tables), views.coverage_gaps(tables)
    if summary is None or summary.empty or by_section is None or gaps is None:
        return ""
    titles = views.document_titles(tables)
    parts = [
        '<section id="coverage"><h2>上级要求覆盖 · Coverage of parent directives</h2>',
        _table(
            summary.assign(share=summary["share"].map("{:.0%}".format)),
            {
                "child_title": "下级文件 child",
                "parent_title": "上级文件 parent",
                "directives": "条目 directives",
                "covered": "已覆盖 covered",
                "gaps": "缺口 gaps",
                "share": "覆盖率 share",
            },
            numeric=("directives", "covered", "gaps", "share"),
        ),
    ]
    for (child_doc_id, parent_doc_id), sections in by_section.groupby(["child_doc_id", "parent_doc_id"], sort=False):
        rows = [(row.section, (int(row.covered), int(row.directives - row.covered))) for row in sections.itertuples()]
        child = f"《{escape(titles.get(child_doc_id, child_doc_id))}》 → " if child_doc_id else ""
        parts.append(
            f"<h3>{child}《{escape(titles.get(parent_doc_id, parent_doc_id))}》 by section</h3>"
            + bar_chart(rows, COVERAGE_NAMES, caption="Parent directives covered per section")
        )
    parts.append("<h3>缺口 · Gaps: parent directives the child does not take up</h3>")
    parts.append(
        _table(
            gaps.assign(child=gaps["child_doc_id"].map(titles), parent=gaps["parent_doc_id"].map(titles)),
            {
                "child": "下级文件 child",
                "parent": "上级文件 parent",
                "section": "部分 section",
                "number": "编号 no.",
                "title": "上级要求 directive",
            },
        )
        if len(gaps)
        else '<p class="note">Every parent directive is taken up.</p>'
    )
    local = views.local_addition_tasks(tables)
    if local is not None:
        parts.append("<h3>本地新增 · Local additions: child tasks linked to no parent directive</h3>")
        parts.append(
            _table(
                local.assign(document=local["doc_id"].map(titles)),
                {"document": "文件 document", "section": "部分 section", "number": "编号 no.", "title": "任务 task"},
            )
            if len(local)
            else '<p class="note">Every child task implements a parent directive.</p>'
        )
    parts.append("</section>")
    return "".join(parts)


def _links(tables: dict[str, pd.DataFrame]) -> str:
    evidence = views.link_evidence(tables)
    if evidence is None or evidence.empty:
        return ""
    titles = views.document_titles(tables)
    parts = ['<section id="links"><h2>上下级对应 · Best link of each child task, with the shared wording</h2>']
    for (child_doc_id, parent_doc_id), pairs in evidence.groupby(["child_doc_id", "parent_doc_id"], sort=False):
        parts.append(
            f"<details open><summary>《{escape(titles.get(child_doc_id, child_doc_id))}》 → "
            f"《{escape(titles.get(parent_doc_id, parent_doc_id))}》: {len(pairs)} link(s)</summary>"
        )
        parts.append(
            _table(
                pairs.assign(
                    child=views.numbered(pairs["child_number"], pairs["child_title"]),
                    parent=views.numbered(pairs["parent_number"], pairs["parent_title"]),
                ),
                {
                    "child": "下级任务 child task",
                    "parent": "上级要求 parent directive",
                    "relation": "关系 relation",
                    "score": "得分 score",
                    "evidence": "共同表述 evidence",
                },
                numeric=("score",),
            )
        )
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


def _marked(text: str, passages: list[str]) -> str:
    """``text`` escaped, with every occurrence of the given passages in <mark>."""
    text = str(text or "")
    marked = [False] * len(text)
    for passage in passages:
        start = text.find(passage)
        while start >= 0:
            marked[start : start + len(passage)] = [True] * len(passage)
            start = text.find(passage, start + len(passage))
    parts, start = [], 0
    for end in range(1, len(text) + 1):
        if end == len(text) or marked[end] != marked[start]:
            chunk = escape(text[start:end])
            parts.append(f"<mark>{chunk}</mark>" if marked[start] else chunk)
            start = end
    return "".join(parts)


def side_by_side(pairs: pd.DataFrame) -> str:
    """An HTML table of links (rows of :func:`pipeline.outputs.views.link_evidence`): the child task's
    text beside the parent directive's, the shared wording (the evidence passages, separated by
    " … ") marked in both."""
    cell = 'style="text-align:left;vertical-align:top;width:45%"'
    rows = []
    for pair in pairs.itertuples(index=False):
        passages = [p.strip() for p in str(pair.evidence or "").split(EVIDENCE_SEPARATOR) if p.strip()]
        rows.append(
            f"<tr><td {cell}><b>{_text(pair.child_number)}</b> {_marked(pair.child_text, passages)}</td>"
            f"<td {cell}><b>{_text(pair.parent_number)}</b> {_marked(pair.parent_text, passages)}</td>"
            f'<td style="text-align:left;vertical-align:top">{_text(pair.relation)}<br>{_text(pair.score)}</td></tr>'
        )
    head = (
        f"<tr><th {cell}>下级 child</th><th {cell}>上级 parent</th>"
        '<th style="text-align:left">relation, score</th></tr>'
    )
    return f'<table style="table-layout:fixed;width:100%"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _contents(body: str, tables: dict[str, pd.DataFrame]) -> str:
    """The report's table of contents: a link to each part with a heading, and under the tasks
    the documents (each has its own list of sections there)."""
    titles = views.document_titles(tables)
    items = []
    for part, heading in _PART_HEADING.findall(body):
        documents = ""
        if part == "tasks" and len(titles) > 1:
            listed = "".join(
                f'<li><a href="#doc-{number}">{escape(title)}</a></li>'
                for number, title in enumerate(
                    (titles[doc_id] for doc_id in dict.fromkeys(tables["tasks"]["doc_id"])), 1
                )
            )
            documents = f"<ol>{listed}</ol>"
        items.append(f'<li><a href="#{part}">{heading}</a>{documents}</li>')
    return f'<nav class="toc" id="contents" aria-label="目录 contents"><ol>{"".join(items)}</ol></nav>'


def render_report(tables: dict[str, pd.DataFrame]) -> str:
    """The report of one run as a self-contained HTML page (same tables → same bytes)."""
    documents = tables["documents"]
    title = (
        str(documents["title"].iloc[0] or documents["doc_id"].iloc[0])
        if len(documents) == 1
        else f"{len(documents)} 份文件 documents"
    )
    tasks, workload, coverage = (
        views.task_assignments(tables),
        views.workload_by_unit(tables),
        views.coverage_summary(tables),
    )
    body = "".join(
        [
            _missing_parents(tables, coverage),
            _documents(tables),
            _coverage(tables, coverage),
            _tasks_per_section(tables, tasks),
            _tasks(tables, tasks),
            _workload(workload),
            _targets(tables),
            _citations(tables),
            _links(tables),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · guanche</title><style>{REPORT_CSS}</style></head><body><main>"
        f'<header><h1>{escape(title)}</h1><p class="sub">贯彻 guanche report: tasks, responsible units and '
        "links to higher-level plans</p></header>"
        f"{_figures(tables, workload, coverage)}{_contents(body, tables)}{body}"
        "<footer>Written by guanche from the tables of one run (see the CSV/XLSX outputs for every column). "
        f"This page is self-contained and opens offline.</footer></main>{search.script_tag()}</body></html>\n"
    )


def write_report(tables: dict[str, pd.DataFrame], out_file: Path) -> Path:
    """Write the report to ``out_file`` atomically (a temporary file beside it, then renamed).

    Raises :class:`OutputError` when the folder cannot be written; the previous report, if any,
    is then left as it was.
    """
    html = render_report(tables)

    def write(path: Path) -> None:
        path.write_text(html, encoding="utf-8")

    return write_file_atomically(Path(out_file), write)


def report_command(
    paths: list[Path] | None = None,
    out_file: Path | None = None,
    manifest_path: Path | None = None,
) -> tuple[Path, list[InputFailure]]:
    """``guanche report [PATHS…] [--out FILE] [--manifest FILE]``: run the pipeline, write the report.

    Inputs default to data/raw/, the report to data/processed/report.html (./guanche-output/ when
    ``paths`` are given: :func:`~pipeline.config.default_out_dir`). Returns the report's
    path and the inputs that could not be read. Raises :class:`InputError` when no input could be
    read (nothing is written then) and :class:`OutputError` when the report cannot be written.
    """
    out_file = out_file or default_out_dir(inputs_named=bool(paths)) / REPORT_NAME
    paths = list(paths or [default_raw_dir()])
    try:
        tables = read(paths, manifest=manifest_path)
    except InputError as error:
        raise InputError(error.path, f"no report written: {error.problem}", error.advice) from None
    return write_report(tables, out_file), tables.failures
