"""Which documents are the parents of which: declared, cited as basis, or inferred.

For each document of the run, in this order:

1. manifest: the ``parents`` its manifest entry names, by id or by title;
2. basis: the plans its preamble names as its basis (根据《…》精神), i.e. the rows of the
   citations table with relation ``basis``, resolved to a document of the run when the citation
   stage found one (``resolved_doc_id``) or when a title matches;
3. inferred, only when neither 1 nor 2 names any parent: the documents of the nearest higher
   level (:data:`pipeline.document.metadata.LEVEL_RANK`), of the same year or earlier, whose title has the
   same topic once the place name, years and document type are set aside (济南市优化营商环境条例
   → 山东省优化营商环境条例 → 优化营商环境条例); the most recent year wins.

A named parent that is not among the inputs is kept with ``found`` false, so that the run can say
which files are missing (:func:`missing_parent_messages`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from extractors.citations import display_title, title_key
from pipeline.document.metadata import LEVEL_RANK, level_and_region
from pipeline.document.titles import TitleIndex
from pipeline.outputs.schema import PARENT_COLUMNS, make_table

_YEAR = re.compile(r"(19|20)\d{2}\s*(年度|年|—|-|～|~)?")
_ISSUER_PREFIX = re.compile(r"^.{0,30}?关于")
_DOC_TYPE = re.compile(
    r"(的)?(实施|指导|若干)?(暂行)?(条例|办法|规定|细则|决定|意见|方案|计划|规划|纲要|要点|通知|工作计划|工作要点|工作方案)"
    r"(（[^）]*）)?$"
)


def topic(title: str, region: str = "") -> str:
    """The subject of a title without place, years, issuer (…关于) and document type.

    山东省优化营商环境条例 → 优化营商环境; 阿拉善左旗2024年法治政府建设工作计划 → 法治政府建设.
    """
    title = display_title(title)
    for place in (region, level_and_region(title)[1]):
        if place and title.startswith(place):
            title = title[len(place) :]
    title = _ISSUER_PREFIX.sub("", _YEAR.sub("", title))
    previous = None
    while previous != title:  # 工作计划, 实施方案, 暂行条例 …: strip suffixes until none is left
        previous, title = title, _DOC_TYPE.sub("", title)
    return title


def _same_topic(a: str, b: str) -> bool:
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 4 and short in long)


def parent_relations(
    documents: pd.DataFrame,
    declared_parents: dict[str, tuple[str, ...]],
    citations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The parents table: one row per (child document, parent named or inferred).

    ``documents`` is the documents table (doc_id, title, level, region, year); ``citations`` the
    citations table (doc_id, cited_title, relation, resolved_doc_id), used when present. Rows
    follow the documents table, then manifest, basis and inferred parents in that order.
    """
    by_id = {row.doc_id: row for row in documents.itertuples()}
    titles = TitleIndex(documents)
    basis = _basis_citations(citations)
    topics = {row.doc_id: topic(row.title, row.region) for row in by_id.values()}
    rows: list[dict] = []
    for child in documents.itertuples():
        named: list[tuple[str, str, str | None]] = [
            (name, "manifest", None) for name in declared_parents.get(child.doc_id, ())
        ]
        named += [(title, "basis", resolved) for title, resolved in basis.get(child.doc_id, [])]
        seen: set[str] = set()
        for name, source, resolved in named:
            parent_id = resolved or (name if name in by_id else titles.resolve(name))
            key = parent_id or title_key(name)
            if key in seen or parent_id == child.doc_id:
                continue
            seen.add(key)
            title = by_id[parent_id].title if parent_id in by_id else name.strip("《》 ")
            rows.append(
                {
                    "child_doc_id": child.doc_id,
                    "parent_doc_id": parent_id or "",
                    "parent_title": title,
                    "source": source,
                    "found": parent_id in by_id,
                }
            )
        if not named:
            rows += [
                {
                    "child_doc_id": child.doc_id,
                    "parent_doc_id": parent.doc_id,
                    "parent_title": parent.title,
                    "source": "inferred",
                    "found": True,
                }
                for parent in _inferred_parents(child, list(by_id.values()), topics)
            ]
    return make_table(rows, PARENT_COLUMNS)


def _basis_citations(citations: pd.DataFrame | None) -> dict[str, list[tuple[str, str | None]]]:
    """Per citing document: (cited title, resolved doc_id or None) of its basis citations."""
    if citations is None or citations.empty or "relation" not in citations:
        return {}
    basis: dict[str, list[tuple[str, str | None]]] = {}
    for row in citations[citations["relation"] == "basis"].itertuples():
        resolved = row.resolved_doc_id if isinstance(row.resolved_doc_id, str) and row.resolved_doc_id else None
        basis.setdefault(row.doc_id, []).append((row.cited_title, resolved))
    return basis


def _inferred_parents(child, documents: list, topics: dict[str, str]) -> list:
    """Documents of the nearest higher level, same year or earlier, with the same topic
    (``topics``: each document's topic by doc_id, computed once per run)."""
    rank = LEVEL_RANK.get(child.level, LEVEL_RANK["unknown"])
    if rank == LEVEL_RANK["unknown"]:
        return []
    child_topic = topics[child.doc_id]
    candidates = [
        parent
        for parent in documents
        if LEVEL_RANK.get(parent.level, LEVEL_RANK["unknown"]) < rank
        and (pd.isna(child.year) or pd.isna(parent.year) or parent.year <= child.year)
        and _same_topic(child_topic, topics[parent.doc_id])
    ]
    if not candidates:
        return []
    nearest = max(LEVEL_RANK[parent.level] for parent in candidates)
    candidates = [parent for parent in candidates if LEVEL_RANK[parent.level] == nearest]
    latest = max((parent.year for parent in candidates if not pd.isna(parent.year)), default=None)
    return [parent for parent in candidates if latest is None or pd.isna(parent.year) or parent.year == latest]


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
