"""The test's own reading of a document's numbered headings, apart from pipeline/document: which
lines open with a number of the official-document hierarchy and how those styles rank, and the
consistency checks of a parsed document's sections and tasks against them."""

from __future__ import annotations

import re

from pipeline.document.model import ParsedDocument

_CN = "[一二三四五六七八九十百千零〇两]+"
# Outermost first, as GB/T 9704-2012 and the genres of regulations rank them.
RANKED_NUMBERS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"^第(?:{_CN}|\d+)(?:编|部分)",
        rf"^第(?:{_CN}|\d+)章",
        rf"^第(?:{_CN}|\d+)节",
        rf"^第(?:{_CN}|\d+)条",
        rf"^{_CN}\s*[、.]",
        rf"^[（(]{_CN}[）)]",
        r"^\d{1,3}(?:[.．](?!\d)|、)",
        r"^[（(]\d{1,3}[）)]",
        r"^\d{1,2}[)）]",
        r"^[①-⑳]",
    )
)
_ARTICLE_RANK = 3


def rank_of(number: str) -> int | None:
    """The rank (0 = outermost) of a number as written, or None when it is not one."""
    return next((rank for rank, pattern in enumerate(RANKED_NUMBERS) if pattern.match(number)), None)


def numbered_lines(text: str) -> list[tuple[int, int]]:
    """(offset, rank) of every line of ``text`` that opens with a hierarchy number."""
    found, offset = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        rank = rank_of(stripped) if stripped else None
        if rank is not None:
            found.append((offset + len(line) - len(line.lstrip()), rank))
        offset += len(line) + 1
    return found


def hierarchy_problems(doc: ParsedDocument) -> list[str]:
    """What is inconsistent in ``doc``'s hierarchy; empty when every check holds.

    Checks: a section's depth is its parent's plus one and its number ranks below its parent's;
    a task's path is its section's chain of numbers plus its own, ranked outermost first; and
    every numbered line from the first section or task on, except the sub-items inside a task's
    text, is a section or a task (none lost).
    """
    problems: list[str] = []
    sections = {section.section_id: section for section in doc.sections}
    for section in doc.sections:
        parent = sections.get(section.parent_id) if section.parent_id else None
        if section.depth != (parent.depth + 1 if parent else 1):
            problems.append(f"depth of {section.number}{section.title}")
        if parent and not (rank_of(parent.number) or 0) < (rank_of(section.number) or 0):
            problems.append(f"{section.number} under {parent.number}")
    for task in doc.tasks:
        chain, section_id = [], task.section_id
        while section_id:
            chain.insert(0, sections[section_id].number)
            section_id = sections[section_id].parent_id
        if task.path != "/".join([*chain, task.number]):
            problems.append(f"path {task.path} of {task.task_id} misses ancestors {chain}")
        ranks = [rank_of(part) for part in task.path.split("/")]
        if None in ranks or any(outer >= inner for outer, inner in zip(ranks, ranks[1:])):  # type: ignore[operator]
            problems.append(f"path {task.path} out of rank order")
    problems += _lost_headings(doc)
    return problems


def _deepest_heading_rank(text: str) -> int:
    """The deepest rank that is a heading: 第X条 in a regulation (two or more articles), whose
    （一） and 1. are items of its articles; the whole hierarchy in a plan."""
    articles = sum(1 for _, rank in numbered_lines(text) if rank == _ARTICLE_RANK)
    return _ARTICLE_RANK if articles >= 2 else len(RANKED_NUMBERS)


def _lost_headings(doc: ParsedDocument) -> list[str]:
    """Numbered lines that are neither a section, a task, nor a sub-item inside a task's text."""
    text = doc.source.text
    spans = [(task.start, task.end) for task in doc.tasks]
    starts = {task.start for task in doc.tasks}
    body_start = min(starts, default=len(text))
    titled = [f"{s.number}" for s in doc.sections]
    outside = [
        (offset, rank)
        for offset, rank in numbered_lines(text)
        if offset not in starts and not any(start < offset <= end for start, end in spans)
    ]
    if doc.sections:
        first = text.find(titled[0])
        body_start = min(body_start, first if first >= 0 else body_start)
    headings = [item for item in outside if item[0] >= body_start and item[1] <= _deepest_heading_rank(text)]
    if len(headings) != len(doc.sections):
        return [f"{len(headings)} numbered lines outside tasks, {len(doc.sections)} sections"]
    return []
