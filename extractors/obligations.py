"""Obligations: the clauses of a task that commit someone to act, with action, object, strength.

A task's text is cut into clauses in three steps, each a function of its own so that the spaCy
components in :mod:`extractors.nlp` can run them one by one:

1. :func:`split_clauses` drops unit-assignment annotations (（牵头单位：…；责任单位：…）,
   （发展改革委、商务部负责）, （生态环境部指导）), the task's own heading sentence when asked
   (（一）加强行政调解工作。…), and cuts the rest into comma-separated fragments grouped by sentence.
   Punctuation inside “…”, 《…》 and （…） never cuts.
2. :func:`match_obligations` finds the action of each fragment (modal, modifiers and verbs as
   written: 要切实履行, 持续调整优化, 应当遵循) from the lexicon in models/commitment_strength.toml.
   A fragment with an action starts an obligation; a fragment without one joins the obligation
   before it, or the next one when it is an opening adverbial (围绕…, 涉及…的, 决策公布之日起三十日内).
   In a regulation only clauses governed by a deontic modal (应当, 不得, 可以 …) are obligations.
3. :func:`commitment_strength` grades the action (see models/README_strength.md).
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib.resources.abc import Traversable
from itertools import groupby
from operator import attrgetter

from extractors.chinese import HAN, HAN_CHAR
from extractors.targets import is_quantified, targets
from extractors.units import UNIT_LABEL
from models import resource

LEXICON_PATH = resource("commitment_strength.toml")
REGISTERS = ("plan", "regulation")

_ASSIGNMENT_WORDS = re.compile(r"牵头|负责|责任单位|配合|协办|参与|指导|主办|承办")
_PARENTHESES = re.compile(r"[（(](?:[^（）()\n]|[（(][^（）()\n]*[）)]){1,200}[）)]")
_PROTECTED = re.compile(r"“[^“”\n]*”|《[^《》\n]*》|‘[^‘’\n]*’|[（(](?:[^（）()\n]|[（(][^（）()\n]*[）)])*[）)]")
_LABEL_LINE = re.compile(r"^[ \t　]*(?:" + UNIT_LABEL.pattern + r")[^\n]*", re.MULTILINE)
_SENTENCE_END = re.compile(r"[。；;！!？?：:\n]")
_BREAK = re.compile(r"[。；;！!？?：:\n，,]")
_HEADING_MAX = 40
_CONNECTIVE = re.compile(r"^[\s　]*(?:并且|并|同时|还要|还|也要|也|进而|从而|以及|此外|另外|且)?")
_PREPOSITION = (
    "按照",
    "根据",
    "依照",
    "依据",
    "围绕",
    "依托",
    "通过",
    "针对",
    "结合",
    "立足",
    "聚焦",
    "对于",
    "关于",
    "鉴于",
    "由于",
    "随着",
    "涉及",
    "为了",
    "对",
    "在",
    "以",
    "为",
    "按",
    "经",
    "凡",
    "从",
    "自",
    "于",
    "当",
    "如",
    "若",
    "除",
    "向",
    "与",
    "同",
    "由",
    "会同",
)
# the first of _PREPOSITION (in its order) that a text starts with
_OPENING_PREPOSITION = re.compile("|".join(map(re.escape, _PREPOSITION)))
_ADVERBIAL_END = re.compile(
    r"(?:的|时|后|前|中|上|下|内|起|外|之际|期间|以来|之间|为重点|为抓手|为主线|为依托|为基础)$"
)
_DISPOSAL = ("把", "将")
_ACCOMPLISHED = re.compile(r"(?:已经|已|业已|曾)$")
_NOMINAL_USE = re.compile(
    r"情况|工作|机制|体系|制度|能力|水平|力度|意识|作用|成效|效果|结果|程序|流程|标准|方面|领域|事项|比例|"
    r"对象|人员|数据|信息|平台|系统|范围|内容|方式|经费|费用|材料|名单|以及|或者|[和与及或、的等]"
)


@dataclass(frozen=True)
class Clause:
    """A comma-separated fragment of a sentence, with its offsets in the task text."""

    start: int
    end: int
    sentence: int
    text: str


@dataclass(frozen=True)
class Obligation:
    """A clause that commits someone to act.

    ``action`` is the verb phrase as written (with its modal when they are adjacent), ``object``
    what is acted on, ``modal`` the modal that governs the clause (应当, 必须, 不得, 可以 … or
    None), ``strength`` the grade (None until graded). Offsets are in the task text.
    """

    start: int
    end: int
    text: str
    action: str
    object: str | None
    modal: str | None
    strength: str | None = None


@dataclass(frozen=True)
class Lexicon:
    """The commitment-strength lexicon, compiled once."""

    grades: dict[str, tuple[str, ...]]
    modals: dict[str, dict[str, str]]
    grade_of: dict[str, str]
    nominal: frozenset[str]
    modal_pattern: dict[str, re.Pattern]
    action_pattern: re.Pattern
    graded_word: re.Pattern
    head_verbs: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # memo of _verb_of


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=lambda w: (-len(w), w)))


def _guarded(words, guards: dict) -> str:
    parts = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        guard = guards.get(word, {})
        before = f"(?<![{re.escape(guard['not_before'])}])" if guard.get("not_before") else ""
        after = f"(?![{re.escape(guard['not_after'])}])" if guard.get("not_after") else ""
        parts.append(f"{before}{re.escape(word)}{after}")
    return "|".join(parts)


@lru_cache(maxsize=4)
def load_lexicon(path: Traversable = LEXICON_PATH) -> Lexicon:
    """Read and compile the lexicon (once per path).

    Raises FileNotFoundError or tomllib.TOMLDecodeError when models/commitment_strength.toml is
    missing or malformed: the package is broken, not the user's input.
    """
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    plan, regulation, guards = data["plan"], data["regulation"], data.get("guards", {})
    grade_of: dict[str, str] = {}
    for table in ("modifiers", "verbs"):
        for grade, words in plan[table].items():
            for word in words:
                if grade != "neutral":
                    grade_of.setdefault(word, grade)
    modals = {
        "plan": {w: g for g, words in plan["modals"].items() for w in words},
        "regulation": {w: g for g, words in regulation["modals"].items() for w in words},
    }
    markers = plan["markers"]["neutral"]
    modifiers = [w for words in plan["modifiers"].values() for w in words]
    verbs = [w for words in plan["verbs"].values() for w in words]
    nominal = frozenset(plan["nominal"]["verbs"])
    chain = [verb for verb in verbs if verb not in nominal]
    verb, chained = rf"(?:{_alternation(verbs)})(?!性|化(?!解))", rf"(?:{_alternation(chain)})(?!性|化(?!解))"
    first = "".join(sorted({word[0] for word in modifiers + verbs}))
    action = rf"(?=[{re.escape(first)}])(?:{_alternation(modifiers)})*{verb}(?:[和与及、]?{chained})*"
    return Lexicon(
        grades={"plan": tuple(plan["grades"]), "regulation": tuple(regulation["grades"])},
        modals={**modals, "plan_markers": dict.fromkeys(markers, "neutral")},
        grade_of=grade_of,
        nominal=nominal,
        modal_pattern={
            "plan": re.compile(_guarded(list(modals["plan"]) + markers, guards)),
            "regulation": re.compile(_guarded(modals["regulation"], guards)),
        },
        action_pattern=re.compile(action),
        graded_word=re.compile(_alternation(grade_of)),
    )


def assignment_annotations(text: str) -> list[tuple[int, int]]:
    """Spans of unit assignments, in text order: parenthesised ones （牵头单位：…）, （海关总署、商务部负责）,
    （…指导）, and lines that start with a unit label (牵头单位：…, as task-division tables give).

    A parenthesised annotation names who leads, is responsible, supports or guides, and stands at
    a sentence boundary (after 。； or a line start, or before 。； or a line end); (以下简称…)
    never counts.
    """
    spans = [match.span() for match in _LABEL_LINE.finditer(text)]
    for match in _PARENTHESES.finditer(text):
        inner = match.group()[1:-1]
        if "以下" in inner[:4] or not _ASSIGNMENT_WORDS.search(inner):
            continue
        start, end = match.span()
        before = text[:start].rstrip(" \t　")
        after = text[end:].lstrip(" \t　")
        if not before or before[-1] in "。；;！？\n" or not after or after[0] in "。；;！？\n":
            spans.append((start, end))
    return sorted(spans)


def _protected(text: str) -> tuple[list[int], list[int]]:
    spans = [m.span() for m in _PROTECTED.finditer(text)]
    return [s for s, _ in spans], [e for _, e in spans]


def _is_protected(position: int, starts: list[int], ends: list[int]) -> bool:
    index = bisect_right(starts, position) - 1
    return index >= 0 and position < ends[index]


def task_heading(text: str) -> int:
    """End offset of a task's heading sentence (加强行政调解工作。), or 0 when it has none.

    A heading is a first sentence of at most 40 characters with no comma, semicolon or colon,
    followed by more of the task (not only an annotation).
    """
    starts, ends = _protected(text)
    stop = next((m for m in _SENTENCE_END.finditer(text) if not _is_protected(m.start(), starts, ends)), None)
    if stop is None or stop.group() not in "。\n":
        return 0
    first = text[: stop.start()].strip()
    if not first or len(first) > _HEADING_MAX or re.search(r"[，,；;：:]", first):
        return 0
    rest = text[stop.end() :]
    for start, end in reversed(assignment_annotations(rest)):
        rest = rest[:start] + rest[end:]
    return stop.end() if HAN_CHAR.search(rest) else 0


def split_clauses(text: str, *, skip_heading: bool = False) -> list[Clause]:
    """The clauses of a task in text order, without assignment annotations.

    ``skip_heading`` drops the task's heading sentence (:func:`task_heading`); use it for plan
    tasks, not for regulation articles, whose first sentence is a provision.
    """
    starts, ends = _protected(text)
    annotations = assignment_annotations(text)
    cuts = [(s, e, True) for s, e in annotations]
    cuts += [
        (m.start(), m.end(), m.group() not in "，,")
        for m in _BREAK.finditer(text)
        if not _is_protected(m.start(), starts, ends)
    ]
    cuts.sort()
    clauses: list[Clause] = []
    position = task_heading(text) if skip_heading else 0
    sentence = 0
    for cut_start, cut_end, sentence_end in cuts + [(len(text), len(text), True)]:
        if cut_end <= position:
            continue
        fragment = text[position:cut_start]
        stripped = fragment.strip(" \t\r\n　")
        if HAN_CHAR.search(stripped):
            lead = position + fragment.index(stripped[0])
            clauses.append(Clause(lead, lead + len(stripped), sentence, stripped))
        position = max(position, cut_end)
        if sentence_end:
            sentence += 1
    return clauses


@dataclass(frozen=True)
class _Trigger:
    action_start: int
    action_end: int
    modal: str | None
    has_verb: bool = True


def _content_start(text: str, clause: Clause) -> int:
    connective = _CONNECTIVE.match(clause.text)
    return clause.start + (connective.end() if connective else 0)


def _fallback_action(text: str, position: int, end: int) -> int:
    """End of the verb (two characters at most) after a modal that no lexicon verb follows."""
    if text.startswith(_PREPOSITION + _DISPOSAL, position):
        return position
    word = re.match(f"[{HAN}]{{1,2}}", text[position:end])
    return position + len(word.group()) if word else position


def _choose_action(text: str, start: int, end: int, lexicon: Lexicon) -> re.Match | None:
    """The action of a stretch of clause: the lexicon verb phrase at its start, else the first
    one used as a verb (not a nominal-prone word, not followed by 情况/机制/和 …, not the object
    of an opening preposition); in 把/将 constructions the last one, as the verb follows its object."""
    opening = _OPENING_PREPOSITION.match(text, start)
    preposition = opening.group() if opening else ""

    def used_as_verb(match: re.Match) -> bool:
        nominal = _verb_of(match.group(), lexicon) in lexicon.nominal
        if match.start() == start:  # 建设…平台 is an action, 检查事项… a subject
            return not (nominal and _NOMINAL_USE.match(text, match.end()))
        return match.start() > start + len(preposition) and not nominal and not _NOMINAL_USE.match(text, match.end())

    candidates = (
        match
        for match in lexicon.action_pattern.finditer(text, start, end)
        if used_as_verb(match) and not _in_title(text, start, match.start())
    )
    if not text.startswith(_DISPOSAL, start):
        return next(candidates, None)  # the first one: no need to look further
    last = deque(candidates, maxlen=1)  # the last one
    return last.pop() if last else None


def _in_title(text: str, start: int, position: int) -> bool:
    """True when ``position`` lies inside a 《…》 title opened after ``start``."""
    return text.rfind("《", start, position) > text.rfind("》", start, position)


def _reports_a_fact(text: str, trigger: _Trigger, start: int) -> bool:
    """已在…设立了…, 已经建成…: a statement of what was done, not a commitment."""
    return (
        text.startswith("了", trigger.action_end)
        or _ACCOMPLISHED.search(text, max(start, trigger.action_start - 2), trigger.action_start) is not None
    )


def _find_trigger(
    text: str,
    clause: Clause,
    register: str,
    scope_modal: str | None,
    lexicon: Lexicon,
) -> tuple[_Trigger | None, str | None]:
    """The clause's action (or None) and the modal it states (or None)."""
    start, end = _content_start(text, clause), clause.end
    modal = lexicon.modal_pattern[register].search(text, start, end)
    if modal is not None:
        word = modal.group()
        # 应 is a deontic modal of regulations but only a directive marker (no grade) in plans
        stated = None if register == "plan" and word in lexicon.modals["plan_markers"] else word
        follow = lexicon.action_pattern.match(text, modal.end(), end)
        if follow:
            return _Trigger(modal.start(), follow.end(), stated or scope_modal), stated
        chosen = _choose_action(text, modal.end(), end, lexicon)
        if chosen:
            return _Trigger(chosen.start(), chosen.end(), stated or scope_modal), stated
        if stated:
            verb_end = _fallback_action(text, modal.end(), end)
            return _Trigger(modal.start(), max(verb_end, modal.end()), stated, verb_end > modal.end()), stated
    if register == "regulation":
        follow = lexicon.action_pattern.match(text, start, end) if scope_modal else None
        return (_Trigger(follow.start(), follow.end(), scope_modal) if follow else None), None
    chosen = _choose_action(text, start, end, lexicon)
    return (_Trigger(chosen.start(), chosen.end(), scope_modal) if chosen else None), None


def _verb_of(action: str, lexicon: Lexicon) -> str:
    """The last lexicon word of an action (its head verb)."""
    head = lexicon.head_verbs.get(action)
    if head is None:
        words = lexicon.graded_word.findall(action)
        head = lexicon.head_verbs[action] = words[-1] if words else action
    return head


def _leads_forward(clause: Clause) -> bool:
    return clause.text.startswith(_PREPOSITION) or bool(_ADVERBIAL_END.search(clause.text))


def _object(text: str, clause_start: int, trigger: _Trigger, clause_end: int) -> str | None:
    after = text[trigger.action_end : clause_end].strip(" \t　").lstrip("的了好")
    if after:
        return after
    before = text[clause_start : trigger.action_start]
    if before.startswith(_DISPOSAL):
        return before[1:].strip() or None
    return None


def match_obligations(text: str, clauses: list[Clause], *, register: str = "plan") -> list[Obligation]:
    """Group clauses into obligations (ungraded) in text order.

    Raises ValueError for a ``register`` other than ``"plan"`` or ``"regulation"``.
    """
    if register not in REGISTERS:
        raise ValueError(f"register must be one of {REGISTERS}, not {register!r}")
    lexicon = load_lexicon()
    return [
        obligation
        for _, sentence in groupby(clauses, key=attrgetter("sentence"))  # clauses come in sentence order
        for obligation in _sentence_obligations(text, list(sentence), register, lexicon)
    ]


def _qualifies_the_next(text: str, clause: Clause, trigger: _Trigger, *, last: bool) -> bool:
    """Whether a clause with a trigger is an opening time or condition (决策公布之日起三十日内,
    应当在…的基础上) that passes its modal on to the clause it qualifies."""
    if last:
        return False
    if not trigger.has_verb:
        return True
    return bool(_ADVERBIAL_END.search(clause.text)) and trigger.action_start > _content_start(text, clause)


def _sentence_obligations(text: str, sentence: list[Clause], register: str, lexicon: Lexicon) -> list[Obligation]:
    """The obligations of one sentence's clauses: each trigger opens one, and the clauses after it
    that do not lead forward extend it; none when the sentence reports what was done (设立了…)."""
    found: list[Obligation] = []
    scope_modal: str | None = None
    narrative = False  # a sentence that reports what was done commits no one
    current: dict | None = None
    pending: int | None = None
    for position, clause in enumerate(sentence):
        trigger, stated = _find_trigger(text, clause, register, scope_modal, lexicon)
        if trigger is not None and _reports_a_fact(text, trigger, clause.start):
            narrative = narrative or text.startswith("了", trigger.action_end)
            trigger = None
        if stated and lexicon.modals["regulation"].get(stated) != "prohibition":
            scope_modal = stated  # 应当 governs the clauses after it; 不得 only its own
        if trigger is not None and _qualifies_the_next(text, clause, trigger, last=position == len(sentence) - 1):
            trigger = None
        if trigger is not None:
            if current is not None:
                found.append(_obligation(text, **current))
            start = clause.start if pending is None else pending
            current = {"start": start, "end": clause.end, "clause": clause, "trigger": trigger}
            pending = None
        elif current is not None and not _leads_forward(clause):
            current["end"] = clause.end
        elif pending is None:
            pending = clause.start
    if current is not None:
        if pending is not None:
            current["end"] = sentence[-1].end
        found.append(_obligation(text, **current))
    return [] if narrative else found


def _obligation(text: str, start: int, end: int, clause: Clause, trigger: _Trigger) -> Obligation:
    return Obligation(
        start=start,
        end=end,
        text=text[start:end],
        action=text[trigger.action_start : trigger.action_end],
        object=_object(text, clause.start, trigger, clause.end),
        modal=trigger.modal,
    )


def commitment_strength(
    action: str,
    *,
    modal: str | None = None,
    register: str = "plan",
    quantified: bool = False,
) -> str:
    """The grade of an action (see models/README_strength.md for the rule).

    Regulations: the grade of the governing modal. Plans: a binding modal decides; otherwise a
    hedge (探索, 鼓励, 积极 …) anywhere in the action makes it ``explore``; otherwise the
    strongest word wins, and a clause with a quantified target or dated deadline is
    ``mandatory``. An action with no graded word is ``promote``.
    """
    lexicon = load_lexicon()
    if modal is not None and modal in lexicon.modals[register]:
        return lexicon.modals[register][modal]
    if register == "regulation":
        raise ValueError(f"a regulation obligation needs a deontic modal, got {modal!r}")
    grades = lexicon.grades["plan"]
    found = {lexicon.grade_of[word] for word in lexicon.graded_word.findall(action)}
    if "explore" in found:
        return "explore"
    if quantified:
        return grades[0]
    return min(found, key=grades.index) if found else "promote"


def obligations(
    text, *, register: str = "plan", skip_heading: bool = False, year: int | None = None
) -> Iterator[Obligation]:
    """Yield the graded obligations of a task's text (a str or a spaCy Doc) in text order.

    ``register`` is ``"plan"`` for plan tasks and ``"regulation"`` for articles; ``skip_heading``
    drops the task's heading sentence; ``year`` completes deadlines written without a year.
    Raises ValueError for an unknown register.
    """
    text = getattr(text, "text", text)
    for obligation in match_obligations(text, split_clauses(text, skip_heading=skip_heading), register=register):
        yield graded(obligation, register=register, found=list(targets(obligation.text, year=year)))


def graded(obligation: Obligation, *, register: str, found: list) -> Obligation:
    """``obligation`` with its strength, ``found`` being the targets found in its text (a
    quantified one makes a plan obligation mandatory: see :func:`commitment_strength`)."""
    return replace(
        obligation,
        strength=commitment_strength(
            obligation.action, modal=obligation.modal, register=register, quantified=is_quantified(found)
        ),
    )
