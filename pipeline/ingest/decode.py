"""Bytes → Unicode for Chinese documents: UTF-8/UTF-32/UTF-16 BOMs, UTF-8, GB18030, then a detector.

Detectors often mislabel GB18030 text as GB2312 or Big5, so UTF-8 and GB18030 are tried first and
every candidate must look like real Chinese: most of its Han characters must be common ones
(GB2312 level 1), in their simplified form for traditional text (Big5, or UTF-8 from Hong Kong,
Macao or Taiwan), which mojibake from a wrong codec rarely is.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path

from charset_normalizer import from_bytes

from extractors.chinese import HAN
from pipeline.errors import InputError
from pipeline.ingest.script import to_simplified

_BOMS = (  # UTF-32's BOMs before UTF-16's: FF FE 00 00 starts with UTF-16 LE's FF FE
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE_HAN = 4000
_MIN_COMMON_HAN_SHARE = 0.6
_MAX_CONTROL_SHARE = 0.01
_SAVE_AS_UTF8 = "save it as UTF-8 (or GB18030) text and run again"


_NOT_HAN = re.compile(f"[^{HAN}]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_HAN_SCAN = 50000  # characters searched for the sample: a web page's Chinese may start late
_SCAN_STEP = 8000


@lru_cache(maxsize=1)
def common_han() -> frozenset[str]:
    """The 3,755 level-1 characters of GB2312, which make up nearly all real Chinese text."""
    return frozenset(
        bytes([lead, trail]).decode("gb2312")
        for lead in range(0xB0, 0xD8)
        for trail in range(0xA1, 0xFF)
        if not (lead == 0xD7 and trail > 0xF9)
    )


@lru_cache(maxsize=1)
def _without_common_han() -> dict[int, None]:
    """A ``str.translate`` table deleting :func:`common_han`, so that counting them runs in C."""
    return dict.fromkeys(map(ord, common_han()))


def han_sample(text: str) -> str:
    """The first 4,000 Han characters among the first 50,000 characters of ``text``."""
    sample = ""
    for start in range(0, min(len(text), _HAN_SCAN), _SCAN_STEP):
        sample += _NOT_HAN.sub("", text[start : min(start + _SCAN_STEP, _HAN_SCAN)])
        if len(sample) >= _SAMPLE_HAN:
            break
    return sample[:_SAMPLE_HAN]


def looks_like_chinese(text: str) -> bool:
    """Return True when ``text`` reads as Chinese rather than mojibake or binary noise.

    Requires few control characters, and, when the text has Han characters, that most of a sample
    of them are common ones. Text with no Han characters at all is accepted here; callers decide
    whether an empty or non-Chinese document is usable.
    """
    if not text:
        return True
    head = text[:20000]
    if len(_CONTROL.findall(head)) > _MAX_CONTROL_SHARE * len(head):
        return False
    han = han_sample(text)
    if not han:
        return True
    return _common_share(han) >= _MIN_COMMON_HAN_SHARE or _common_share(to_simplified(han)) >= _MIN_COMMON_HAN_SHARE


def _common_share(han: str) -> float:
    """The share of the Han characters ``han`` that are common ones (:func:`common_han`)."""
    return (len(han) - len(han.translate(_without_common_han()))) / len(han)


def _ends_mid_character(data: bytes, encoding: str) -> bool:
    """True when ``data`` is valid in ``encoding`` except for a character cut off at the end."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        if error.start < len(data) - 3:
            return False
        try:
            return looks_like_chinese(data[: error.start].decode(encoding))
        except UnicodeDecodeError:
            return False
    return False


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """Decode a document's bytes; return ``(text, encoding)``.

    Raises :class:`InputError` for binary data (NUL bytes outside UTF-16), for UTF-8 cut off in
    the middle of a character (a truncated file), and when no encoding gives Chinese-looking text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise InputError(path, f"damaged {encoding} text (byte {error.start})", _SAVE_AS_UTF8) from None
    if b"\x00" in data[:65536]:
        raise InputError(
            path,
            "binary data, not a text document",
            "check the file is really a plan (.txt/.md/.html/.docx/.pdf) and not renamed",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if looks_like_chinese(text):
            return text, "utf-8"
    for encoding in ("utf-8", "gb18030"):
        if _ends_mid_character(data, encoding):
            raise InputError(
                path,
                f"truncated file: it ends in the middle of a {encoding.upper()} character",
                "copy or download the file again",
            )
    candidates = ["gb18030"]
    best = from_bytes(data[:200000]).best()
    if best is not None and best.encoding not in ("utf_8", "gb18030"):
        candidates.append(best.encoding)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if looks_like_chinese(text):
            return text, encoding
    raise InputError(path, "unknown text encoding: no Chinese text could be decoded", _SAVE_AS_UTF8)
