"""Quantified targets and deadlines in a clause: ratios, counts, durations, amounts, deadlines,
frequencies and coverage, each with its value, unit of measure and comparator.

Kinds and what they hold:

- ``ratio``: a percentage or percentage points (出庭应诉率100% → =, 100, %).
- ``count``: a number of things (两名以上 → >=, 2, 名).
- ``duration``: a length of time that is not a time limit (不少于60学时 → >=, 60, 学时).
- ``amount``: money (500万元 → =, 500, 万元).
- ``deadline``: a time limit, relative (决策公布之日起三十日内 → <=, 30, 日, anchored on
  决策公布) or by calendar date (2024年底前, 年内 → <=, due_date 2024-12-31).
- ``frequency``: how often (每年 → =, 1, 年; 每季度至少一次 → >=, 1, 季度; 按季度 → =, 1, 季度;
  一次性 → =, 1, 次).

A bare number that opens the name of a system (全面落实一次性告知制度, 行政执法三项制度) is no target:
nothing is measured.
- ``coverage``: full coverage (全覆盖 → =, 100, %).

Comparators follow the convention of legal drafting: 不少于/不低于/至少/以上 → >=, 不超过/不高于/最多/
以内/以下 → <=; a comparison verb (超过, 低于 …) negated with 不, 不得, 不应 … bounds the other way and
includes the number (不得超过 → <=, 不得少于 → >=); 及以上/或以下 as 以上/以下. A frequency reads them
before its count (每年活动不少于两次 → >=) and after it (每年监测一次以上 → >=).

Numbers may be Arabic (full- or half-width) or Chinese (三十, 两); Chinese numerals are read
with cn2an. Text inside 《…》 titles is never a target, counts inside “…” slogans are not
counted (“一件事”), nor is a bare 一 before a measure word (一个平台, 一批企业).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import cn2an

from extractors.chinese import HAN

_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9]|[二三]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])"
_NUMBER = rf"(?:[0-9０-９]+(?:[.．][0-9０-９]+)?|[{_CN_DIGITS}]+)"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

# Comparators by convention. A comparison verb says more (超过, 高于 …) or less (低于, 少于 …); negated
# (不, 不得, 不应 …) it bounds the other way and includes the number: 不得超过 → <=, 不少于 → >=.
_MORE_VERBS, _LESS_VERBS = ("超过", "高于", "多于", "大于"), ("低于", "少于", "小于")
_NEGATIONS = ("不得", "不应", "不宜", "不能", "不可", "不")
_BOUNDS = {"至少": ">=", "最少": ">=", "最多": "<="}
_REACHED = "达到|达|提高到|提高至|提升到|提升至|增加到|增加至|增长到|保持在"  # a level reached: >=
_CUT_TO = "控制在|压缩到|压缩至|缩短到|缩短至|减少到|减少至|降低到|降低至|降至"  # a level cut to: <=
# What bounds a count (次): the comparison verbs, negated or not, and 至少/最少/最多.
_COUNT_BOUNDS = {
    **{negation + verb: "<=" for negation in _NEGATIONS for verb in _MORE_VERBS},
    **{negation + verb: ">=" for negation in _NEGATIONS for verb in _LESS_VERBS},
    **_BOUNDS,
    **dict.fromkeys(_MORE_VERBS, ">"),
    **dict.fromkeys(_LESS_VERBS + ("不足",), "<"),
}
_COMPARATOR_BEFORE = {
    **_COUNT_BOUNDS,
    **dict.fromkeys(_REACHED.split("|"), ">="),
    **dict.fromkeys(_CUT_TO.split("|"), "<="),
}
# After the number: 以上 and 以下 include it (及以上, 或以下 too), 以内 bounds it, 左右 is about it.
_COMPARATOR_AFTER = {
    **{joint + "以上": ">=" for joint in ("", "及", "或")},
    **{joint + "以下": "<=" for joint in ("", "及", "或")},
    "以内": "<=",
    "之内": "<=",
    "左右": "~",
}
_COMPARATOR = {**_COMPARATOR_BEFORE, **_COMPARATOR_AFTER}


def _alternatives(words: dict[str, str]) -> str:
    """A regex alternation of ``words``, longest first (不得超过 before 超过)."""
    return "|".join(sorted(words, key=len, reverse=True))


_BEFORE = rf"(?P<before>{_alternatives(_COMPARATOR_BEFORE)})?"
_AFTER = rf"(?P<after>{_alternatives(_COMPARATOR_AFTER)})?"

_DURATION_UNITS = "学时|课时|小时|分钟|个工作日|工作日|天|日|个星期|星期|周|个月|年"
_COUNT_UNITS = "人次|个|项|家|名|人|所|件|条|批|类|户|座|台|套|部|种|场|期|轮|次"
_PERIODS = "年度|年|半年|季度|季|月|周|星期|日|天"
_UNIT_NAMES = {"个工作日": "工作日", "个月": "月", "个星期": "周", "星期": "周", "天": "日", "年度": "年", "季": "季度"}

# Words between a period and its count (每年组织开展不少于两次): no numeral, no clause end. Only
# a bound of a count may follow them (每年下达两次 holds no 达 "reached").
_FREQUENCY_GAP = rf"[^，,。；;{_CN_DIGITS}0-9]{{0,6}}?"

_PATTERNS = [
    ("anchored_deadline", rf"(?:之日起|之日后|后|起)(?P<number>{_NUMBER})(?P<unit>{_DURATION_UNITS})(?:内|以内|之内)"),
    ("relative_deadline", rf"(?P<number>{_NUMBER})(?P<unit>{_DURATION_UNITS})(?:内|以内|之内)"),
    (
        "dated_deadline",
        rf"(?:(?P<year>\d{{4}})年(?:年?底|年?末)?|(?:(?P<month_year>\d{{4}})年)?(?P<month>{_MONTH})月"
        rf"(?:(?P<day>{_DAY})日|底|末|份)?|(?P<this_year>年底|年末))(?:前|之前|以前)",
    ),
    ("target_year", r"(?:到|至)(?P<year>\d{4})年(?P<year_end>底|末)?"),
    (
        "frequency",
        rf"(?:每|按(?=季度|季|月|半年|周))(?P<period>{_PERIODS})"
        rf"(?:(?:{_FREQUENCY_GAP}(?P<before>{_alternatives(_COUNT_BOUNDS)}))?"
        rf"{_FREQUENCY_GAP}(?P<number>{_NUMBER})次{_AFTER})?",
    ),
    ("within_year", rf"(?<![{_CN_DIGITS}0-9])(?:今年|本年度?|年)内"),
    ("once", r"一次性"),
    ("coverage", r"全(?:面)?覆盖"),
    ("ratio", rf"{_BEFORE}(?:(?P<number>{_NUMBER})\s*(?P<unit>%|％|个百分点)|百分之(?P<number_cn>{_NUMBER})){_AFTER}"),
    ("amount", rf"{_BEFORE}(?P<number>{_NUMBER})(?P<unit>(?:万亿|千万|百万|万|亿)?元){_AFTER}"),
    (
        "measure",
        rf"{_BEFORE}(?<![第上下近{_CN_DIGITS}0-9])(?P<number>{_NUMBER})"
        rf"(?P<unit>{_DURATION_UNITS}|(?:万|千)?(?:{_COUNT_UNITS})){_AFTER}",
    ),
]
# Every target starts with one of these characters; testing them first keeps the scan fast.
_FIRST = (
    rf"[之后起到至每按今本一全百0-9０-９{_CN_DIGITS}年{''.join(sorted({w[0] for w in _COMPARATOR if len(w) > 1}))}]"
)
_TARGET = re.compile(
    f"(?={_FIRST})(?:"
    + "|".join(f"(?P<{name}>{pattern.replace('(?P<', f'(?P<{name}_')})" for name, pattern in _PATTERNS)
    + ")"
)
_MASKED = re.compile(r"《[^《》]*》")
_QUOTED = re.compile(r"“[^“”]*”")
# A system or programme whose name holds a number: 一次性告知制度, 行政执法三项制度.
_SYSTEM_NAME = re.compile(rf"[{HAN}]{{0,4}}?(?:制度|机制|模式|改革|工程|体系)")
_ANCHOR = re.compile(r"[^，,。；;：:、（）()\s]{1,40}$")
_ANCHOR_LEAD = re.compile(r"^.*(?:自|从|在|于)(?![治主身然动愿行己由])(?=.)")


@dataclass(frozen=True)
class Target:
    """A quantified target or deadline in a text, with offsets of its span ``text``.

    ``value`` is a float (None for calendar deadlines); ``due_date`` is an ISO date for calendar
    deadlines (``--MM-DD`` when the year is unknown); ``anchor`` is the event a relative deadline
    runs from (决策公布).
    """

    kind: str
    value: float | None
    unit_of_measure: str | None
    comparator: str
    text: str
    start: int
    end: int
    anchor: str | None = None
    due_date: str | None = None


def read_number(numeral: str) -> float | None:
    """The value of an Arabic or Chinese numeral (``"三十"`` → 30.0); None if it is not one."""
    numeral = numeral.translate(_FULL_WIDTH)
    try:
        return float(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError):
        return None


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _due_date(year: int | None, month: int | None, day: int | None) -> str | None:
    if month is None:
        return f"{year:04d}-12-31" if year else None
    if not 1 <= month <= 12:
        return None
    if day is None:
        day = calendar.monthrange(year or 2001, month)[1]  # a non-leap year when unknown
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _comparator(groups: dict, prefix: str, default: str = "=") -> str:
    before, after = groups.get(f"{prefix}_before"), groups.get(f"{prefix}_after")
    if before and not (before in ("达到", "达") and after):
        return _COMPARATOR[before]
    return _COMPARATOR[after] if after else default


def _whole(numeral: str | None) -> int | None:
    """The whole number a matched numeral (三十, 6) spells; None when there is none."""
    value = read_number(numeral) if numeral else None
    return int(value) if value is not None else None


@dataclass(frozen=True)
class _Found:
    """One match of the target pattern: its kind (the named group that matched), the groups that
    matched, its span in ``text``, and the document's year."""

    match: re.Match
    text: str
    year: int | None

    @property
    def kind(self) -> str:
        return self.match.lastgroup or ""

    @cached_property
    def groups(self) -> dict[str, str]:
        return {key: value for key, value in self.match.groupdict().items() if value is not None}

    def number(self, name: str = "number") -> float | None:
        """The value of the kind's numeral group ``name``; None when it did not match."""
        group = f"{self.kind}_{name}"
        return read_number(self.groups[group]) if group in self.groups else None

    def unit(self) -> str:
        """The kind's unit, in its standard spelling (天 → 日 …)."""
        written = self.groups[f"{self.kind}_unit"]
        return _UNIT_NAMES.get(written, written)

    def target(self, kind: str, value: float | None, measure: str, comparator: str, **dates) -> Target:
        """A target over the whole match."""
        start, end = self.match.span()
        return Target(kind, value, measure, comparator, self.match.group(), start, end, **dates)


def _time_limit(found: _Found) -> Target | None:
    """A time limit (三十日内), with the event it runs from when one precedes it (公布之日起)."""
    start, end = found.match.span()
    anchor = None
    if found.kind == "anchored_deadline":
        before = _ANCHOR.search(found.text, max(0, start - 40), start)
        if before is None:
            return None
        anchor = _ANCHOR_LEAD.sub("", before.group())
        start = before.end() - len(anchor)
    value = found.number()
    if value is None:
        return None
    written = found.text[start:end]
    if found.unit() == "年" and value >= 1000:  # 2024年内: within a calendar year
        return Target("deadline", None, "date", "<=", written, start, end, due_date=f"{int(value):04d}-12-31")
    return Target("deadline", value, found.unit(), "<=", written, start, end, anchor=anchor)


def _calendar_deadline(found: _Found) -> Target:
    """A dated deadline (2024年6月底前) or target year, completed with the document's year."""
    groups, kind = found.groups, found.kind
    written_year = groups.get(f"{kind}_year") or groups.get(f"{kind}_month_year")
    due = _due_date(
        int(written_year) if written_year else found.year,
        _whole(groups.get(f"{kind}_month")),
        _whole(groups.get(f"{kind}_day")),
    )
    return found.target("deadline", None, "date", "<=", due_date=due)


def _frequency(found: _Found) -> Target:
    """How often (每年一次, 每季度至少两次)."""
    period = found.groups["frequency_period"]
    return found.target(
        "frequency", found.number() or 1.0, _UNIT_NAMES.get(period, period), _comparator(found.groups, found.kind)
    )


def _within_year(found: _Found) -> Target:
    """年内 / 年底前: the end of the document's year."""
    due = f"{found.year:04d}-12-31" if found.year else None
    return found.target("deadline", None, "date", "<=", due_date=due)


def _ratio(found: _Found) -> Target | None:
    """A percentage or percentage points."""
    value = found.number() if f"{found.kind}_number" in found.groups else found.number("number_cn")
    measure = "百分点" if found.groups.get(f"{found.kind}_unit", "%") == "个百分点" else "%"
    return None if value is None else found.target("ratio", value, measure, _comparator(found.groups, found.kind))


def _quantity(found: _Found) -> Target | None:
    """An amount, a count or a duration; None for a year (2024年), a calendar day (6月30日) or
    an article such as 一个平台."""
    value = found.number()
    if value is None:
        return None
    kind, groups, measure = found.kind, found.groups, found.unit()
    comparator = _comparator(groups, kind)
    if kind == "amount":
        return found.target("amount", value, measure, comparator)
    is_duration = re.fullmatch(_DURATION_UNITS, groups[f"{kind}_unit"]) is not None
    if is_duration and (measure == "年" and value >= 1000 or "〇" in groups[f"{kind}_number"]):
        return None  # a year such as 2024年, not a duration
    if is_duration and measure == "日" and found.text[max(0, found.match.start(f"{kind}_number") - 1)] == "月":
        return None  # a calendar day such as 6月30日
    if not is_duration and groups[f"{kind}_number"] == "一" and comparator == "=":
        return None  # 一个平台, 一批企业: an article, not a target
    return found.target("duration" if is_duration else "count", value, measure, comparator)


_READ_BY_KIND: dict[str, Callable[[_Found], Target | None]] = {
    "anchored_deadline": _time_limit,
    "relative_deadline": _time_limit,
    "dated_deadline": _calendar_deadline,
    "target_year": _calendar_deadline,
    "frequency": _frequency,
    "within_year": _within_year,
    "once": lambda found: found.target("frequency", 1.0, "次", "="),
    "coverage": lambda found: found.target("coverage", 100.0, "%", "="),
    "ratio": _ratio,
}


def _target(match: re.Match, text: str, year: int | None) -> Target | None:
    """The target one match of the pattern reads as, by its kind; None when it is not one."""
    found = _Found(match, text, year)
    return _READ_BY_KIND.get(found.kind, _quantity)(found)


def targets(text, *, year: int | None = None) -> Iterator[Target]:
    """Yield the targets and deadlines in ``text`` (a str or a spaCy Doc) in document order.

    ``year`` completes calendar deadlines written without one (6月30日前, 年底前). Never raises on
    odd text: a numeral cn2an cannot read is skipped.
    """
    text = getattr(text, "text", text)
    if _TARGET.search(text) is None:  # most clauses: nothing to mask or read
        return
    titles = _spans(_MASKED, text)
    quoted = _spans(_QUOTED, text)
    for match in _TARGET.finditer(text):
        if _inside(titles, *match.span()):
            continue
        target = _target(match, text, year)
        if target is None:
            continue
        if target.kind == "count" and _inside(quoted, target.start, target.end):
            continue
        if _names_a_system(match, text):
            continue
        yield target


def _names_a_system(match: re.Match, text: str) -> bool:
    """True when a bare number (一次性, 三项) opens the name of a system (一次性告知制度): a name,
    with nothing measured. A frequency with its period (每季度一次) or a comparator is a target."""
    if match.lastgroup not in ("once", "measure") or match.group("measure_before") or match.group("measure_after"):
        return False
    return _SYSTEM_NAME.match(text, match.end()) is not None


def is_quantified(found: list[Target]) -> bool:
    """True when the targets set a measurable commitment (anything but a bare frequency)."""
    return any(target.kind != "frequency" for target in found)
