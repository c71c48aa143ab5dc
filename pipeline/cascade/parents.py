"""Which documents are the parents of which: declared, cited as basis, or superior by jurisdiction.

For each document of the run:

1. manifest: the ``parents`` its manifest entry names, by id or by title; when it names any,
   they (with the basis citations of 2) are its parents, and 3 is not applied;
2. basis: the documents its text names as its basis (根据《…》精神, 根据《…》…制定本条例), i.e. the
   rows of the citations table with relation ``basis``, resolved to a document of the run when
   the citation stage found one (``resolved_doc_id``) or when a title matches;
3. jurisdiction+topic: every document of the run that is its superior, whether cited or not: of
   a jurisdiction that strictly contains its own (county ⊂ prefecture/league ⊂ province/region ⊂
   national, from the GB/T 2260 codes of :mod:`pipeline.cascade.divisions`), on the same topic
   once place, years, issuer and document type are set aside (济南市道路交通安全条例 →
   山东省实施《道路交通安全法》办法 → 道路交通安全法). A superior issued after the child is still
   a parent (superior law, for coverage), with ``issued_later`` true.

A title named in 1 or 2 that matches no title of the run is matched by jurisdiction, year and
topic (《阿拉善盟2024年法治政府建设工作计划》 finds a 阿拉善盟2024年法治政府建设工作要点). A named
parent that is still not found is kept with ``found`` false, so that the run can say which
files are missing (:func:`missing_parent_messages`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from extractors.citations import display_title, title_key
from pipeline.cascade.divisions import containing, jurisdictions
from pipeline.document.metadata import level_and_region, year_of
from pipeline.document.titles import TitleIndex
from pipeline.outputs.schema import PARENT_COLUMNS, make_table

_YEAR = re.compile(r"(19|20)\d{2}\s*(年度|年|—|-|～|~)?")
_ISSUER_PREFIX = re.compile(r"^.{0,30}?关于")
_DOC_TYPE = re.compile(
    r"(的)?(实施|指导|若干)?(工作)?(暂行)?"
    r"(条例|办法|规定|细则|决定|意见|方案|计划|规划|纲要|要点|通知|工作计划|工作要点|工作方案|法)"
    r"(（[^）]*）)?$"
)
_IMPLEMENTING = re.compile(r"^实施")
_NATION = "中华人民共和国"


def topic(title: str, region: str = "") -> str:
    """The subject of a title without place, years, issuer (…关于) and document type.

    山东省优化营商环境条例 → 优化营商环境; 阿拉善左旗2024年法治政府建设工作计划 → 法治政府建设;
    山东省实施《中华人民共和国道路交通安全法》办法 → 道路交通安全; 信访工作条例 → 信访.
    """
    title = display_title(title)
    for place in (region, level_and_region(title)[1]):
        if place and title.startswith(place):
            title = title[len(place) :]
    title = _ISSUER_PREFIX.sub("", _YEAR.sub("", title))
    previous = None
    while previous != title:  # 工作计划, 实施方案, 暂行条例, 实施《X法》办法 …: strip until none is left
        previous, title = title, _DOC_TYPE.sub("", title)
    return _IMPLEMENTING.sub("", title).replace(_NATION, "")


def _same_topic(a: str, b: str) -> bool:
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 4 and short in long)


@dataclass(frozen=True)
class _Record:
    """What the parent rules need of one document."""

    doc_id: str
    title: str
    topic: str
    jurisdiction: tuple[str, ...]
    year: float
    issued_on: str


def _records(documents: pd.DataFrame) -> dict[str, _Record]:
    """Each document's topic, jurisdiction (code prefixes, from its region, else its title or
    issuer), year and issue date, by doc_id."""
    return {
        row.doc_id: _Record(
            doc_id=row.doc_id,
            title=row.title,
            topic=topic(row.title, row.region),
            jurisdiction=jurisdictions(row.region, row.title, getattr(row, "issuer", "")),
            year=row.year,
            issued_on=getattr(row, "issued_on", "") or "",
        )
        for row in documents.itertuples()
    }


def parent_relations(
    documents: pd.DataFrame,
    declared_parents: dict[str, tuple[str, ...]],
    citations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The parents table: one row per (child document, parent named or superior).

    ``documents`` is the documents table (doc_id, title, level, region, year, issued_on, issuer);
    ``citations`` the citations table (doc_id, cited_title, relation, resolved_doc_id), used
    when present. Rows follow the documents table, then manifest, basis and jurisdiction+topic
    parents in that order, each parent once.
    """
    records = _records(documents)
    by_jurisdiction = _by_jurisdiction(records.values())
    titles = TitleIndex(documents)
    basis = _basis_citations(citations)
    rows: list[dict] = []
    for child in records.values():
        declared = declared_parents.get(child.doc_id, ())
        named: list[tuple[str, str, str | None]] = [(name, "manifest", None) for name in declared]
        named += [(title, "basis", resolved) for title, resolved in basis.get(child.doc_id, [])]
        seen: set[str] = set()
        for name, source, resolved in named:
            parent_id = resolved or (name if name in records else titles.resolve(name))
            parent_id = parent_id or _named_by_place_year_topic(name, records)
            key = parent_id or title_key(name)
            if key in seen or parent_id == child.doc_id:
                continue
            seen.add(key)
            rows.append(_row(child, records.get(parent_id or ""), source, name=name))
        if not declared:
            rows += [
                _row(child, parent, "jurisdiction+topic")
                for parent in _superiors(child, by_jurisdiction)
                if parent.doc_id not in seen
            ]
    return make_table(rows, PARENT_COLUMNS)


def _row(child: _Record, parent: _Record | None, source: str, *, name: str = "") -> dict:
    """One row of the parents table; ``parent`` None for a named parent not among the inputs."""
    if parent is None:
        return {
            "child_doc_id": child.doc_id,
            "parent_doc_id": "",
            "parent_title": name.strip("《》 "),
            "source": source,
            "found": False,
            "topic": "",
            "issued_later": False,
        }
    return {
        "child_doc_id": child.doc_id,
        "parent_doc_id": parent.doc_id,
        "parent_title": parent.title,
        "source": source,
        "found": True,
        "topic": min(child.topic, parent.topic, key=len) if _same_topic(child.topic, parent.topic) else "",
        "issued_later": _issued_later(parent, child),
    }


def _issued_later(parent: _Record, child: _Record) -> bool:
    """True when ``parent`` was issued after ``child`` (by issue date, else by year)."""
    if parent.issued_on and child.issued_on:
        return parent.issued_on > child.issued_on
    return not (pd.isna(parent.year) or pd.isna(child.year)) and parent.year > child.year


def _by_jurisdiction(records: Iterable[_Record]) -> dict[str, list[tuple[int, _Record]]]:
    """Each jurisdiction prefix → the documents of that jurisdiction, with their position in
    ``records``."""
    index: dict[str, list[tuple[int, _Record]]] = {}
    for position, record in enumerate(records):
        for prefix in record.jurisdiction:
            index.setdefault(prefix, []).append((position, record))
    return index


def _superiors(child: _Record, by_jurisdiction: dict[str, list[tuple[int, _Record]]]) -> list[_Record]:
    """The documents whose jurisdiction strictly contains the child's, on the same topic, in the
    order of the records ``by_jurisdiction`` indexes (:func:`_by_jurisdiction`)."""
    candidates = dict(entry for prefix in containing(child.jurisdiction) for entry in by_jurisdiction.get(prefix, ()))
    return [
        candidates[position] for position in sorted(candidates) if _same_topic(child.topic, candidates[position].topic)
    ]


def _named_by_place_year_topic(name: str, records: dict[str, _Record]) -> str | None:
    """The first document (by doc_id) of the jurisdiction, year and topic a named title has,
    when the title gives all three; None otherwise."""
    place, year = jurisdictions(name), year_of(name)
    wanted = topic(name)
    if not place or year is None or not wanted:
        return None
    matches = sorted(
        record.doc_id
        for record in records.values()
        if record.jurisdiction == place and record.year == year and _same_topic(record.topic, wanted)
    )
    return matches[0] if matches else None


def _basis_citations(citations: pd.DataFrame | None) -> dict[str, list[tuple[str, str | None]]]:
    """Per citing document: (cited title, resolved doc_id or None) of its basis citations."""
    if citations is None or citations.empty or "relation" not in citations:
        return {}
    basis: dict[str, list[tuple[str, str | None]]] = {}
    for row in citations[citations["relation"] == "basis"].itertuples():
        resolved = row.resolved_doc_id if isinstance(row.resolved_doc_id, str) and row.resolved_doc_id else None
        basis.setdefault(row.doc_id, []).append((row.cited_title, resolved))
    return basis


def missing_parent_messages(parents: pd.DataFrame, documents: pd.DataFrame) -> list[str]:
    """One plain message per document whose named parents are not among the inputs.

    The message names the document and each missing parent title, and says to put the files
    in the document's own folder (where its manifest is), e.g. data/raw/.
    """
    missing = parents[~parents["found"].astype(bool)]
    records = documents.set_index("doc_id")
    messages = []
    for child_id, group in missing.groupby("child_doc_id", sort=False):
        record = records.loc[child_id]
        titles = [f"《{title}》" for title in group["parent_title"]]
        listed = titles[0] if len(titles) == 1 else "、".join(titles[:-1]) + " and " + titles[-1]
        noun = "parent is" if len(titles) == 1 else "parents are"
        messages.append(
            f"{record['title'] or child_id}: its {noun} not among the inputs: {listed} — "
            f"put the file{'s' if len(titles) > 1 else ''} (any supported format) in "
            f"{_folder_hint(record['source_path'])} and run again to link its tasks to "
            f"{'them' if len(titles) > 1 else 'it'}; everything else was built without "
            f"{'them' if len(titles) > 1 else 'it'}."
        )
    return messages


def _folder_hint(source_path: str) -> str:
    """The document's folder, relative to the current folder when inside it, with a final /."""
    if not source_path:
        return "the input folder"
    folder = Path(source_path).resolve().parent
    try:
        shown = folder.relative_to(Path.cwd().resolve())
    except ValueError:
        shown = folder
    return str(shown).rstrip(os.sep) + "/"
