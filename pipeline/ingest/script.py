"""Traditional-character input (a Hong Kong, Macao or Taiwan copy, or a traditional mirror of a
mainland page): detect the script and give the simplified form that numbering, units and
obligations are matched on. Conversion is OpenCC's ``hk2s`` (standard, Hong Kong and Taiwan
traditional forms → simplified), whose dictionaries ship in its wheel: nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

SIMPLIFIED, TRADITIONAL = "simplified", "traditional"
_MIN_TRADITIONAL_SHARE = 0.1  # of the Han characters that t2s changes; a mainland text changes ~0


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("hk2s")  # t2s plus the Hong Kong variants (衞 → 卫); Taiwan forms convert too


def to_simplified(text: str) -> str:
    """``text`` with traditional characters written in simplified form, character for character
    (the result has the length of ``text``, so offsets stay valid)."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := _converter().convert(char)) == 1 else char for char in text)


def script_of(han: str) -> str:
    """TRADITIONAL when at least a tenth of the Han characters ``han`` (a sample) are traditional
    forms, else SIMPLIFIED."""
    if not han:
        return SIMPLIFIED
    simplified = to_simplified(han)
    if simplified == han:  # a mainland text: nothing to count
        return SIMPLIFIED
    changed = sum(1 for before, after in zip(han, simplified) if before != after)
    return TRADITIONAL if changed / len(han) >= _MIN_TRADITIONAL_SHARE else SIMPLIFIED
