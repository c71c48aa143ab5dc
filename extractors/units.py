"""Assignment annotations → the units named on a task, each with its role (lead or support).

Conventions read, in any mix, inside one task's text:

- labelled lists in parentheses, county and city style: （牵头单位：旗委编办、政务服务局；责任单位：各有关部门）,
  （牵头单位：市委政法委，配合单位：市法院、市检察院）, （牵头单位：市总工会、团市委、市妇联）;
- the same labels on lines of their own (牵头单位：… / 责任单位：…), which is also how task-division
  tables reach this module (one line per unit column, the header label as written);
- national style (发展改革委、商务部、海关总署负责): the first unit listed leads, the rest support, with
  trailing notes such as 排在第一位的部门为牵头部门，下同 allowed;
- verbs, in parentheses or as a sentence of their own: 由X牵头，Y配合 / X牵头，Y按职责分工负责 / X负责 /
  X牵头，Y参与.

Roles: 牵头 and the lead labels (牵头单位, 牵头部门, 主办单位 …) lead; 责任单位, 配合单位, 参与, 协办 and the
rest of a 负责 list support. An annotation whose only label is 责任单位/责任部门 reads like a 负责 list:
its first unit leads. A unit marked （牵头） inside a list leads. Every annotation in a task counts for
the task; a unit that leads anywhere in the task leads it.

Only text that parses completely as an annotation counts: every list item must be a collective
(各有关部门), a registered unit, or shaped like one (…局/委/办/院/部/厅/署/会/中心/队/所), and a verb sentence
in running prose must name at least one registered unit. That keeps documents without assignments
at zero units.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from extractors.chinese import HAN, SENTENCE_ENDS_ANY_WIDTH
from extractors.unit_registry import (
    Jurisdiction,
    ResolvedUnit,
    find_unit_names,
    is_collective,
    looks_like_unit,
    resolve_list,
    resolve_unit,
)

LEAD, SUPPORT = "lead", "support"

_LEAD_LABELS = (
    "牵头单位",
    "牵头部门",
    "牵头责任单位",
    "牵头责任部门",
    "主办单位",
    "主责单位",
    "主责部门",
    "主要责任单位",
    "主要责任部门",
)
_RESPONSIBLE_LABELS = ("责任单位", "责任部门")
_SUPPORT_LABELS = (
    "配合单位",
    "配合部门",
    "协办单位",
    "协助单位",
    "协同单位",
    "参与单位",
    "参与部门",
    "参加单位",
    "配合责任单位",
)
# A unit label such as 牵头单位： (public: the obligation extractor leaves label lines out)
UNIT_LABEL = re.compile(
    "(?P<label>"
    + "|".join(sorted(_LEAD_LABELS + _RESPONSIBLE_LABELS + _SUPPORT_LABELS, key=len, reverse=True))
    + r")\s*[：:]"
)
# A clause naming units with a verb: 由X牵头 / X负责 / Y按职责分工负责 / Y配合.
_LEAD_VERBS = ("牵头负责", "牵头")
_LIST_VERBS = ("负责落实", "共同负责", "负责")  # first listed leads, the rest support
_SUPPORT_VERBS = (
    "按照职责分工负责",
    "按职责分工负责",
    "按照职责负责",
    "按职责负责",
    "分工负责",
    "配合落实",
    "参与",
    "配合",
    "协助",
    "协办",
    "参加",
    "落实",
)
_CLAUSE_END = _SUPPORT_VERBS + _LEAD_VERBS + _LIST_VERBS  # a clause _CLAUSE can match ends so
_CLAUSE = re.compile(r"^由?(?P<list>.+?)(?P<verb>" + "|".join(_CLAUSE_END) + r")$")
_NOTE = re.compile(r"^(?:以下同|下同|[^、]*(?:第一位|首位|排名第一|排序第一)[^、]*(?:牵头|负责)[^、]*)$")
_CLAUSE_BREAK = re.compile(r"[；;，,]")
_SENTENCE_BREAK = re.compile(f"[{SENTENCE_ENDS_ANY_WIDTH}\n]")
# Separators inside a list of units; 和/与/等 only where a collective follows (文化和旅游部 stays whole).
_ITEM_BREAK = re.compile(
    r"[、，,；;／/\s]+|以及|及|等和|和(?=各|有关|相关|其他|其它)|与(?=各|有关|相关)|等(?=各|有关|相关|其他|其它)"
)
_TRAILING_ETC = re.compile(r"等(?:部门|单位|机构|相关单位)?$")
_MARKER = re.compile(r"[（(](?P<marker>牵头|配合|参与|协办|协助)[)）]$")
_CONNECTOR = re.compile(r"^(?:和|与|及|以及|等|等和|、)*$")
# Any other label (完成时限：, 责任领导：) ends a list of units; what follows it is not about units.
_OTHER_LABEL = re.compile(rf"[{HAN}]{{2,8}}[：:]")
_LEADING_OTHER_LABELS = re.compile(rf"^\s*(?:[{HAN}]{{2,8}}[：:][^；;。]*[；;，,]\s*)*$")
_NOTE_AFTER = re.compile(r"^(?P<name>.+?)[（(][^（）()]*[)）]$")
_TOGETHER = "会同"  # 由X会同Y负责: X as the verb says, Y supports
_EMPTY_CELL = re.compile(r"^[\s\-—–/／、，,。无]*$")
_OPEN, _CLOSE = "（(", "）)"
_BRACKET = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")


@dataclass(frozen=True)
class AssignedMention:
    """A unit as written in an annotation, with its role and offsets in the text it came from.

    ``group`` numbers the lists of the text: prefix inheritance works inside one list.
    """

    mention: str
    role: str
    start: int
    end: int
    group: int


@dataclass(frozen=True)
class Assignment:
    """One annotation (a parenthesis, a run of label lines, or a sentence) and the units it names."""

    text: str
    start: int
    end: int
    convention: str  # "parenthesis" | "label_lines" | "sentence"
    mentions: tuple[AssignedMention, ...]


@dataclass(frozen=True)
class TaskUnit:
    """A unit named on a task: first mention as written, canonical unit, merged role, order of first
    appearance (1-based)."""

    mention: str
    unit: str
    unit_id: str
    role: str
    collective: bool
    resolved: bool
    order: int
    type: str
    full_name: str
    jurisdiction: str


# --------------------------------------------------------------------------- lists


@dataclass
class _Item:
    text: str
    start: int
    role: str | None


def _split_items(text: str, offset: int) -> list[_Item]:
    """Pieces of a list between separators, with trailing 等/等部门 and role markers （牵头） taken off."""
    items, position = [], 0
    for match in list(_ITEM_BREAK.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        piece = text[position:end]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        role = None
        marker = _MARKER.search(piece)
        if marker:
            role = LEAD if marker.group("marker") == "牵头" else SUPPORT
            piece = piece[: marker.start()]
        piece = _TRAILING_ETC.sub("", piece)
        if piece:
            items.append(_Item(piece, offset + position + lead, role))
        if match is not None:
            position = match.end()
    return items


def _known(name: str, jurisdiction: Jurisdiction) -> bool:
    return is_collective(name) or resolve_unit(name, jurisdiction=jurisdiction).resolved


def _segments(item: _Item, jurisdiction: Jurisdiction) -> list[_Item] | None:
    """Units inside an item that joins several (财政部和税务总局), found with the registry's trie;
    None unless it holds two or more and everything between them is a connector or a collective."""
    parts, cursor = [], 0
    spans = [(start, end) for start, end, _ in find_unit_names(item.text, jurisdiction=jurisdiction)]
    for start, end in spans + [(len(item.text), len(item.text))]:
        gap = item.text[cursor:start]
        if not _CONNECTOR.match(gap):
            collective = re.sub(r"^(?:等和|和|与|及|等)", "", gap)
            if not is_collective(collective):
                return None
            parts.append(_Item(collective, item.start + start - len(collective), item.role))
        if start < end:
            parts.append(_Item(item.text[start:end], item.start + start, item.role))
        cursor = end
    return parts if len(parts) >= 2 else None


def _unit_items(item: _Item, jurisdiction: Jurisdiction) -> list[_Item] | None:
    """The unit(s) one list piece names: itself, the units it joins, or None when it is no unit."""
    if _known(item.text, jurisdiction):
        return [item]
    parts = _segments(item, jurisdiction)
    if parts is not None:
        return parts
    named = list(find_unit_names(item.text, jurisdiction=jurisdiction))
    if looks_like_unit(item.text) and len(named) < 2:
        return [item]
    noted = _NOTE_AFTER.match(item.text)  # 市司法局（2024年底前）: the note is not part of the name
    if noted:
        return _unit_items(_Item(noted.group("name"), item.start, item.role), jurisdiction)
    return None


def _parse_list(text: str, offset: int, jurisdiction: Jurisdiction) -> list[_Item] | None:
    """The units of a list, in order; None when any item is not a unit."""
    units = []
    for item in _split_items(text, offset):
        found = _unit_items(item, jurisdiction)
        if found is None:
            return None
        units.extend(found)
    return units


# --------------------------------------------------------------------------- annotations


def _labelled(text: str, offset: int, jurisdiction: Jurisdiction) -> list[tuple[_Item, str, int]] | None:
    """Units of a text made of labelled lists (牵头单位：…；责任单位：…); None if it is not one."""
    labels = list(UNIT_LABEL.finditer(text))
    if not labels or not _LEADING_OTHER_LABELS.match(text[: labels[0].start()]):
        return None  # text before the first unit label must be empty or other labels (牵头领导：…；)
    found: list[tuple[_Item, str, int]] = []
    responsible: list[int] = []  # positions in found of the units listed as responsible
    lead_named = False
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        body = text[label.end() : end]
        other = _OTHER_LABEL.search(body)
        body = (body[: other.start()] if other else body).rstrip(" \u3000\t；;，,。")
        name = label.group("label")
        if _EMPTY_CELL.match(body):
            continue
        lead_named |= name in _LEAD_LABELS
        items = _parse_list(body, offset + label.end(), jurisdiction)
        if items is None:
            return None
        role = LEAD if name in _LEAD_LABELS else SUPPORT
        if name in _RESPONSIBLE_LABELS and items:
            responsible.append(len(found))
        found += [(item, item.role or role, index) for item in items]
    if responsible and not lead_named and not any(role == LEAD for _, role, _ in found):
        item, _, group = found[responsible[0]]
        found[responsible[0]] = (item, LEAD, group)  # a lone 责任单位 list reads like a 负责 list
    return found


def _verb_clauses(text: str, offset: int, jurisdiction: Jurisdiction) -> list[tuple[_Item, str, int]] | None:
    """Units of a text made of verb clauses (X牵头，Y配合 / X、Y负责，下同); None if it is not one."""
    found, position, assigned, verbs = [], 0, False, []
    for index, match in enumerate(chain(_CLAUSE_BREAK.finditer(text), [None])):
        end = match.start() if match else len(text)
        clause = text[position:end]
        stripped = clause.strip()
        start = offset + position + len(clause) - len(clause.lstrip())
        position = match.end() if match else len(text)
        if not stripped:
            continue
        parsed = _CLAUSE.match(stripped) if stripped.endswith(_CLAUSE_END) else None
        items, partners = None, []
        if parsed:
            listed, list_start = parsed.group("list"), start + parsed.start("list")
            head, _, tail = listed.partition(_TOGETHER)
            items = _parse_list(head, list_start, jurisdiction)
            if tail:
                partners = _parse_list(tail, list_start + len(head) + len(_TOGETHER), jurisdiction) or []
                items = items if partners else None
        if not items:
            if _NOTE.match(stripped):
                continue
            return None
        assert parsed is not None  # the items were read from a parsed clause
        verb = parsed.group("verb")
        verbs.append(verb)
        for rank, item in enumerate(items):
            if verb in _LEAD_VERBS:
                role = LEAD
            elif verb in _LIST_VERBS:
                role = LEAD if rank == 0 else SUPPORT
            else:
                role = SUPPORT
            found.append((item, item.role or role, index))
        found += [(item, item.role or SUPPORT, index) for item in partners]
        assigned = True
    if assigned and verbs[0].endswith("负责") and not any(role == LEAD for _, role, _ in found):
        item, _, group = found[0]
        found[0] = (item, LEAD, group)  # A、B按职责分工负责 with no lead named reads like a 负责 list
    return found if assigned else None


def _mentions(found: list[tuple[_Item, str, int]], group_base: int) -> tuple[AssignedMention, ...]:
    return tuple(
        AssignedMention(item.text, role, item.start, item.start + len(item.text), group_base + group)
        for item, role, group in found
    )


def _parentheses(text: str) -> Iterator[tuple[int, int]]:
    """Outermost (…) / （…） spans, as (start, end) including the brackets."""
    depth, start = 0, 0
    for bracket in _BRACKET.finditer(text):
        index, char = bracket.start(), bracket.group()
        if char in _OPEN:
            if depth == 0:
                start = index
            depth += 1
        elif char in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                yield start, index + 1


def _opens_line_or_sentence(line: str, at: int) -> bool:
    """True when nothing but blanks, or a full stop (。；;) and blanks, stands before ``at`` in
    ``line``. Looks back over the blanks only, so a long line with many labels costs time in
    proportion to its length, not to its square."""
    while at > 0 and line[at - 1].isspace():
        at -= 1
    return at == 0 or line[at - 1] in "。；;"


def _label_runs(text: str, masked: set[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive lines that start with a unit label (牵头单位：…), or whose tail after a
    full stop does, as (start, end); labels inside parentheses are not runs."""
    run: list[int] | None = None
    position = 0
    for line in text.split("\n"):
        start = None
        for label in UNIT_LABEL.finditer(line):
            if position + label.start() not in masked and _opens_line_or_sentence(line, label.start()):
                start = position + label.start()
                break
        if start is not None:
            run = [run[0] if run else start, position + len(line.rstrip())]
        elif line.strip() and run:
            yield run[0], run[1]
            run = None
        position += len(line) + 1
    if run:
        yield run[0], run[1]


def _blank_out(text: str, masked: set[int]) -> str:
    """``text`` with every masked position replaced by a line break (same length)."""
    if not masked:
        return text
    characters = list(text)
    for index in masked:
        characters[index] = "\n"
    return "".join(characters)


def assignments(text: str, *, jurisdiction: Jurisdiction) -> Iterator[Assignment]:
    """Yield every assignment annotation in ``text`` (one task's text), in document order.

    Parentheses and label lines are read as annotations wherever they parse completely; a sentence
    of running prose counts only when it is nothing but an assignment and names a registered unit.
    Never raises on odd text: what does not parse is not an assignment.
    """
    found: list[Assignment] = []
    masked: set[int] = set()
    group = 0
    for start, end in _parentheses(text):
        masked.update(range(start, end))
        content = text[start + 1 : end - 1]
        units = _labelled(content, start + 1, jurisdiction) or _verb_clauses(content, start + 1, jurisdiction)
        if units:
            found.append(Assignment(text[start:end], start, end, "parenthesis", _mentions(units, group)))
            group += len({g for _, _, g in units})
    for start, end in _label_runs(text, masked):
        units = _labelled(text[start:end], start, jurisdiction)
        if units:
            found.append(Assignment(text[start:end], start, end, "label_lines", _mentions(units, group)))
            group += len({g for _, _, g in units})
        masked.update(range(start, end))
    prose = _blank_out(text, masked)
    position = 0
    for match in list(_SENTENCE_BREAK.finditer(prose)) + [None]:
        end = match.start() if match else len(prose)
        sentence = prose[position:end]
        start = position + len(sentence) - len(sentence.lstrip())
        position = match.end() if match else len(prose)
        units = _verb_clauses(sentence.strip(), start, jurisdiction) if sentence.strip() else None
        if units and any(
            resolve_unit(item.text, jurisdiction=jurisdiction).resolved and not is_collective(item.text)
            for item, _, _ in units
        ):
            stop = start + len(sentence.strip())
            found.append(Assignment(text[start:stop], start, stop, "sentence", _mentions(units, group)))
            group += len({g for _, _, g in units})
    yield from sorted(found, key=lambda assignment: assignment.start)


def resolve_assignments(
    found: list[Assignment], *, jurisdiction: Jurisdiction
) -> list[tuple[AssignedMention, ResolvedUnit]]:
    """Each mention of ``found`` with its canonical unit, prefix inheritance applied per list."""
    resolved = []
    for assignment in found:
        groups: dict[int, list[AssignedMention]] = {}
        for mention in assignment.mentions:
            groups.setdefault(mention.group, []).append(mention)
        units = {
            id(mention): unit
            for members in groups.values()
            for mention, unit in zip(members, resolve_list([m.mention for m in members], jurisdiction=jurisdiction))
        }
        resolved += [(mention, units[id(mention)]) for mention in assignment.mentions]
    return resolved


def task_units(text: str, *, jurisdiction: Jurisdiction) -> list[TaskUnit]:
    """The units of one task, one per canonical unit, in order of first appearance.

    Roles merge across the task's annotations: a unit that leads anywhere leads the task. The
    mention kept is the first as written.
    """
    merged: dict[str, TaskUnit] = {}
    for mention, unit in resolve_assignments(
        list(assignments(text, jurisdiction=jurisdiction)), jurisdiction=jurisdiction
    ):
        known = merged.get(unit.unit_id)
        if known is None:
            merged[unit.unit_id] = TaskUnit(
                mention.mention,
                unit.unit,
                unit.unit_id,
                mention.role,
                unit.collective,
                unit.resolved,
                len(merged) + 1,
                unit.type,
                unit.full_name,
                unit.jurisdiction,
            )
        elif mention.role == LEAD and known.role != LEAD:
            merged[unit.unit_id] = TaskUnit(**{**known.__dict__, "role": LEAD})
    return list(merged.values())
