"""Document metadata: title, issuer, dates, document number, level, region and year.

Taken from what the file declares (gov.cn metadata table, Markdown heading), from the text's own
front matter (a transmittal notice …关于印发《…》的通知, enactment lines …会议通过), and inferred
from the issuer's name; a manifest entry overrides any of them.
"""

from __future__ import annotations

import re

from extractors.chinese import CN_DIGITS, HAN

LEVELS = ("national", "province", "prefecture", "county", "township", "unknown")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TRANSMITTAL = re.compile(r"^(?P<issuer>.*?)关于印发《(?P<title>.+?)》的通知$")
_ISSUED_LINE = re.compile(r"^(?P<issuer>.*?)\s*(?P<date>\d{4}年\d{1,2}月\d{1,2}日)\s*印发$")
_ENACTMENT = re.compile(r"(通过|公布|发布|修订|修正|批准)")
_ORDINAL = re.compile(rf"第[{CN_DIGITS}\d]+[届次]")
_ENACTING_BODY = re.compile(
    r"(全国人民代表大会常务委员会|全国人民代表大会|\S*?人民代表大会常务委员会|"
    r"\S*?人民代表大会|中共中央、国务院|中共中央|国务院)"
)
DOC_NUMBER = re.compile(
    rf"[{HAN}]{{1,12}}"
    r"\s*[〔\[［（(]\s*\d{4}\s*[〕\]］）)]\s*\d{1,4}\s*号|"
    r"国务院令第\s*\d+\s*号"
)
_NATIONAL_ORGANS = ("国务院", "中共中央", "中央", "全国", "国家", "中华人民共和国", "最高人民")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
# Jurisdiction suffixes, longest first, with the level each one names.
_PLACE_SUFFIXES = (
    ("特别行政区", "province"),
    ("自治区", "province"),
    ("自治州", "prefecture"),
    ("自治县", "county"),
    ("自治旗", "county"),
    ("地区", "prefecture"),
    ("街道", "township"),
    ("苏木", "township"),
    ("省", "province"),
    ("市", "prefecture"),
    ("盟", "prefecture"),
    ("州", "prefecture"),
    ("旗", "county"),
    ("县", "county"),
    ("区", "county"),
    ("乡", "township"),
    ("镇", "township"),
)
_PLACE = re.compile(f"^((?:[{HAN}]{{1,9}}?(?:" + "|".join(s for s, _ in _PLACE_SUFFIXES) + "))+)")


def iso_date(text: str) -> str:
    """Return the first date in ``text`` as YYYY-MM-DD, or "" when there is none."""
    match = _DATE.search(text or "")
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def level_and_region(organ: str) -> tuple[str, str]:
    """Return ``(level, region)`` for an issuing organ or a title that starts with a place name.

    国务院办公厅 → (national, 全国); 山东省人民政府 → (province, 山东省); 中共广州市委 →
    (prefecture, 广州市); 阿拉善左旗人民政府办公室 → (county, 阿拉善左旗). Unknown → ("unknown", "").
    """
    organ = re.sub(r"^(中共|中国共产党)", "", (organ or "").strip())
    if not organ:
        return "unknown", ""
    if organ.startswith(_NATIONAL_ORGANS):
        return "national", "全国"
    match = _PLACE.match(organ)
    if not match:
        return "unknown", ""
    region = match.group(1)
    if region.endswith("州") and organ[len(region) : len(region) + 1] in ("市", "区", "县"):
        region = organ[: len(region) + 1]  # 德州市, 广州市: 州 inside a city's name
    if region.startswith(_MUNICIPALITIES):
        return "province", region[:3]
    for suffix, level in _PLACE_SUFFIXES:
        if region.endswith(suffix):
            return level, region
    return "unknown", ""


def transmittal(lines: list[str]) -> tuple[str, str, int] | None:
    """Find a transmittal notice (…关于印发《X》的通知) among the first lines.

    Returns ``(title of the wrapped document, issuer, line index of the notice title)``; the
    issuer comes from the same line or the line above. None when there is no such notice.
    """
    for index, line in enumerate(lines[:6]):
        match = _TRANSMITTAL.match(line)
        if match:
            issuer = match.group("issuer").strip()
            if not issuer and index > 0 and len(lines[index - 1]) <= 40 and "。" not in lines[index - 1]:
                issuer = lines[index - 1].strip()
            return match.group("title").strip(), issuer, index
    return None


def is_issued_line(line: str) -> bool:
    """True for the closing line "<issuer> 2024年7月5日印发" of an official document."""
    return bool(_ISSUED_LINE.match(line.strip()))


def enactment(lines: list[str]) -> tuple[str, str]:
    """Return ``(enacting body, latest enactment date)`` from a regulation's front matter lines.

    Lines look like "2021年7月27日 德州市第十八届人民代表大会常务委员会第四十二次会议通过"; a
    line that begins with a date may hold several entries, each from its date to the next
    ("…第二次修正  2021年12月1日…第二次修订"), and each counts. An entry on entry into force
    (施行) is not an enactment. Returns ("", "") when none is found.
    """
    body, latest = "", ""
    for entry in (entry for line in lines if _DATE.match(line) for entry in _dated_entries(line)):
        if not _ENACTMENT.search(entry):
            continue
        latest = max(latest, iso_date(entry))
        if not body:
            rest = _ORDINAL.sub("", _DATE.sub("", entry, count=1))
            found = _ENACTING_BODY.search(rest.replace("中华人民共和国", ""))
            if found:
                body = found.group(1)
    return body, latest


def _dated_entries(line: str) -> list[str]:
    """The parts of ``line`` that each run from one date to the next (or to the end)."""
    starts = [match.start() for match in _DATE.finditer(line)]
    return [line[start:end] for start, end in zip(starts, [*starts[1:], len(line)])]


def first_doc_number(text: str) -> str:
    """Return the first document number (国发〔2019〕3号, 国务院令第722号) in ``text``, or ""."""
    match = DOC_NUMBER.search(text)
    if not match:
        return ""
    return re.sub(r"\s+", "", match.group(0)).replace("中华人民共和国", "")


def year_of(*texts: str) -> int | None:
    """Return the first four-digit year (19xx/20xx) found in the texts, in order."""
    for text in texts:
        match = re.search(r"(19|20)\d{2}", text or "")
        if match:
            return int(match.group(0))
    return None
