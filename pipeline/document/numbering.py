"""Recognise the numbering that opens a heading line: 第一章, 一、, （一）, 1., （1）, ①, 第一条."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

from extractors.chinese import CN_DIGITS as _CN_DIGITS

_CN = f"[{_CN_DIGITS}]+"

# (style, pattern). Order matters: the first pattern that matches a line wins.
NUMBERING_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (style, re.compile(pattern))
    for style, pattern in (
        ("part", rf"^(第({_CN}|\d+)(?:编|部分))\s*"),
        ("chapter", rf"^(第({_CN}|\d+)章)\s*"),
        ("subchapter", rf"^(第({_CN}|\d+)节)\s*"),
        ("article", rf"^(第({_CN}|\d+)条(?:之[{_CN_DIGITS}]+)?)(?:\s+|$)"),
        ("cn", rf"^(({_CN})\s*[、.])\s*"),
        ("cn_paren", rf"^([（(]({_CN})[）)])\s*"),
        ("arabic", r"^((\d{1,3})(?:[.．](?!\d)|、))\s*"),
        ("arabic_paren", r"^([（(](\d{1,3})[）)])\s*"),
        ("arabic_half_paren", r"^((\d{1,2})[)）])\s*"),
        ("circled", r"^(([①-⑳]))\s*"),
    )
)
CHAPTER_STYLES = frozenset({"part", "chapter", "subchapter"})
# The rank of each style in the hierarchy, outermost first: 第X编/部分, 第X章, 第X节 and 第X条 for
# their genres, then the order GB/T 9704-2012 (7.3.3) fixes for the levels of an official
# document (一、 → （一） → 1. → （1）), then 1) and ①. A style nests under every style ranked above it,
# whatever order the styles first appear in.
STYLE_RANK: dict[str, int] = {
    style: rank
    for rank, style in enumerate(
        (
            "part",
            "chapter",
            "subchapter",
            "article",
            "cn",
            "cn_paren",
            "arabic",
            "arabic_paren",
            "arabic_half_paren",
            "circled",
        )
    )
}
# The characters a numbered line can start with: most lines are rejected by this one test.
_MAY_BE_NUMBERED = re.compile(rf"[第（(0-9①-⑳{_CN_DIGITS}]")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"  # list numbers ① to ⑳ (values 1 to 20)


@dataclass(frozen=True)
class Numbering:
    """A numbered line: its style, the number as written (e.g. （十三）), its value and the rest."""

    style: str
    number: str
    value: int
    rest: str


@lru_cache(maxsize=1024)
def numeral_value(numeral: str) -> int:
    """Return the integer of a Chinese, Arabic or circled numeral (十三 → 13, ⑤ → 5)."""
    if numeral in CIRCLED:
        return CIRCLED.index(numeral) + 1
    if numeral.isascii() and numeral.isdigit():
        return int(numeral)
    return int(cn2an.cn2an(numeral.replace("〇", "零"), "smart"))


def match_numbering(line: str) -> Numbering | None:
    """Return the :class:`Numbering` that opens ``line``, or None for an unnumbered line.

    ``line`` should be stripped. Chinese numerals are parsed with cn2an.
    """
    if not _MAY_BE_NUMBERED.match(line):
        return None
    for style, pattern in NUMBERING_STYLES:
        match = pattern.match(line)
        if match is None:
            continue
        try:
            value = numeral_value(match.group(2))
        except ValueError:
            continue
        return Numbering(style, match.group(1).strip(), value, line[match.end() :].strip())
    return None
