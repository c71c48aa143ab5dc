"""Administrative divisions (GB/T 2260 codes) and which jurisdiction contains which.

The table is the ``adcodes.csv`` that the ``cpca`` package ships (3,511 divisions: provinces,
prefectures and leagues, counties and banners, each with its 12-digit code), read once through
:mod:`importlib.resources`, never from the network. A jurisdiction is written as the significant
prefix of its code: "" for the whole country, 2 digits for a province or region (15 内蒙古自治区),
4 for a prefecture or league (1529 阿拉善盟), 6 for a county or banner (152921 阿拉善左旗);
one contains another when its prefix is a shorter prefix of the other's (阿拉善左旗 ⊂ 阿拉善盟 ⊂
内蒙古自治区; 洛阳市 ⊂ 河南省; 深圳市 ⊂ 广东省).
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

NATIONAL = ""
_PREFIX_LEVELS = {0: "national", 2: "province", 4: "prefecture", 6: "county"}
_GENERIC = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@functools.cache
def _prefixes_by_name() -> dict[str, tuple[str, ...]]:
    """Each division name → the code prefixes of the divisions of that name (several for names
    such as 朝阳区), in code order."""
    text = (resources.files("cpca") / "resources" / "adcodes.csv").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for row in sorted(csv.DictReader(io.StringIO(text)), key=lambda row: row["adcode"]):
        if row["name"] not in _GENERIC:
            found.setdefault(row["name"], []).append(_significant(row["adcode"]))
    return {name: tuple(prefixes) for name, prefixes in found.items()}


def _significant(adcode: str) -> str:
    """The significant prefix of a 12-digit code: 370000000000 → 37, 370100000000 → 3701."""
    for length in (2, 4):
        if set(adcode[length:]) == {"0"}:
            return adcode[:length]
    return adcode[:6]


def jurisdictions(*names: str) -> tuple[str, ...]:
    """The code prefixes of the first of ``names`` (a region, a title, an issuer) that starts
    with a division's name, the longest such name; ("",) for 全国 or 中华人民共和国; () when none
    does. 新乡市居民住宅区消防安全管理条例 → ("4107",)."""
    table = _prefixes_by_name()
    for name in names:
        name = (name or "").strip("《》 ")
        if name.startswith(("全国", "中华人民共和国", "国务院")) or name == "national":
            return (NATIONAL,)
        for end in range(min(len(name), 12), 1, -1):
            if name[:end] in table:
                return table[name[:end]]
    return ()


def level_of(prefix: str) -> str:
    """The level a jurisdiction prefix names (national, province, prefecture, county)."""
    return _PREFIX_LEVELS[len(prefix)]


def containing(inner: tuple[str, ...]) -> set[str]:
    """The prefixes of the jurisdictions that strictly contain one of ``inner``: 152921 阿拉善左旗
    → {"", "15", "1529"}."""
    return {prefix[:length] for prefix in inner for length in _PREFIX_LEVELS if length < len(prefix)}


def contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """True when a jurisdiction of ``outer`` strictly contains one of ``inner``."""
    return not containing(inner).isdisjoint(outer)
