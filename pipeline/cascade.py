"""The cascade: parent documents, links from child tasks to parent directives, coverage.

- :func:`cascade_tables` is the run's stage: it finds each document's parents
  (:mod:`pipeline.parents`), links the tasks of every document with parents in the run to their
  directives (:class:`pipeline.link.DirectiveLinker`) and measures coverage
  (:mod:`pipeline.coverage`).
- :func:`reuse` ranks where a plan's wording comes from across any folder of documents.
- :func:`coverage` compares one child document with its parent(s) and summarises the gaps and
  local additions.

Directives are the tasks/articles of a document plus the lead text of its sections (总体要求,
主要目标 … when a section has text of its own before its tasks); :func:`reuse` also searches each
source's preamble.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.coverage import (
    coverage_summary,
    directive_coverage,
    document_coverage,
    local_additions,
    section_coverage,
)
from pipeline.errors import InputError
from pipeline.link import LINK_COLUMNS, DirectiveLinker, linking_text
from pipeline.manifest import find_manifests
from pipeline.parents import parent_relations
from pipeline.tables import make_table

if TYPE_CHECKING:
    from pipeline.run import Corpus, InputFailure

DIRECTIVE_COLUMNS = ["doc_id", "task_id", "section_id", "kind", "number", "title", "text"]
SOURCE_COLUMNS = ["rank", "source_doc_id", "title", "level", "tasks", "shared_chars", "best_evidence"]
PASSAGE_COLUMNS = [
    "child_task_id", "number", "title", "rank", "source_doc_id", "source_item_id", "score", "reuse",
    "shared_chars", "relation", "evidence",
]
PREAMBLE_ID = "P"


def directive_items(tasks: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """Directives in text order: each section's own lead text (kind 'section', task_id = the
    section_id), then the tasks/articles under it."""
    section_order = {section_id: i for i, section_id in enumerate(sections["section_id"])}
    lead = sections[sections["text"].fillna("").str.strip() != ""]
    rows = [
        {"doc_id": s.doc_id, "task_id": s.section_id, "section_id": s.section_id, "kind": "section",
         "number": s.number, "title": s.title, "text": s.text, "_order": (section_order[s.section_id], 0, 0)}
        for s in lead.itertuples()
    ] + [
        {**t, "_order": (section_order.get(t["section_id"], -1), 1, i)}
        for i, t in enumerate(tasks[DIRECTIVE_COLUMNS].to_dict("records"))
    ]
    rows.sort(key=lambda row: (row["doc_id"], row["_order"]))
    return make_table(rows, DIRECTIVE_COLUMNS)


def link_to_parents(pairs: pd.DataFrame, directives: pd.DataFrame, tasks: pd.DataFrame,
                    linker: DirectiveLinker) -> pd.DataFrame:
    """Links of each child document's tasks to the directives of all its parents at once.

    Child documents with the same parents share one fitted linker.
    """
    parent_sets = pairs.groupby("child_doc_id", sort=True)["parent_doc_id"].agg(lambda ids: tuple(sorted(ids)))
    tables = []
    for parent_ids, children in parent_sets.groupby(parent_sets, sort=True):
        parent_directives = directives[directives["doc_id"].isin(parent_ids)]
        child_tasks = tasks[tasks["doc_id"].isin(children.index)]
        if parent_directives.empty or child_tasks.empty:
            continue
        tables.append(linker.fit(parent_directives).link(child_tasks))
    return pd.concat(tables, ignore_index=True) if tables else make_table([], LINK_COLUMNS)


def cascade_tables(corpus: Corpus, linker: DirectiveLinker | None = None) -> dict[str, pd.DataFrame]:
    """Stage: parents, links, coverage, coverage_sections, coverage_documents, local_additions.

    Reads the documents, sections and tasks tables (and citations, when a citation stage ran).
    """
    documents, sections, tasks = (corpus.tables[name] for name in ("documents", "sections", "tasks"))
    parents = parent_relations(documents, corpus.declared_parents, corpus.tables.get("citations"))
    pairs = parents.loc[parents["found"].astype(bool), ["child_doc_id", "parent_doc_id"]].drop_duplicates()
    return {"parents": parents, **linked_and_covered(pairs, tasks, tasks, sections, linker)}


def linked_and_covered(pairs: pd.DataFrame, child_tasks: pd.DataFrame, parent_tasks: pd.DataFrame,
                       parent_sections: pd.DataFrame, linker: DirectiveLinker | None = None) -> dict[str, pd.DataFrame]:
    """links, coverage, coverage_sections, coverage_documents and local_additions for the
    (child_doc_id, parent_doc_id) ``pairs``: the child documents' tasks linked to the directives
    (tasks and section lead text) of their parents."""
    directives = directive_items(parent_tasks, parent_sections)
    links = link_to_parents(pairs, directives, child_tasks, linker or DirectiveLinker())
    coverage_table = directive_coverage(links, directives, pairs)
    return {
        "links": links,
        "coverage": coverage_table,
        "coverage_sections": section_coverage(coverage_table, parent_sections),
        "coverage_documents": document_coverage(coverage_table, links, child_tasks),
        "local_additions": local_additions(links, child_tasks, pairs["child_doc_id"].unique()),
    }


def _read(path: Path) -> tuple[Corpus, list[InputFailure]]:
    """Read a file or folder with the manifests beside it, structure tables built.

    Raises :class:`InputError` when no document could be read.
    """
    from pipeline.run import read_documents, structure_tables  # run.py imports this module's stage

    corpus, failures = read_documents([path], find_manifests([path]))
    if not corpus.documents:
        if failures:
            raise InputError(None, failures[0].message)
        raise InputError(path, "no readable document found",
                         "check the path and the file types (.txt .md .html .docx .pdf)")
    corpus.tables.update(structure_tables(corpus))
    return corpus, failures


def _single_document(corpus: Corpus, path: str | Path):
    """The one document read from ``path``; raises :class:`InputError` when it held several."""
    if len(corpus.documents) > 1:
        raise InputError(path, f"holds {len(corpus.documents)} documents, not one plan",
                         "give the path of a single plan or regulation file")
    return corpus.documents[0]


@dataclass
class ReuseResult:
    """Where a plan's wording comes from: sources ranked by shared characters, and per task the
    shared passages (best source first)."""

    plan_doc_id: str
    plan_title: str
    sources: pd.DataFrame
    passages: pd.DataFrame
    summary: str
    failures: list[InputFailure] = field(default_factory=list)


def reuse(plan_path: str | Path, against_folder: str | Path, *, top_k: int = 3,
          linker: DirectiveLinker | None = None) -> ReuseResult:
    """Rank the documents under ``against_folder`` by how much of the plan's wording they hold.

    Every task of the plan is compared with every directive and preamble of the other documents;
    per task the sources sharing passages are ranked by reuse (share of the task's text found
    word for word in the source item), then score, and the best ``top_k`` kept. Raises
    :class:`InputError` when the plan or the folder holds no readable document.
    """
    plan_corpus, _ = _read(Path(plan_path))
    plan = _single_document(plan_corpus, plan_path)
    sources, failures = _read(Path(against_folder))
    own = plan.source.sha256
    source_docs = [doc for doc in sources.documents if doc.source.sha256 != own]
    items = directive_items(sources.tables["tasks"], sources.tables["sections"])
    preambles = pd.DataFrame([{"doc_id": d.doc_id, "task_id": f"{d.doc_id}:{PREAMBLE_ID}", "text": d.preamble}
                              for d in source_docs if d.preamble.strip()])
    items = pd.concat([items, preambles], ignore_index=True)
    items = items[items["doc_id"].isin({d.doc_id for d in source_docs})]
    linker = linker or DirectiveLinker()
    wide = DirectiveLinker(**{**linker.params(), "top_k": linker.candidates})
    tasks = plan_corpus.tables["tasks"]
    links = wide.fit(items).link(tasks) if not items.empty else None
    passages = _passages(links, tasks, top_k)
    titles = {d.doc_id: d for d in source_docs}
    source_table = _rank_sources(passages, titles)
    summary = _reuse_summary(plan, Path(against_folder), len(source_docs), len(tasks), source_table, passages)
    return ReuseResult(plan.doc_id, plan.record.get("title") or plan.doc_id, source_table, passages, summary,
                       failures)


def _passages(links: pd.DataFrame | None, tasks: pd.DataFrame, top_k: int) -> pd.DataFrame:
    if links is None or links.empty:
        return make_table([], PASSAGE_COLUMNS)
    links = links[links["reuse"] > 0].copy()
    lengths = {t.task_id: len(linking_text(t.text)) for t in tasks.itertuples()}
    links["shared_chars"] = [round(r * lengths[t]) for r, t in zip(links["reuse"], links["child_task_id"])]
    task_info = tasks.set_index("task_id")
    position = {task_id: i for i, task_id in enumerate(tasks["task_id"])}
    links["_position"] = links["child_task_id"].map(position)
    links = links.sort_values(["_position", "reuse", "score"], ascending=[True, False, False], kind="stable")
    rows = []
    for _, group in links.groupby("_position", sort=True):
        for rank, link in enumerate(group.head(top_k).itertuples(), start=1):
            rows.append({
                "child_task_id": link.child_task_id, "number": task_info.at[link.child_task_id, "number"],
                "title": task_info.at[link.child_task_id, "title"], "rank": rank,
                "source_doc_id": link.parent_doc_id, "source_item_id": link.parent_task_id,
                "score": link.score, "reuse": link.reuse, "shared_chars": link.shared_chars,
                "relation": link.relation, "evidence": link.evidence,
            })
    return make_table(rows, PASSAGE_COLUMNS)


def _rank_sources(passages: pd.DataFrame, documents: dict) -> pd.DataFrame:
    rows = []
    for doc_id, group in passages.groupby("source_doc_id", sort=True):
        best = group.sort_values(["shared_chars", "child_task_id"], ascending=[False, True]).iloc[0]
        record = documents[doc_id].record
        rows.append({"source_doc_id": doc_id, "title": record.get("title") or doc_id,
                     "level": record.get("level"), "tasks": group["child_task_id"].nunique(),
                     "shared_chars": int(group["shared_chars"].sum()), "best_evidence": best["evidence"]})
    rows.sort(key=lambda row: (-row["shared_chars"], -row["tasks"], row["source_doc_id"]))
    return make_table([{**row, "rank": rank} for rank, row in enumerate(rows, start=1)], SOURCE_COLUMNS)


def _reuse_summary(plan, folder: Path, n_sources: int, n_tasks: int, sources: pd.DataFrame,
                   passages: pd.DataFrame, limit: int = 10) -> str:
    title = plan.record.get("title") or plan.doc_id
    lines = [f"《{title}》 against {n_sources} document(s) in {folder}: "
             f"{passages['child_task_id'].nunique()} of {n_tasks} tasks share wording with them."]
    if not sources.empty:
        lines.append("Sources, most shared wording first:")
        lines += [f"  {s.rank}. {s.source_doc_id} 《{s.title}》: {s.tasks} task(s), {s.shared_chars} characters"
                  for s in sources.head(limit).itertuples()]
        lines.append("Tasks and their best source:")
        for p in passages[passages["rank"] == 1].itertuples():
            lines.append(f"  {p.number} {p.title} ← {p.source_item_id} ({p.reuse:.0%} of its text): 「{p.evidence}」")
    return "\n".join(lines)


@dataclass
class CoverageResult:
    """A child document against its parent document(s): tables and a readable summary."""

    child_doc_id: str
    parent_doc_ids: list[str]
    tables: dict[str, pd.DataFrame]
    summary: str
    failures: list[InputFailure] = field(default_factory=list)

    @property
    def coverage(self) -> pd.DataFrame:
        """The coverage table: one row per parent directive."""
        return self.tables["coverage"]


def coverage(child_path: str | Path, parent_path: str | Path, *,
             linker: DirectiveLinker | None = None) -> CoverageResult:
    """Link the child document's tasks to the directives of the parent document(s) at
    ``parent_path`` (a file or a folder) and measure coverage.

    Returns the links, coverage, coverage_sections, coverage_documents and local_additions
    tables and a summary: coverage rate, the gaps by title, the local additions. Raises
    :class:`InputError` when either side holds no readable document.
    """
    child_corpus, _ = _read(Path(child_path))
    parent_corpus, failures = _read(Path(parent_path))
    child = _single_document(child_corpus, child_path)
    parent_docs = [doc for doc in parent_corpus.documents if doc.source.sha256 != child.source.sha256]
    if not parent_docs:
        raise InputError(parent_path, "holds no document other than the child", "give the parent document")
    parent_ids = [doc.doc_id for doc in parent_docs]
    tasks = child_corpus.tables["tasks"]
    parent_tables = {name: t[t["doc_id"].isin(parent_ids)] for name, t in parent_corpus.tables.items()}
    if child.doc_id in parent_ids:  # same file name in both places: keep the two apart
        raise InputError(parent_path, f"a parent has the same id as the child ({child.doc_id})",
                         "rename one of the files")
    pairs = pd.DataFrame({"child_doc_id": child.doc_id, "parent_doc_id": parent_ids})
    tables = linked_and_covered(pairs, tasks, parent_tables["tasks"], parent_tables["sections"], linker)
    documents = pd.concat([child_corpus.tables["documents"], parent_tables["documents"]], ignore_index=True)
    summary = coverage_summary(documents, tables["coverage"], tables["coverage_documents"], tables["local_additions"])
    return CoverageResult(child.doc_id, parent_ids, tables, summary, failures)
