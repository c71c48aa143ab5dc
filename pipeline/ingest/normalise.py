"""Selective normalisation of Chinese text, keeping an offset map back to the original.

NFKC would also rewrite Chinese punctuation such as （）and ：, which the numbering and
annotation patterns rely on, so only full-width ASCII letters, digits and a few symbols,
odd spaces and line endings are normalised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Full-width forms that become ASCII. Chinese punctuation （）：；，、。！？《》 stays as written.
_FULLWIDTH_KEEP = set("（）：；，！？")
_TRANSLATE: dict[int, str] = {}
for _code in range(0xFF01, 0xFF5F):
    _char = chr(_code)
    if _char not in _FULLWIDTH_KEEP:
        _TRANSLATE[_code] = chr(_code - 0xFEE0)
_TRANSLATE.update({0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x202F: " "})
# Characters dropped entirely: zero-width spaces and joiners, BOMs inside the text.
_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\r"}
_DROPPED = re.compile("[" + "".join(sorted(_DROP)) + "]")
# The characters of _TRANSLATE, found in C: str.translate looks up every character in a dict,
# which made it a twentieth of extraction time.
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_TRANSLATE)) + "]")


def _one_to_one(text: str) -> str:
    """``text`` with the characters of _TRANSLATE replaced (same length)."""
    return _TRANSLATED.sub(lambda match: _TRANSLATE[ord(match.group())], text)


@dataclass(frozen=True)
class NormalisedText:
    """Normalised text plus, for each of its characters, the index in the original text."""

    text: str
    original: str
    offsets: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span in the original text that ``text[start:end]`` came from."""
        if start >= len(self.offsets):
            return len(self.original), len(self.original)
        last = self.offsets[end - 1] + 1 if end > start else self.offsets[start]
        return self.offsets[start], last


def normalise(original: str) -> NormalisedText:
    """Normalise full-width ASCII, odd spaces, CRLF and zero-width characters.

    Returns a :class:`NormalisedText` whose ``offsets`` map every kept character back to its
    position in ``original``. Lone ``\\r`` line ends become ``\\n``. Characters are mapped
    one to one; only text that drops characters (CR of CRLF, zero-width
    spaces) walks the text to build its offsets.
    """
    if not _DROPPED.search(original):
        return NormalisedText(_one_to_one(original), original, range(len(original)))
    kept: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(original):
        if char in _DROP:
            if char == "\r" and original[index + 1 : index + 2] != "\n":  # a lone CR (old Mac)
                kept.append("\n")
                offsets.append(index)
            continue
        kept.append(_TRANSLATE.get(ord(char), char))
        offsets.append(index)
    return NormalisedText("".join(kept), original, tuple(offsets))
