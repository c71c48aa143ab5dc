"""Cited instruments: 《…》 titles and document numbers (国办发〔2018〕115号, 国务院令第713号).

Each citation carries its kind from the title's suffix (条例 → regulation, 办法 → measures …,
see :data:`TITLE_KINDS`) and its relation to the citing document: ``basis`` when the text names
it as what the document is made under (根据《…》和《…》精神, 依据《…》, 为贯彻落实《…》 opening a
clause of the preamble, or 根据《…》…制定本条例 anywhere), ``cites`` otherwise. A document number
written right after a title (《…》（国办发〔1993〕71号）) belongs to that title's citation.
Abbreviations defined in the text (《…》（以下简称《方案》）) are reported under the full title.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate

from extractors.chinese import HAN

_TITLE = re.compile(r"《(?P<title>[^《》]{1,150})》")
_SPACE = re.compile(r"\s+")
_BRACKET_YEAR = r"[〔\[［【(（]\s*(?P<year>\d{4})\s*[〕\]］】)）]"
_DOC_NUMBER = re.compile(
    rf"{_BRACKET_YEAR}\s*第?\s*(?P<serial>\d{{1,5}})\s*号|(?<=令)\s*第\s*(?P<order_serial>\d{{1,5}})\s*号"
)
_ISSUER = re.compile(rf"[{HAN}]{{1,14}}$")
_ISSUER_LEAD = re.compile(
    r"^.*?(?:按照|根据|依据|依照|参照|贯彻|落实|执行|印发|转发|见|和|及|与|或|的|以|经|于|是|即|、)" f"(?=[{HAN}]{{2}})"
)
_NATION = "中华人民共和国"
_ALIAS = re.compile(r"》\s*[（(][^（）()]{0,60}?以下(?:简)?称\s*《(?P<alias>[^《》]{1,30})》")
_HANDED_ON_BEFORE = re.compile(r"(?:印发|转发|发布|颁布|公布|下发|批转)\s*$")
_HANDED_ON_AFTER = re.compile(r"[^。\n]{0,60}?(?:印发|转发|下发)给")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！？\n]")
_BASIS_LEAD = re.compile(
    r"(?:^|(?<=[，,。；;：:\n]))\s*(?:为了?(?:认真|全面|深入)?(?:贯彻落实|贯彻|落实)|根据|依据|依照|按照)"
)
# 根据…制定本条例 in one sentence (or 为了实施《X》…制定本办法, how an implementing measure names the
# law it carries out). Each lead's scope runs to the first comma (or to 制定本) and is taken once,
# without backtracking; the rest of the sentence is only looked ahead at, so that every lead of
# one sentence has its scope (为了实施《X》，根据《Y》，…制定本办法). Scope and look-ahead are bounded,
# so a long line with no full stop costs time in proportion to its length, not to its square.
_SENTENCE_MAX = 300
_MADE_UNDER = re.compile(
    rf"(?:根据|依据|依照|为了?(?:贯彻)?实施(?=《))(?P<scope>(?:(?!制定本)[^，,。；;\n]){{0,{_SENTENCE_MAX}}}+)"
    rf"(?=[^。；;\n]{{0,{_SENTENCE_MAX}}}?制定本[{HAN}]{{1,6}}?(?:[。，,；;]|$))"
)
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")
_REVISION = re.compile(
    r"[（(](?:\d{4}年)?(?:修订|修正|修改|版|本)?(?:\d{4}年)?(?:修订|修正|修改)?(?:版|本|文本)?[）)]$"
)

#: Title suffix → kind, longest suffix first.
TITLE_KINDS: tuple[tuple[str, str], ...] = (
    ("实施细则", "rules"),
    ("细则", "rules"),
    ("规则", "rules"),
    ("暂行条例", "regulation"),
    ("条例", "regulation"),
    ("暂行办法", "measures"),
    ("办法", "measures"),
    ("规定", "provisions"),
    ("纲要", "outline"),
    ("规划", "plan"),
    ("计划", "work_plan"),
    ("预案", "contingency_plan"),
    ("方案", "programme"),
    ("意见", "opinion"),
    ("通知", "notice"),
    ("通报", "circular"),
    ("决定", "decision"),
    ("决议", "resolution"),
    ("批复", "reply"),
    ("复函", "reply"),
    ("请示", "request"),
    ("报告", "report"),
    ("汇报", "report"),
    ("提案", "proposal"),
    ("建议", "proposal"),
    ("标准", "standard"),
    ("规范", "standard"),
    ("准则", "standard"),
    ("指南", "guideline"),
    ("指引", "guideline"),
    ("目录", "list"),
    ("清单", "list"),
    ("章程", "charter"),
    ("宪法", "law"),
    ("法典", "law"),
    ("法", "law"),
)


@dataclass(frozen=True)
class Citation:
    """A cited instrument in a text, with offsets of the citation as written.

    ``cited_title`` is the title without 《》 and whitespace (an abbreviation defined in the
    text is replaced by the full title); ``doc_number`` is a document number written with the
    title or on its own (then ``cited_title`` is empty).
    """

    cited_title: str
    kind: str
    relation: str
    doc_number: str
    start: int
    end: int


def clean_title(written: str) -> str:
    """A title as cited, without whitespace or line breaks (titles may wrap in HTML)."""
    return _SPACE.sub("", written)


def title_kind(title: str) -> str:
    """The kind of instrument a title names, from its suffix (``"…条例"`` → ``"regulation"``).

    Trailing notes such as （试行）, （草案） or （2023—2025年） are ignored; a title with no known
    suffix is ``"other"``.
    """
    core = clean_title(title)
    while _TRAILING_NOTE.search(core) and not _TRAILING_NOTE.fullmatch(core):
        core = _TRAILING_NOTE.sub("", core)
    for suffix, kind in TITLE_KINDS:
        if core.endswith(suffix) and not (suffix == "法" and core.endswith(("方法", "做法", "想法", "说法"))):
            return kind
    return "other"


def display_title(title: str) -> str:
    """A title as shown and named in the graph: as written, without whitespace, 《》〈〉, double
    quotes or the 中华人民共和国 prefix."""
    shown = re.sub(r"[《》〈〉“”\"]", "", clean_title(title or ""))
    return shown.removeprefix(_NATION)


def title_key(title: str) -> str:
    """The form of a title used to compare titles across documents: its
    :func:`display_title` without the other quotation marks and a trailing revision note such as
    （2019年修订）, brackets and dashes unified. Years that are part of the title
    (2024年法治政府建设工作计划, （2015—2020年）) are kept: they tell editions apart.
    """
    key = re.sub(r"[<>'‘’「」『』]", "", display_title(title))
    key = key.replace("(", "（").replace(")", "）")
    key = re.sub(r"[—–－-]+", "-", key)
    if key.startswith(_NATION):
        key = key[len(_NATION) :]
    key = _REVISION.sub("", key)
    return key


def _document_numbers(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, str]]:
    """(start, end, normalised number) of each document number in ``text[start:end]``."""
    end = len(text) if end is None else end
    for match in _DOC_NUMBER.finditer(text, start, end):
        head = match.start()
        written = _ISSUER.search(text, max(0, head - 14), head)
        if written is None:
            continue
        issuer = written.group()
        issuer = issuer[issuer.rindex(_NATION) + len(_NATION) :] if _NATION in issuer[:-1] else issuer
        issuer = _ISSUER_LEAD.sub("", issuer)
        begin = written.end() - len(issuer)
        if match.group("serial"):
            number = f"{issuer}〔{match.group('year')}〕{match.group('serial')}号"
        else:
            number = f"{issuer}第{match.group('order_serial')}号"
        yield begin, match.end(), number


def number_key(written: str) -> str:
    """The form of a document number used to compare numbers (国办发〔2018〕115号).

    Brackets are unified to 〔〕, 中华人民共和国 is dropped and 国务院令 is written 国令, as the
    State Council abbreviates its orders.
    """
    written = clean_title(written)
    number = next((number for _, _, number in _document_numbers(written)), written)
    return "国令" + number[len("国务院令") :] if number.startswith("国务院令") else number


def title_aliases(text: str) -> dict[str, str]:
    """Abbreviations the text defines for titles: ``{"方案": "国家组织药品…试点方案"}``."""
    aliases: dict[str, str] = {}
    for title in _TITLE.finditer(text):
        alias = _ALIAS.match(text, title.end() - 1)
        if alias:
            aliases[clean_title(alias.group("alias"))] = clean_title(title.group("title"))
    return aliases


def handed_on(title: str) -> set[str]:
    """Keys of the titles that ``title`` hands on: every 《…》 of a title where one follows
    印发/转发/发布… (关于印发《A》和《B》的通知 → A, B); none when it only quotes another
    (山东省实施《道路交通安全法》办法 carries the law out, it is not the law)."""
    quoted = list(_TITLE.finditer(title or ""))
    if not any(_follows_handing_on(title, match.start()) for match in quoted):
        return set()
    return {title_key(match.group("title")) for match in quoted} - {""}


def _follows_handing_on(text: str, start: int) -> bool:
    """Whether 印发/转发/发布… ends just before position ``start`` of ``text``."""
    return _HANDED_ON_BEFORE.search(text, max(0, start - 4), start) is not None


def own_references(title: str, doc_number: str = "", front_matter: str = "") -> frozenset[str]:
    """Keys of the document's own title and number, which are never citations of another document.

    They are the record's title and number, the titles the title hands on (:func:`handed_on`:
    关于印发《…》的通知, but not the law a 实施《…》办法 quotes, which it cites), and the titles its
    transmittal notice hands on (印发《…》, 《…》…现转发给你们).
    """
    keys = ({title_key(title)} if title else set()) | handed_on(title)
    for match in _TITLE.finditer(front_matter):
        if _follows_handing_on(front_matter, match.start()) or _HANDED_ON_AFTER.match(front_matter, match.end()):
            keys.add(title_key(match.group("title")))
    if doc_number:
        keys.add(number_key(doc_number))
    return frozenset(keys)


class _Spans:
    """Spans of a text, answering "is start…end inside one of them?" in logarithmic time, so that
    a text with thousands of citations costs no more per citation than a short one."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))  # furthest end so far

    def cover(self, start: int, end: int) -> bool:
        """True when one span begins at or before ``start`` and ends at or after ``end``."""
        last = bisect_right(self._starts, start) - 1
        return last >= 0 and self._reach[last] >= end


def _basis_spans(text: str, *, preamble: bool) -> list[tuple[int, int]]:
    """Spans whose titles are the text's basis: a 根据/依据… clause (preamble) or 根据…制定本…."""
    spans = []
    if preamble:
        for lead in _BASIS_LEAD.finditer(text):
            stop = _CLAUSE_BREAK.search(text, lead.end())
            spans.append((lead.end(), stop.start() if stop else len(text)))
    for made in _MADE_UNDER.finditer(text):
        spans.append(made.span("scope"))
    return spans


def citations(
    text,
    *,
    preamble: bool = False,
    own: Iterable[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> Iterator[Citation]:
    """Yield the citations in ``text`` (a str or a spaCy Doc) in document order.

    ``preamble`` says the text is a document's front matter, where a 根据/依据/按照/为贯彻落实
    clause names the document's basis. ``own`` holds keys (:func:`own_references`) of the
    document's own title and number, which are skipped. ``aliases`` maps abbreviations defined
    anywhere in the document to full titles (:func:`title_aliases` of the whole document; by
    default, of ``text`` alone). Never raises.
    """
    text = getattr(text, "text", text)
    own = frozenset(own)
    aliases = title_aliases(text) if aliases is None else aliases
    basis = _Spans(_basis_spans(text, preamble=preamble))
    definitions = {m.start("alias") - 1 for m in _ALIAS.finditer(text)}
    found: list[Citation] = []
    attached: set[int] = set()
    for match in _TITLE.finditer(text):
        if match.start() in definitions:
            continue
        title = clean_title(match.group("title"))
        title = aliases.get(title, title)
        if title_key(title) in own:
            continue
        relation = "basis" if basis.cover(match.start(), match.end()) else "cites"
        number = ""
        if text.startswith(("（", "("), match.end()):
            numbered = next(_document_numbers(text, match.end() + 1, match.end() + 24), None)
            if numbered and numbered[0] == match.end() + 1:
                number = numbered[2]
                attached.add(numbered[0])
        found.append(Citation(title, title_kind(title), relation, number, match.start(), match.end()))
    titles = _Spans((citation.start, citation.end) for citation in found)
    for start, end, number in _document_numbers(text):
        if start in attached or number_key(number) in own or titles.cover(start, start + 1):
            continue
        relation = "basis" if basis.cover(start, end) else "cites"
        found.append(Citation("", "document", relation, number, start, end))
    yield from sorted(found, key=lambda citation: citation.start)
