"""Assignment annotations → the units named on a task, each with its role (lead or support).

Conventions read, in any mix, inside one task's text:

- labelled lists in parentheses, county and city style: （牵头单位：旗委编办、政务服务局；责任单位：各有关部门）,
  （牵头单位：市教育局，配合单位：市财政局、市卫健委，各区、县（市）政府）, （主要责任单位：…；协助单位：…）;
- the same labels on lines of their own (牵头单位：… / 责任单位：…), which is also how task-division
  tables reach this module (one line per unit column, the header label as written);
- national style (发展改革委、商务部、海关总署负责): the first unit listed leads, the rest support, with
  the rule itself stated in any wording (排在第一位的部门为牵头部门 / 列第一位者为牵头单位 / 第一个单位为
  牵头单位, with or without 下同) allowed as a note; a verbless list before a clause shares its verb
  (国家发展改革委、财政部，各省级人民政府按职责分工负责);
- verbs, in parentheses or as a sentence of their own: 由X牵头（负责），Y配合 / X牵头，Y按职责分工负责 /
  X负责 / X牵头、Y参与 / X会同Y负责 / X等有关部门和单位负责.

Roles: 牵头 and the lead labels (牵头单位, 主要责任单位 …) lead; 责任单位, 配合单位/部门, 协助单位, 参与,
协办 and the rest of a 负责 list support. A 负责 list is led by its first unit when it is the first
clause that assigns (X负责，Y负责落实: Y supports). An annotation whose only label is 责任单位 reads
like a 负责 list. A unit marked （牵头） inside a list leads. Every annotation in a task counts for
the task; a unit that leads anywhere in the task leads it. When the document states that the first
unit listed leads, from there on an annotation with no lead is led by its first unit and a bare
list of units in parentheses is an annotation. Guidance (X指导) is not an assignment; in a guidance
annotation only a clause that gives responsibility (试点城市政府负责落实) assigns.

Collectives, groups and members (各有关部门, 各区、县级市, 各成员单位, X工作领导小组各成员单位) are kept as
collective mentions with their role. An annotation in parentheses or on label lines is read
partially: every unit it names is kept, a name-shaped piece the registry does not know is an
unresolved mention, and a piece that is no name (a date, a note) is left out. A sentence of
running prose must parse completely and name a registered unit. That keeps documents without
assignments at zero units.
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
    may_name_a_unit,
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
_ANY_CLAUSE_VERB = re.compile("|".join(_CLAUSE_END))  # text without one has no clause _CLAUSE matches
# The convention that the first unit of a list leads, in any wording: 排在第一位的部门为牵头部门 /
# 列第一位者为牵头单位 / 第一个单位为牵头单位 / 排名第一的为牵头单位 / 列在首位的单位牵头.
FIRST_LISTED_LEADS = re.compile(
    r"(?:第一|首)(?:位|个|家|名)?(?:的|者)?(?:部门|单位|机构)?(?:均)?(?:为|是)?(?:主要)?(?:牵头|主责)"
)
_NOTE = re.compile(r"^(?:以下同|下同|以下均同|同上|不再列出|不再一一列出|以下不再列出)$")
_GUIDANCE = re.compile(r"^(?P<list>.+?)(?:负责)?指导$")  # X指导 guides: not an assignment
# Clauses of an annotation: 、 ends one only right after 牵头 (X牵头、Y参与).
_CLAUSE_BREAK = re.compile(r"[；;，,。]|(?<=牵头)、")
_SENTENCE_BREAK = re.compile(f"[{SENTENCE_ENDS_ANY_WIDTH}\n]")
# Separators inside a list of units; 和/与/等 only where a collective follows (文化和旅游部 stays whole).
_ITEM_BREAK = re.compile(
    r"[、，,；;／/\s]+|以及|及|等和|和(?=各|有关|相关|其他|其它)|与(?=各|有关|相关)|等(?=各|有关|相关|其他|其它)"
)
# A bare level after a 各 collective: 县级市, 县（市）政府, 乡镇人民政府.
_BARE_LEVEL = re.compile(
    r"^(?:省|自治区|直辖市|计划单列市|市|州|盟|县|区|旗|县级市|乡|镇|乡镇|苏木|街道)"
    r"(?:[（(][^（）()]{1,8}[)）])?(?:人民政府|政府|党委|党委和政府|部门)?$"
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


def _breaks(text: str) -> list[re.Match[str]]:
    """The separators of a list that lie outside brackets (县（市、区）stays whole)."""
    depth, inside = 0, set()
    for index, char in enumerate(text):
        depth += 1 if char in _OPEN else -1 if char in _CLOSE and depth else 0
        if depth:
            inside.add(index)
    return [match for match in _ITEM_BREAK.finditer(text) if match.start() not in inside]


def _join_levels(items: list[_Item], text: str, offset: int) -> list[_Item]:
    """A collective of several levels written as one (各区、县级市 / 各区、县（市）政府) kept whole."""
    joined: list[_Item] = []
    for item in items:
        previous = joined[-1] if joined else None
        if previous and previous.text.startswith("各") and _BARE_LEVEL.match(item.text):
            span = text[previous.start - offset : item.start - offset + len(item.text)]
            joined[-1] = _Item(span, previous.start, previous.role or item.role)
        else:
            joined.append(item)
    return joined


def _split_items(text: str, offset: int) -> list[_Item]:
    """Pieces of a list between separators, with trailing 等/等部门 and role markers （牵头） taken off."""
    items, position = [], 0
    for match in [*_breaks(text), None]:
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
    return _join_levels(items, text, offset)


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


def _parse_list(text: str, offset: int, jurisdiction: Jurisdiction, *, partial: bool = False) -> list[_Item] | None:
    """The units of a list, in order; None when any item is not a unit.

    With ``partial``, a list keeps every unit it can read as long as one item is a unit: a piece
    shaped like a name becomes an (unresolved) mention, any other piece (a date, a note) is left out.
    """
    units: list[_Item] = []
    recognised = False
    for item in _split_items(text, offset):
        found = _unit_items(item, jurisdiction)
        if found is not None:
            units.extend(found)
            recognised = True
        elif not partial:
            return None
        elif may_name_a_unit(item.text):
            units.append(item)
    return units if recognised else None


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
        items = _parse_list(body, offset + label.end(), jurisdiction, partial=True)
        if items is None:
            continue  # a label whose list names no unit: the other labels still count
        role = LEAD if name in _LEAD_LABELS else SUPPORT
        if name in _RESPONSIBLE_LABELS and items:
            responsible.append(len(found))
        found += [(item, item.role or role, index) for item in items]
    if responsible and not lead_named and not any(role == LEAD for _, role, _ in found):
        item, _, group = found[responsible[0]]
        found[responsible[0]] = (item, LEAD, group)  # a lone 责任单位 list reads like a 负责 list
    return found


def _clauses(text: str, offset: int) -> Iterator[tuple[int, int, str]]:
    """(index, start, clause) of the non-empty clauses of an annotation, stripped, in order."""
    position = 0
    for index, match in enumerate(chain(_CLAUSE_BREAK.finditer(text), [None])):
        end = match.start() if match else len(text)
        clause = text[position:end]
        if clause.strip():
            yield index, offset + position + len(clause) - len(clause.lstrip()), clause.strip()
        position = match.end() if match else len(text)


def _role(verb: str, rank: int, *, first_clause: bool) -> str:
    """The role a clause's verb gives the unit listed at ``rank`` (0 = first): a 负责 list is led
    by its first unit only in the annotation's first assigning clause (X负责，Y负责落实: Y supports)."""
    if verb in _LEAD_VERBS:
        return LEAD
    if verb in _LIST_VERBS:
        return LEAD if rank == 0 and first_clause else SUPPORT
    return SUPPORT


def _skipped_clause(clause: str, jurisdiction: Jurisdiction) -> bool:
    """True for a clause that names no assignment: a note (下同), the first-listed-leads rule, or a
    guidance clause (X指导)."""
    if _NOTE.match(clause) or FIRST_LISTED_LEADS.search(clause):
        return True
    guidance = _GUIDANCE.match(clause)
    return guidance is not None and _parse_list(guidance.group("list"), 0, jurisdiction, partial=True) is not None


def _verb_lists(
    parsed: re.Match[str], start: int, jurisdiction: Jurisdiction, *, partial: bool
) -> tuple[list[_Item] | None, list[_Item] | None]:
    """The units a verb clause lists before its verb and, for X会同Y, the partners after 会同, as
    (units, partners); units is None when the list (or, with 会同, the partners) names no unit."""
    listed, list_start = parsed.group("list"), start + parsed.start("list")
    head, _, tail = listed.partition(_TOGETHER)
    items = _parse_list(head, list_start, jurisdiction, partial=partial)
    if not tail:
        return items, None
    partners = _parse_list(tail, list_start + len(head) + len(_TOGETHER), jurisdiction, partial=partial)
    return (items if partners else None), partners


def _assigning_clause(
    clause: str, start: int, jurisdiction: Jurisdiction, *, partial: bool, guided: bool
) -> tuple[re.Match[str] | None, list[_Item] | None, list[_Item] | None]:
    """(the clause's verb match, its units, its 会同 partners); the match is None for a clause that
    ends in no assigning verb, and the units are None when the clause assigns no one (also in a
    guidance annotation, where only a 负责 clause assigns)."""
    parsed = _CLAUSE.match(clause) if clause.endswith(_CLAUSE_END) else None
    if parsed is None or (guided and parsed.group("verb") not in _LIST_VERBS):
        return parsed, None, None
    return (parsed, *_verb_lists(parsed, start, jurisdiction, partial=partial))


def _credited(
    items: list[_Item], partners: list[_Item] | None, verb: str, group: int, *, first_clause: bool
) -> list[tuple[_Item, str, int]]:
    """(unit, role, group) for the units a verb clause names: each unit's own marker （牵头） or the
    role the verb gives its rank; 会同 partners support."""
    credited = [
        (item, item.role or _role(verb, rank, first_clause=first_clause), group) for rank, item in enumerate(items)
    ]
    return credited + [(item, item.role or SUPPORT, group) for item in partners or []]


def _lead_when_unnamed(found: list[tuple[_Item, str, int]], first_verb: str) -> list[tuple[_Item, str, int]]:
    """``found`` with its first unit leading when no unit leads and the first verb is a 负责 verb
    (A、B按职责分工负责 reads like a 负责 list); otherwise ``found`` unchanged."""
    if not first_verb.endswith("负责") or any(role == LEAD for _, role, _ in found):
        return found
    item, _, group = found[0]
    return [(item, LEAD, group), *found[1:]]


def _verb_clauses(
    text: str, offset: int, jurisdiction: Jurisdiction, *, partial: bool = False
) -> list[tuple[_Item, str, int]] | None:
    """Units of a text made of verb clauses (X牵头，Y配合 / X、Y负责，下同); None if it names none.

    A clause that is only a list of units (国家发展改革委、财政部，各省级人民政府按职责分工负责) shares the
    verb of the clause after it. In a guidance annotation (X指导，Y参与) only the clauses that give
    responsibility (Y负责落实) assign. Without ``partial`` (running prose) every clause must parse;
    with it, clauses that do not are left out and the others kept.
    """
    if not _ANY_CLAUSE_VERB.search(text):
        return None
    clauses = list(_clauses(text, offset))
    if not any(clause.endswith(_CLAUSE_END) for _, _, clause in clauses):
        return None  # no clause ends in an assigning verb, so none assigns (and no list need be read)
    found: list[tuple[_Item, str, int]] = []
    first_verb = ""
    pending: list[_Item] = []  # a verbless list waiting for the next clause's verb
    guided = False
    for index, start, clause in clauses:
        if _skipped_clause(clause, jurisdiction):
            guided |= bool(_GUIDANCE.match(clause))
            continue
        parsed, items, partners = _assigning_clause(clause, start, jurisdiction, partial=partial, guided=guided)
        if parsed is None or not items:
            verbless = None if parsed else _parse_list(clause, start, jurisdiction)
            if verbless:
                pending += verbless
            elif not partial:
                return None
            continue
        first_verb = first_verb or parsed.group("verb")
        found += _credited(pending + items, partners, parsed.group("verb"), index, first_clause=not found)
        pending = []
    return _lead_when_unnamed(found, first_verb) if found else None


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


def _first_leads(units: list[tuple[_Item, str, int]]) -> list[tuple[_Item, str, int]]:
    """The units of an annotation with its first unit leading when none leads."""
    if any(role == LEAD for _, role, _ in units):
        return units
    item, _, group = units[0]
    return [(item, LEAD, group), *units[1:]]


def _parenthesis_units(
    content: str, offset: int, jurisdiction: Jurisdiction, *, first_listed_leads: bool
) -> list[tuple[_Item, str, int]] | None:
    """Units of a parenthesis: labelled lists, verb clauses, or (under the first-listed-leads rule)
    a bare list of units; None when it assigns no one."""
    units = _labelled(content, offset, jurisdiction) or _verb_clauses(content, offset, jurisdiction, partial=True)
    if not units and first_listed_leads:
        bare = _parse_list(content, offset, jurisdiction)
        units = [(item, item.role or SUPPORT, 0) for item in bare or []]
    if units and first_listed_leads:
        return _first_leads(units)
    return units or None


def assignments(text: str, *, jurisdiction: Jurisdiction, first_listed_leads: bool = False) -> Iterator[Assignment]:
    """Yield every assignment annotation in ``text`` (one task's text), in document order.

    Parentheses and label lines are annotations wherever a piece of them assigns a unit: the
    pieces that read are kept, a name the registry does not know becomes an unresolved mention,
    and a piece that is no name (a date, a note) is left out. A sentence of running prose counts
    only when it is nothing but an assignment and names a registered unit. ``first_listed_leads``
    (the document states that the first unit listed leads) makes the first unit of an annotation
    with no lead the lead, and reads a bare list of units in parentheses as an annotation.
    Never raises on odd text: what does not parse is not an assignment.
    """
    found: list[Assignment] = []
    masked: set[int] = set()
    group = 0
    for start, end in _parentheses(text):
        masked.update(range(start, end))
        content = text[start + 1 : end - 1]
        units = _parenthesis_units(content, start + 1, jurisdiction, first_listed_leads=first_listed_leads)
        if units:
            found.append(Assignment(text[start:end], start, end, "parenthesis", _mentions(units, group)))
            group += len({g for _, _, g in units})
    for start, end in _label_runs(text, masked):
        units = _labelled(text[start:end], start, jurisdiction)
        if units:
            units = _first_leads(units) if first_listed_leads else units
            found.append(Assignment(text[start:end], start, end, "label_lines", _mentions(units, group)))
            group += len({g for _, _, g in units})
        masked.update(range(start, end))
    for start, sentence in _prose_sentences(_blank_out(text, masked)):
        units = _verb_clauses(sentence, start, jurisdiction)
        if units and any(
            resolve_unit(item.text, jurisdiction=jurisdiction).resolved and not is_collective(item.text)
            for item, _, _ in units
        ):
            stop = start + len(sentence)
            found.append(Assignment(text[start:stop], start, stop, "sentence", _mentions(units, group)))
            group += len({g for _, _, g in units})
    yield from sorted(found, key=lambda assignment: assignment.start)


def _prose_sentences(prose: str) -> Iterator[tuple[int, str]]:
    """Yield (start, sentence) for the non-empty sentences of ``prose``, stripped, in order; none
    when no assigning verb occurs anywhere in it (then no sentence can be an assignment)."""
    if not _ANY_CLAUSE_VERB.search(prose):
        return
    position = 0
    for match in chain(_SENTENCE_BREAK.finditer(prose), [None]):
        end = match.start() if match else len(prose)
        sentence = prose[position:end]
        if sentence.strip():
            yield position + len(sentence) - len(sentence.lstrip()), sentence.strip()
        position = match.end() if match else len(prose)


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


def task_units(text: str, *, jurisdiction: Jurisdiction, first_listed_leads: bool = False) -> list[TaskUnit]:
    """The units of one task, one per canonical unit, in order of first appearance.

    Roles merge across the task's annotations: a unit that leads anywhere leads the task. The
    mention kept is the first as written. ``first_listed_leads`` as for :func:`assignments`.
    """
    merged: dict[str, TaskUnit] = {}
    found = list(assignments(text, jurisdiction=jurisdiction, first_listed_leads=first_listed_leads))
    for mention, unit in resolve_assignments(found, jurisdiction=jurisdiction):
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
