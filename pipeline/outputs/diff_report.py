"""The HTML page of ``guanche diff``: OLD and NEW side by side, section by section, in the
report's style (one self-contained file, nothing fetched: the report's Content-Security-Policy)."""

from __future__ import annotations

import difflib
from html import escape
from pathlib import Path

import pandas as pd

from pipeline.cascade.diff import VersionDiff, class_counts, section_runs
from pipeline.cascade.versions import CHANGE_CLASSES, LIST_SEPARATOR
from pipeline.outputs.report import CONTENT_POLICY, REPORT_CSS
from pipeline.outputs.writer import OutputWriter

DIFF_REPORT_NAME = "diff.html"
_DIFF_CSS = """
col.class { width: 16%; } td.old, td.new { font-size: 13px; }
del { background: #ffebe9; color: #82071e; } ins { background: #dafbe1; color: #116329; text-decoration: none; }
td.class { white-space: nowrap; font-size: 13px; } td.class small { display: block; color: var(--muted); white-space: normal; }
"""


def marked_pair(old_text: str, new_text: str) -> tuple[str, str]:
    """The two texts escaped, what only OLD has in <del> and what only NEW has in <ins> (a
    character diff)."""
    matcher = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False)
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old_parts.append(escape(old_text[i1:i2]))
            new_parts.append(escape(new_text[j1:j2]))
            continue
        if i2 > i1:
            old_parts.append(f"<del>{escape(old_text[i1:i2])}</del>")
        if j2 > j1:
            new_parts.append(f"<ins>{escape(new_text[j1:j2])}</ins>")
    return "".join(old_parts), "".join(new_parts)


def _texts(tasks: pd.DataFrame, task_ids: str) -> tuple[str, str]:
    """Numbers and joined texts of the tasks listed in ``task_ids`` (";"-separated)."""
    ids = [task_id for task_id in task_ids.split(LIST_SEPARATOR) if task_id]
    rows = tasks.set_index("task_id").loc[ids] if ids else tasks.iloc[0:0]
    numbers = "＋".join(str(number or "") for number in rows["number"])
    return numbers, "\n".join(str(text or "") for text in rows["text"])


def _row(result: VersionDiff, group) -> str:
    """One group as a table row: class and changes, OLD text, NEW text."""
    old_number, old_text = _texts(result.versions[0].tasks, group.old_task_ids)
    new_number, new_text = _texts(result.versions[1].tasks, group.new_task_ids)
    old_html, new_html = marked_pair(old_text, new_text)
    details = "".join(
        f"<small>{escape(name.replace('_', ' '))}: {escape(getattr(group, name))}</small>"
        for name in CHANGE_CLASSES
        if getattr(group, name)
    )
    return (
        f'<tr><td class="class"><b>{escape(group.change)}</b>{details}</td>'
        f'<td class="old"><b>{escape(old_number)}</b> {old_html}</td>'
        f'<td class="new"><b>{escape(new_number)}</b> {new_html}</td></tr>'
    )


def render_diff_report(result: VersionDiff) -> str:
    """The diff page of ``result`` as a self-contained HTML page (same result → same bytes)."""
    old, new = result.documents.iloc[0], result.documents.iloc[1]
    title = f"{old['title'] or old['doc_id']} → {new['title'] or new['doc_id']}"
    counts = class_counts(result.diff)
    figures = "".join(
        f"<li><b>{count}</b><span>{escape(name.replace('_', ' '))}</span></li>" for name, count in counts.items()
    )
    head = (
        "<thead><tr><th>class</th>"
        f"<th>旧 OLD · {escape(str(old['issued_on'] or old['doc_id']))}</th>"
        f"<th>新 NEW · {escape(str(new['issued_on'] or new['doc_id']))}</th></tr></thead>"
    )
    body = []
    for section, groups in section_runs(result.diff):
        body.append(f'<tr class="section"><th colspan="3">{escape(section or "—")}</th></tr>')
        body += [_row(result, group) for group in groups]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · guanche diff</title><style>{REPORT_CSS}{_DIFF_CSS}</style></head><body><main>"
        f'<header><h1>{escape(title)}</h1><p class="sub">贯彻 guanche diff: what changed from '
        f"{escape(str(old['doc_id']))} to {escape(str(new['doc_id']))}</p></header>"
        f'<ul class="figures">{figures}</ul>'
        f'<table style="table-layout:fixed"><colgroup><col class="class"><col><col></colgroup>'
        f"{head}<tbody>{''.join(body)}</tbody></table>"
        "<footer>Written by guanche diff (see version_diff.csv and version_passages.csv for every column). "
        "This page is self-contained and opens offline.</footer></main></body></html>\n"
    )


def write_diff_outputs(result: VersionDiff, out_dir: Path, *, workbook: bool = True) -> list[Path]:
    """Write the diff tables (CSV, Parquet, the workbook unless ``workbook=False``) and the page
    diff.html into ``out_dir`` as one set; return the paths. Raises :class:`OutputError` when
    the folder cannot be written (the previous outputs are then kept)."""
    html = render_diff_report(result)

    def write_page(folder: Path) -> list[str]:
        (folder / DIFF_REPORT_NAME).write_text(html, encoding="utf-8")
        return [DIFF_REPORT_NAME]

    with OutputWriter(Path(out_dir), workbook=workbook) as writer:
        writer.add_tables(result.tables)
        writer.add_files(write_page)
    return writer.paths
