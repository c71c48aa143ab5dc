"""Character classes of Chinese text, defined once: Han characters, Chinese numerals, sentence ends.

Each is a string to put inside a regular-expression character class (``f"[{HAN}]"``).
"""

from __future__ import annotations

import re

HAN = "\u4e00-\u9fff"  # CJK Unified Ideographs: the Han characters of modern Chinese text
CN_DIGITS = "一二三四五六七八九十百千零〇两"  # the characters Chinese numerals are written with
SENTENCE_ENDS = "。；！？"  # full-width marks that end a sentence or a clause of a provision
SENTENCE_ENDS_ANY_WIDTH = SENTENCE_ENDS + ";!?"  # the same, with their half-width twins

HAN_CHAR = re.compile(f"[{HAN}]")
