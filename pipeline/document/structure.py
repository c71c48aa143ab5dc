"""Numbering hierarchy → sections and tasks (or articles), plus the document's own record.

Plans: numbering styles rank as GB/T 9704-2012 orders them (一、 → （一） → 1. → （1））. The first
level gives sections, the level below it tasks (one level further down while that level is made
of subdivided titles); every level above the tasks is a section, deeper levels stay inside their
task's text, and a heading below the task level directly under a section (a skipped level) is a
task of it. A plan with a single numbering level has
tasks and no sections. Regulations (two or more 第X条): chapters and 节 give sections and every
article is a task of kind ``article``. Front matter before the first heading (a transmittal
notice, the preamble, enactment lines) and the closing signature/印发 lines are never tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.chinese import SENTENCE_ENDS
from pipeline.document import metadata as meta
from pipeline.document.model import ParsedDocument, Section, Task
from pipeline.document.numbering import CHAPTER_STYLES, STYLE_RANK, Numbering, match_numbering
from pipeline.ingest.readers.base import TABLE_CELL_SEPARATOR
from pipeline.ingest.script import TRADITIONAL, to_simplified
from pipeline.ingest.source import SourceText, printable

_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]")
_TITLE_MAX = 60
_SIGNATURE_NOTE = re.compile(r"^[（(](此件|本件).*[)）]$")
_DATE_ONLY = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_MIN_SUBDIVIDED = 0.5


@dataclass
class _Line:
    text: str
    start: int
    end: int
    numbering: Numbering | None = None

    @property
    def heading(self) -> Numbering:
        """The numbering of a line known to be a heading; raises ValueError on an unnumbered line."""
        if self.numbering is None:
            raise ValueError(f"not a numbered heading: {self.text[:30]!r}")
        return self.numbering


def heading_title(rest: str) -> str:
    """The title of a heading: its first sentence, cut to 60 characters with … if longer."""
    first = _SENTENCE_END.split(rest, maxsplit=1)[0].strip()
    return first if len(first) <= _TITLE_MAX else first[: _TITLE_MAX - 1] + "…"


def _lines(text: str) -> list[_Line]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            lines.append(_Line(stripped, offset + lead, offset + lead + len(stripped)))
        offset += len(raw) + 1
    return lines


def _body_end(lines: list[_Line]) -> int:
    """Index where the closing matter starts: the 印发 line, 抄送, or a trailing signature."""
    end = len(lines)
    for index, line in enumerate(lines):
        if meta.is_issued_line(line.text) or line.text.startswith("抄送"):
            end = index
            break
    while end > 0 and (_SIGNATURE_NOTE.match(lines[end - 1].text) or _DATE_ONLY.match(lines[end - 1].text)):
        if _DATE_ONLY.match(lines[end - 1].text) and end > 1:
            signer = lines[end - 2].text
            if len(signer) <= 30 and not re.search(r"[。；：]", signer) and match_numbering(signer) is None:
                end -= 1
        end -= 1
    return end


def _rank(style: str) -> int:
    return STYLE_RANK[style]


def _share_subdivided(headings: list[_Line], upper: str, lower: str) -> float:
    """The share of ``upper``-style headings that have at least one ``lower``-style item under them
    (before the next heading ranked at or above ``upper``)."""
    uppers, subdivided, open_upper = 0, 0, False
    for line in headings:
        style = line.heading.style
        if style == upper:
            uppers += 1
            open_upper = True
        elif _rank(style) < _rank(upper):
            open_upper = False
        elif style == lower and open_upper:
            subdivided += 1
            open_upper = False
    return subdivided / uppers if uppers else 0.0


def _share_with_content(headings: list[_Line], style: str) -> float:
    """The share of ``style`` headings that carry provisions themselves (a sentence, not a title)."""
    items = [line.heading.rest for line in headings if line.heading.style == style]
    with_content = sum(1 for rest in items if "。" in rest or len(rest) > _TITLE_MAX)
    return with_content / len(items) if items else 0.0


def _titles_subdivided(headings: list[_Line], upper: str, lower: str) -> bool:
    """True when ``upper`` headings are mostly titles and mostly have ``lower`` items under them."""
    titles = _share_with_content(headings, upper) < 0.5
    return titles and _share_subdivided(headings, upper, lower) >= _MIN_SUBDIVIDED


def _task_style(headings: list[_Line], regulation: bool) -> str | None:
    """The numbering style of tasks: by default the level below the top plain level (一、 → （一））.

    Styles are taken in the standard's rank order (:data:`STYLE_RANK`), not in the order they
    first appear. When the upper items are provisions rather than titles and fewer than half of
    them are subdivided (国务院工作规则: 一、…五十四、 with a few （一） lists), the upper items are the
    tasks and their sub-items stay in their text. Below that, while a level is made of titles that
    are mostly subdivided (（一）加强A, then 1. 2. …), the tasks move one level down.
    """
    if regulation:
        return "article"
    present = sorted({line.heading.style for line in headings}, key=_rank)
    plain = [style for style in present if style not in CHAPTER_STYLES]
    if not plain:
        return present[-1] if present else None
    level = 0
    if len(plain) >= 2:
        provisions = _share_with_content(headings, plain[0]) >= 0.5
        if not provisions or _share_subdivided(headings, plain[0], plain[1]) >= _MIN_SUBDIVIDED:
            level = 1
    while level and level + 1 < len(plain) and _titles_subdivided(headings, plain[level], plain[level + 1]):
        level += 1
    return plain[level]


@dataclass(frozen=True)
class _Outline:
    """How a document's headings nest: which numbering styles open sections and which tasks."""

    regulation: bool
    task_style: str | None
    section_styles: frozenset[str]

    def below_tasks(self, style: str) -> bool:
        """True for a style ranked below the task level (1. under a （一） task)."""
        return self.task_style is not None and _rank(style) > _rank(self.task_style)


def _outline(body: list[_Line]) -> _Outline:
    """Mark heading lines in ``body`` and decide which styles are sections and which tasks."""
    for line in body:
        line.numbering = match_numbering(line.text)
    regulation = sum(1 for item in body if item.numbering and item.numbering.style == "article") >= 2
    for line in body:
        style = line.numbering.style if line.numbering else None
        structural = (style in CHAPTER_STYLES or style == "article") if regulation else style != "article"
        if style and not structural:
            line.numbering = None
    headings = [line for line in body if line.numbering]
    task_style = _task_style(headings, regulation)
    section_styles = frozenset(
        line.heading.style for line in headings if task_style and _rank(line.heading.style) < _rank(task_style)
    )
    return _Outline(regulation, task_style, section_styles)


_UNIT_HEADER = re.compile(
    r"^(?P<label>(?:主要)?(?:牵头|责任|配合|协办|协助|参与|主责)(?:单位|部门))(?:[及和与、/]?(?:完成)?(?:时限|时间))?$"
)
_TASK_HEADER = re.compile(r"^(重点|主要|工作|具体)?(任务|措施|内容|工作任务|工作内容)$")
_DEADLINE_HEADER = re.compile(r"^(完成)?(时限|时间)$")


def task_table_columns(cells: list[str]) -> dict[str, int] | None:
    """Recognise a task-division table's header row (序号 / 重点任务 / 牵头单位 / 责任单位 / 完成时限).

    Returns the column index of "task", "number" and each unit or deadline column keyed by its
    label as written, or None when the row is not such a header.
    """
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        label = re.sub(r"\s+", "", cell)
        if _TASK_HEADER.match(label) and "task" not in columns:
            columns["task"] = index
        elif label in ("序号", "编号"):
            columns["number"] = index
        elif unit_header := _UNIT_HEADER.match(label):
            columns[unit_header.group("label")] = index  # 责任单位及完成时限 gives 责任单位：…
        elif _DEADLINE_HEADER.match(label):
            columns[label] = index
    has_units = any(_UNIT_HEADER.match(label) for label in columns)
    return columns if "task" in columns and has_units else None


class _Builder:
    """Collects sections and tasks while walking a document's body lines in order."""

    def __init__(self, doc_id: str, outline: _Outline) -> None:
        self.doc_id = doc_id
        self.outline = outline
        self.sections: list[Section] = []
        self.section_lines: dict[str, list[str]] = {}
        self.section_styles: dict[str, str] = {}  # section id → its numbering style
        self.open_sections: list[Section] = []  # innermost last
        self.tasks: list[Task] = []
        self.current: dict | None = None
        self.preamble: list[str] = []

    def close_task(self) -> None:
        """Finish the task being collected, if any."""
        if self.current is not None:
            del self.current["style"]
            self.tasks.append(Task(text="\n".join(self.current.pop("lines")), **self.current))
            self.current = None

    def open_section(self, line: _Line) -> None:
        """Start a section at a heading line, closing deeper sections and the current task."""
        self.close_task()
        rank = _rank(line.heading.style)
        self.open_sections = [s for s in self.open_sections if _rank(self.section_styles[s.section_id]) < rank]
        section = Section(
            doc_id=self.doc_id,
            section_id=f"{self.doc_id}:S{len(self.sections) + 1:03d}",
            parent_id=self.open_sections[-1].section_id if self.open_sections else None,
            depth=len(self.open_sections) + 1,
            number=line.heading.number,
            title=heading_title(line.heading.rest),
        )
        self.section_styles[section.section_id] = line.heading.style
        self.sections.append(section)
        self.open_sections.append(section)
        self.section_lines[section.section_id] = []

    def open_task(self, number: str, first_line: str, start: int, end: int, *, style: str = "") -> list[str]:
        """Start a task numbered ``number`` (in numbering ``style``; empty for a table row) under
        the innermost open section; returns the list its text lines are collected in."""
        self.close_task()
        lines = [first_line] if first_line else []
        self.current = {
            "style": style,
            "doc_id": self.doc_id,
            "task_id": f"{self.doc_id}:T{len(self.tasks) + 1:04d}",
            "section_id": self.open_sections[-1].section_id if self.open_sections else None,
            "kind": "article" if self.outline.regulation else "task",
            "path": "/".join([s.number for s in self.open_sections] + [number]),
            "number": number,
            "title": heading_title(first_line),
            "start": start,
            "end": end,
            "lines": lines,
        }
        return lines

    def add_table_row(self, line: _Line, columns: dict[str, int]) -> None:
        """A row of a task-division table becomes a task; unit columns become labelled lines."""
        cells = line.text.split(TABLE_CELL_SEPARATOR)

        def cell(key):
            return cells[columns[key]].strip() if columns[key] < len(cells) else ""

        if not cell("task"):
            return
        number = cell("number") if "number" in columns else str(len(self.tasks) + 1)
        task_lines = self.open_task(number, cell("task"), line.start, line.end)
        for label in columns:
            if label not in ("task", "number") and cell(label):
                task_lines.append(f"{label}：{cell(label)}")
        self.close_task()

    def skipped_level(self, style: str) -> bool:
        """True when a heading ranked below the task level opens directly under a section (一、
        then 1. where the plan's tasks are （一））: no task is open, or the open one is such an
        item ranked at or below it (its sibling). It is a task of that section."""
        if not self.open_sections or not self.outline.below_tasks(style):
            return False
        if self.current is None:
            return True
        current = self.current["style"]
        return bool(current) and self.outline.below_tasks(current) and _rank(current) >= _rank(style)

    def add_text(self, line: _Line) -> None:
        """An unnumbered line: part of the current task, else the section's text, else preamble."""
        if self.current is not None:
            self.current["lines"].append(line.text)
            self.current["end"] = line.end
        elif self.open_sections:
            self.section_lines[self.open_sections[-1].section_id].append(line.text)
        else:
            self.preamble.append(line.text)

    def finished_sections(self) -> list[Section]:
        """The sections with the text collected under each."""
        return [Section(**{**s.__dict__, "text": "\n".join(self.section_lines[s.section_id])}) for s in self.sections]


def parse_document(source: SourceText, doc_id: str, overrides: dict | None = None) -> ParsedDocument:
    """Split a source document into preamble, sections and tasks, and build its record.

    ``overrides`` (from the manifest) replace inferred record fields. Returns a document with
    no tasks when the text has no numbered structure; never raises on odd text.
    """
    lines = _lines(source.text)
    notice = meta.transmittal([line.text for line in lines])
    start = notice[2] + 1 if notice else 0
    end = _body_end(lines)
    body = lines[start:end]
    outline = _outline(body)
    builder = _Builder(doc_id, outline)
    table_columns: dict[str, int] | None = None
    for line in body:
        if TABLE_CELL_SEPARATOR in line.text:
            header = task_table_columns(line.text.split(TABLE_CELL_SEPARATOR))
            if header is not None:
                builder.close_task()
                table_columns = header
            elif table_columns is not None:
                builder.add_table_row(line, table_columns)
            else:
                builder.add_text(line)
            continue
        table_columns = None
        style = line.numbering.style if line.numbering else None
        if style in outline.section_styles:
            builder.open_section(line)
        elif style is not None and (style == outline.task_style or builder.skipped_level(style)):
            builder.open_task(line.heading.number, line.heading.rest, line.start, line.end, style=style)
        else:
            builder.add_text(line)
    builder.close_task()
    front = [line.text for line in lines[:start]] + builder.preamble
    record = describe_document(
        source, doc_id, front, notice, [closing.text for closing in lines[end:]], overrides or {}
    )
    return ParsedDocument(doc_id, source, record, "\n".join(front), builder.finished_sections(), builder.tasks)


def _title(declared: dict[str, str], front: list[str], notice: tuple[str, str, int] | None) -> str:
    """The gov.cn 标题, else the title a transmittal notice wraps, else the file's title hint,
    else the first short line of the front matter; empty when there is none."""
    title = declared.get("title") or (notice[0] if notice else "") or declared.get("title_hint", "")
    return title or next((line for line in front if len(line) <= _TITLE_MAX and "。" not in line), "")


def _issuer(declared: dict[str, str], notice: tuple[str, str, int] | None, enacting_body: str, issued_line: str) -> str:
    """The gov.cn 发文机关, else the notice's issuer, else the enacting body of a regulation, else
    the organ named on the closing 印发 line; empty when there is none."""
    issuer = declared.get("issuer") or (notice[1] if notice else "") or enacting_body
    if not issuer and issued_line:
        issuer = issued_line.split()[0] if " " in issued_line else ""
    return issuer


def _issued_on(
    declared: dict[str, str], front: list[str], issued_line: str, enacted_on: str, closing: list[str]
) -> str:
    """The ISO date a document was issued: the 成文日期, a date line of the front matter, the
    印发 line, the latest enactment date, or the first date of the closing lines; else empty."""
    return (
        meta.iso_date(declared.get("issued_on", ""))
        or next((meta.iso_date(line) for line in front if _DATE_ONLY.match(line)), "")
        or meta.iso_date(issued_line)
        or enacted_on
        or next(filter(None, map(meta.iso_date, closing)), "")
    )


def _declared(source: SourceText) -> dict[str, str]:
    """The metadata the file declares (gov.cn 标题, 发文机关 …); for a traditional document in the
    simplified form its text is matched on, so that level, region and year are inferred from it and
    its title and number match citations as the rest of its record does."""
    if source.script != TRADITIONAL:
        return source.metadata
    return {key: to_simplified(value) for key, value in source.metadata.items()}


def describe_document(
    source: SourceText,
    doc_id: str,
    front: list[str],
    notice: tuple[str, str, int] | None,
    closing: list[str],
    overrides: dict,
) -> dict:
    """Build the documents-table record from declared metadata, front and closing matter.

    Precedence: manifest ``overrides`` > the file's declared metadata (gov.cn table) > a
    transmittal notice > enactment lines of a regulation > a title heading > inference.
    """
    declared = _declared(source)
    enacting_body, enacted_on = meta.enactment(front)
    issued_line = next((line for line in closing if meta.is_issued_line(line)), "")
    title = _title(declared, front, notice)
    issuer = _issuer(declared, notice, enacting_body, issued_line)
    issued_on = _issued_on(declared, front, issued_line, enacted_on, closing)
    doc_number = declared.get("doc_number") or meta.first_doc_number("\n".join(front[:8]))
    level, region = meta.level_and_region(issuer.split("、")[0]) if issuer else ("unknown", "")
    if level == "unknown":
        level, region = meta.level_and_region(title)
    record = {
        "doc_id": doc_id,
        "title": title,
        "issuer": issuer,
        "level": level,
        "region": region,
        "year": meta.year_of(title, issued_on, doc_number),
        "issued_on": issued_on,
        "published_on": meta.iso_date(declared.get("published_on", "")),
        "doc_number": doc_number,
        "source_path": printable(source.path),
        "sha256": source.sha256,
        "encoding": source.encoding,
        "script": source.script,
        "n_chars": len(source.text),
    }
    record.update({key: value for key, value in overrides.items() if key in record and value not in (None, "")})
    return record
