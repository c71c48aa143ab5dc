"""The unit registry (models/units.csv): canonical units, their aliases, and name resolution.

A mention as written in a plan (司法局, 旗司法局, 阿拉善左旗司法局, 政法委, 国家发展改革委) resolves to one
canonical unit with its full name, type and jurisdiction. Local units are jurisdiction-aware: in a
banner's plan 司法局 and 旗司法局 are one unit, canonically written with the prefix the plan uses
(旗司法局), and party units take the party committee's prefix (政法委 → 旗委政法委). Inside one list a
unit without a prefix inherits the jurisdiction of the prefixed unit before it, in the form its own
type needs (旗委组织部、宣传部、政府办 → 旗委宣传部, 旗政府办).

The registry also feeds segmentation: :func:`jieba_entries` gives the words for a jieba user
dictionary (so 旗司法局 and 依法治旗办 stay whole) and :func:`find_unit_names` finds registered unit
names in running text by longest match with a HanLP trie.

The registry file is read once and cached; nothing else here touches files.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable

from hanlp_trie import Trie

from extractors.chinese import HAN
from models import resource

REGISTRY_PATH = resource("units.csv")
UNIT_TYPES = ("party", "government", "congress", "cppcc", "judicial", "procuratorate", "collective", "other")

# Jurisdiction prefixes a plan writes before a local unit, longest first.
PREFIXES = ("自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "县", "区", "旗", "盟", "州", "乡", "镇")
# Region suffix → the prefix plans of that region write (内蒙古自治区 → 自治区司法厅, X自治县 → 县司法局).
_REGION_PREFIX = (
    ("特别行政区", ""),
    ("自治区", "自治区"),
    ("自治州", "州"),
    ("自治县", "县"),
    ("自治旗", "旗"),
    ("地区", "地区"),
    ("街道", ""),
    ("苏木", ""),
    ("省", "省"),
    ("市", "市"),
    ("盟", "盟"),
    ("州", "州"),
    ("旗", "旗"),
    ("县", "县"),
    ("区", "区"),
    ("乡", "乡"),
    ("镇", "镇"),
)
NATIONAL = "全国"

# 各有关部门, 有关部门, 全市各部门, 市直各部门, 地方各级人民政府, 其他成员单位.
_COLLECTIVE = re.compile(rf"^[{HAN}]{{0,3}}?(?:各|有关|相关|其他|其它)")
# The members of a group: 各成员单位, 市法治政府建设工作领导小组各成员单位, 联席会议成员单位.
_MEMBERS = re.compile(rf"^[{HAN}（）()]{{0,30}}(?:各|其他)?(?:成员|组成)(?:单位|部门)$")
_UNIT_SUFFIXES = (
    "局",
    "委",
    "办",
    "院",
    "部",
    "厅",
    "署",
    "会",
    "中心",
    "队",
    "所",
    "室",
    "处",
    "站",
    "联",
    "协",
    "行",
    "社",
    "政府",
    "庭",
    "馆",
    "校",
    "小组",
    "专班",
)
_NOT_UNITS = ("社会", "机会", "干部", "内部", "外部", "全部", "局部", "大会", "工作会", "会议室", "各部")
_NOT_IN_UNIT = re.compile(r"[由的要将对把是在从向按并或但了着须需均被即]")
_NAME_CHARS = re.compile(rf"^[{HAN}A-Za-z0-9（）()·]+$")


@dataclass(frozen=True)
class RegistryUnit:
    """One row of the registry; ``unit`` and ``full_name`` may hold {j} and {region} placeholders."""

    unit: str
    full_name: str
    type: str
    level: str
    aliases: tuple[str, ...]

    @property
    def local(self) -> bool:
        return self.level == "local"

    @property
    def party_prefixed(self) -> bool:
        """True when the unit is written with the party committee's prefix ({j}委政法委)."""
        return self.unit.startswith("{j}委")


@dataclass(frozen=True)
class Jurisdiction:
    """Where a document sits: its level, region (阿拉善左旗) and the unit prefix its plans write (旗)."""

    level: str = "unknown"
    region: str = ""
    prefix: str = ""

    @property
    def national(self) -> bool:
        return self.level == "national"

    @property
    def label(self) -> str:
        """The jurisdiction column of this document's own units: 全国, the region, or the prefix."""
        return NATIONAL if self.national else (self.region or self.prefix)


@dataclass(frozen=True)
class ResolvedUnit:
    """A mention resolved to a canonical unit. ``resolved`` is False for units not in the registry."""

    mention: str
    unit: str
    full_name: str
    type: str
    jurisdiction: str
    collective: bool
    resolved: bool
    prefix: str = ""

    @property
    def unit_id(self) -> str:
        """Stable identity across documents: the same name in two regions is two units."""
        return f"{self.jurisdiction}:{self.unit}" if self.jurisdiction else self.unit


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=4)
def registry(path: Traversable = REGISTRY_PATH) -> tuple[RegistryUnit, ...]:
    """All registry rows, read once per ``path`` (the shipped models/units.csv by default).

    Raises ValueError naming the line when a row has an unknown type or level.
    """
    rows = []
    with path.open(encoding="utf-8-sig") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    for number, row in enumerate(csv.DictReader(lines), start=2):
        if row["type"] not in UNIT_TYPES or row["level"] not in ("national", "local"):
            raise ValueError(
                f"{path}: row {number} ({row['unit']}) has type {row['type']!r} "
                f"and level {row['level']!r} — use one of {UNIT_TYPES} and national/local"
            )
        aliases = tuple(a.strip() for a in (row["aliases"] or "").split("|") if a.strip())
        rows.append(
            RegistryUnit(row["unit"].strip(), (row["full_name"] or "").strip(), row["type"], row["level"], aliases)
        )
    return tuple(rows)


def _expand(name: str) -> Iterator[tuple[str, str | None]]:
    """A name with an inner {j} in every jurisdiction's spelling, with the prefix it implies."""
    if "{j}" not in name:
        yield name, None
        return
    for prefix in PREFIXES:
        yield name.replace("{j}", prefix), prefix


@lru_cache(maxsize=1)
def _lookup() -> dict[str, tuple[tuple[RegistryUnit, str | None], ...]]:
    """Every bare name (no jurisdiction prefix) → the registry units it names, with implied prefix."""
    table: dict[str, list[tuple[RegistryUnit, str | None]]] = {}
    for entry in registry():
        names = list(entry.aliases)
        if entry.local:
            if entry.unit.startswith("{j}"):
                names.append(entry.unit[3:])
        else:
            names += [entry.unit, entry.full_name]
        for name in names:
            for key, implied in _expand(name):
                if key and (entry, implied) not in table.setdefault(key, []):
                    table[key].append((entry, implied))
    return {key: tuple(value) for key, value in table.items()}


@lru_cache(maxsize=64)
def _full_names(region: str) -> dict[str, RegistryUnit]:
    """Full names of local units spelled out for one region (阿拉善左旗司法局, 中共阿拉善左旗委员会…)."""
    if not region:
        return {}
    names: dict[str, RegistryUnit] = {}
    for entry in registry():
        if entry.local and entry.full_name:
            for key, _ in _expand(entry.full_name.replace("{region}", region)):
                names.setdefault(key, entry)
                names.setdefault(re.sub(r"^中共", "", key), entry)
    return names


# --------------------------------------------------------------------------- jurisdictions


def region_prefix(region: str) -> str:
    """The unit prefix plans of ``region`` write: 阿拉善左旗 → 旗, 广州市 → 市, 内蒙古自治区 → 自治区."""
    for suffix, prefix in _REGION_PREFIX:
        if region.endswith(suffix):
            return prefix
    return ""


def jurisdiction_for(level: str, region: str, mentions: Iterable[str] = ()) -> Jurisdiction:
    """The jurisdiction of a document from its record; without a region, from its own mentions.

    ``mentions`` are unit mentions found in the document: the prefix most of the prefixed ones
    carry (市委办公厅, 市法院 → 市) is the one the plan uses. National documents have no prefix.
    """
    if level == "national":
        return Jurisdiction("national", region or NATIONAL, "")
    prefix = region_prefix(region) if region else ""
    if not prefix:
        counts: dict[str, int] = {}
        for mention in mentions:
            found = _match(_clean(mention), Jurisdiction(level, region, ""))
            if found and found[1]:
                counts[found[1]] = counts.get(found[1], 0) + 1
        if counts:
            prefix = max(sorted(counts), key=counts.__getitem__)
    return Jurisdiction(level, region, prefix)


# --------------------------------------------------------------------------- resolution


def is_collective(name: str) -> bool:
    """True for collective mentions that name no one unit: 各有关部门, 有关部门, 各省级人民政府, and the
    members of a group (各成员单位, X工作领导小组各成员单位)."""
    if _NOT_IN_UNIT.search(name):
        return False
    return (bool(_COLLECTIVE.match(name)) and len(name) <= 20) or bool(_MEMBERS.match(name))


_TIME_WORD = re.compile(r"(?:年|月|日|季度|前|底|内|期间|以来)$")


def may_name_a_unit(name: str) -> bool:
    """True for a piece shaped like a name, registered or not: 2 to 25 Han characters (brackets
    allowed), no digits, function words (由/的/要 …) or closing time word (年底前, 三个月内)."""
    return (
        2 <= len(name) <= 25
        and bool(_NAME_CHARS.match(name))
        and not any(char.isdigit() for char in name)
        and not _NOT_IN_UNIT.search(name)
        and not _TIME_WORD.search(name)
    )


def looks_like_unit(name: str) -> bool:
    """True when an unregistered name is shaped like a unit: a short name ending like 局/委/办/中心."""
    return (
        2 <= len(name) <= 25
        and bool(_NAME_CHARS.match(name))
        and not _NOT_IN_UNIT.search(name)
        and name.endswith(_UNIT_SUFFIXES)
        and not name.endswith(_NOT_UNITS)
    )


def guess_type(name: str) -> str:
    """The likely type of an unregistered unit, from its name."""
    if "人大" in name:
        return "congress"
    if "政协" in name:
        return "cppcc"
    if "法院" in name or name.endswith("法庭"):
        return "judicial"
    if "检察" in name:
        return "procuratorate"
    if re.match(r"^(中共|中央|(?:" + "|".join(PREFIXES) + r")委)", name) or "党" in name:
        return "party"
    if name.endswith(("局", "厅", "办", "委", "署", "部", "政府", "中心", "队", "所", "站", "处", "室")):
        return "government"
    return "other"


def _clean(mention: str) -> str:
    return re.sub(r"\s+", "", mention).strip("“”\"'‘’《》")


def _candidates(name: str, juris: Jurisdiction) -> Iterator[tuple[str, str | None, bool]]:
    """(bare name, explicit prefix, prefix included 委) readings of a mention, most literal first."""
    yield name, None, False
    bare = re.sub(r"^中共", "", name)
    if juris.region and bare.startswith(juris.region) and len(bare) > len(juris.region) + 1:
        rest = bare[len(juris.region) :]
        yield rest, juris.prefix or juris.region, False
        if rest.startswith("委"):
            yield rest[1:], juris.prefix or juris.region, True
    for prefix in PREFIXES:
        if bare.startswith(prefix) and len(bare) > len(prefix) + 1:
            rest = bare[len(prefix) :]
            yield rest, prefix, False
            if rest.startswith("委") and len(rest) > 2:
                yield rest[1:], prefix, True


def _match(name: str, juris: Jurisdiction) -> tuple[RegistryUnit, str | None] | None:
    """The registry unit a mention names and the jurisdiction prefix it carries (None: bare)."""
    full = _full_names(juris.region).get(name)
    if full is not None:
        return full, juris.prefix or juris.region
    national_first = juris.national or (juris.level == "unknown" and not juris.prefix)
    for key, explicit, with_party in _candidates(name, juris):
        options = [
            (entry, implied)
            for entry, implied in _lookup().get(key, ())
            if (explicit is None or (entry.local and (not with_party or entry.party_prefixed)))
            and (explicit is None or implied is None or implied == explicit)
        ]
        if not options:
            continue
        options.sort(key=lambda option: option[0].local == national_first)
        entry, implied = options[0]
        return entry, explicit or implied
    return None


def resolve_unit(mention: str, *, jurisdiction: Jurisdiction, inherited_prefix: str | None = None) -> ResolvedUnit:
    """Resolve one mention to its canonical unit.

    A bare local unit takes ``inherited_prefix`` (the prefix of the unit before it in its list),
    else the document's prefix. Collectives are flagged; unregistered names come back with
    ``resolved=False``, the bare ones prefixed like a government unit of the jurisdiction.
    """
    juris = jurisdiction
    name = _clean(mention)
    if is_collective(name):
        return ResolvedUnit(mention, name, "", "collective", juris.label, True, True)
    found = _match(name, juris)
    if found is None:
        return _unregistered(mention, name, juris, inherited_prefix)
    entry, prefix = found
    if not entry.local:
        return ResolvedUnit(mention, entry.unit, entry.full_name, entry.type, NATIONAL, False, True)
    prefix = prefix or inherited_prefix or juris.prefix
    if not prefix:
        return ResolvedUnit(
            mention, entry.aliases[0] if entry.aliases else name, "", entry.type, juris.label, False, True
        )
    unit = entry.unit.replace("{j}", prefix)
    own = prefix in (juris.prefix, juris.region)
    region = juris.region if own and juris.region else ""
    full_name = entry.full_name.replace("{region}", region).replace("{j}", prefix) if region and entry.full_name else ""
    return ResolvedUnit(mention, unit, full_name, entry.type, juris.label if own else prefix, False, True, prefix)


def _unregistered(mention: str, name: str, juris: Jurisdiction, inherited: str | None) -> ResolvedUnit:
    if juris.region and name.startswith(juris.region) and juris.prefix:
        name, prefix = juris.prefix + name[len(juris.region) :], juris.prefix
    else:
        prefix = next((p for p in PREFIXES if name.startswith(p)), "")
        if not prefix and not juris.national and (inherited or juris.prefix):
            prefix = inherited or juris.prefix
            name = prefix + name
    own = not prefix or prefix == juris.prefix
    return ResolvedUnit(mention, name, "", guess_type(name), juris.label if own else prefix, False, False, prefix)


def resolve_list(mentions: Sequence[str], *, jurisdiction: Jurisdiction) -> list[ResolvedUnit]:
    """Resolve the mentions of one list in order, with prefix inheritance inside the list.

    The prefix of a prefixed unit (旗委组织部 → 旗) carries to the bare units after it, each written
    in the form its own type takes (宣传部 → 旗委宣传部, 政府办 → 旗政府办).
    """
    resolved, inherited = [], None
    for mention in mentions:
        unit = resolve_unit(mention, jurisdiction=jurisdiction, inherited_prefix=inherited)
        if unit.prefix:
            inherited = unit.prefix
        resolved.append(unit)
    return resolved


# --------------------------------------------------------------------------- segmentation


def _surface_forms(prefixes: Iterable[str]) -> Iterator[tuple[str, RegistryUnit]]:
    """Every way a registered unit is written: bare, and with each of ``prefixes`` (and 委)."""
    prefixes = tuple(prefixes)
    for key, options in _lookup().items():
        for entry, implied in options:
            if len(key) < 2:
                continue
            yield key, entry
            if entry.local and implied is None:
                for prefix in prefixes:
                    yield prefix + key, entry
                    if entry.party_prefixed:
                        yield prefix + "委" + key, entry


@lru_cache(maxsize=32)
def unit_matcher(prefix: str = "") -> Trie:
    """A HanLP trie of every registered unit name, bare and with ``prefix`` (all prefixes if "")."""
    trie = Trie()
    for surface, _ in _surface_forms((prefix,) if prefix else PREFIXES):
        trie[surface] = surface
    return trie


def find_unit_names(text: str, *, jurisdiction: Jurisdiction) -> Iterator[tuple[int, int, ResolvedUnit]]:
    """Yield ``(start, end, unit)`` for each registered unit name in ``text``, longest match first,
    left to right, without overlaps."""
    for start, end, surface in unit_matcher(jurisdiction.prefix).parse_longest(text):
        yield start, end, resolve_unit(surface, jurisdiction=jurisdiction)


def jieba_entries(*, prefixes: Sequence[str] = PREFIXES, frequency: int = 20000) -> list[tuple[str, int, str]]:
    """Words for a jieba user dictionary: ``(word, frequency, "nt")`` for every registered unit name,
    bare and with each jurisdiction prefix, sorted. Load them with ``jieba.add_word(*entry)``."""
    words = {surface for surface, _ in _surface_forms(prefixes)}
    return [(word, frequency, "nt") for word in sorted(words)]
