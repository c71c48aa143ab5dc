"""Where a plan's wording comes from: its tasks compared with every directive and preamble of a
folder of documents (``guanche reuse``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.api import STRUCTURE_ONLY, read_corpus, single_document
from pipeline.cascade.directives import directive_items
from pipeline.cascade.linker import DirectiveLinker, linking_text
from pipeline.outputs.schema import PASSAGE_COLUMNS, SOURCE_COLUMNS, make_table
from pipeline.stages.corpus import InputFailure

PREAMBLE_ID = "P"


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


def trace_reuse(
    plan_path: str | Path, against_folder: str | Path, *, top_k: int = 3, linker: DirectiveLinker | None = None
) -> ReuseResult:
    """Rank the documents under ``against_folder`` by how much of the plan's wording they hold.

    Every task of the plan is compared with every directive and preamble of the other documents;
    per task the sources sharing passages are ranked by reuse (share of the task's text found
    word for word in the source item), then score, and the best ``top_k`` kept. Raises
    :class:`InputError` when the plan or the folder holds no readable document.
    """
    plan_corpus, _ = read_corpus([plan_path], stages=STRUCTURE_ONLY)
    plan = single_document(plan_corpus, plan_path)
    sources, failures = read_corpus([against_folder], stages=STRUCTURE_ONLY)
    own = plan.source.sha256
    source_docs = [doc for doc in sources.documents if doc.source.sha256 != own]
    items = directive_items(sources.tables["tasks"], sources.tables["sections"])
    preambles = pd.DataFrame(
        [
            {"doc_id": d.doc_id, "task_id": f"{d.doc_id}:{PREAMBLE_ID}", "text": d.preamble}
            for d in source_docs
            if d.preamble.strip()
        ]
    )
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
    return ReuseResult(plan.doc_id, plan.record.get("title") or plan.doc_id, source_table, passages, summary, failures)


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
            rows.append(
                {
                    "child_task_id": link.child_task_id,
                    "number": task_info.at[link.child_task_id, "number"],
                    "title": task_info.at[link.child_task_id, "title"],
                    "rank": rank,
                    "source_doc_id": link.parent_doc_id,
                    "source_item_id": link.parent_task_id,
                    "score": link.score,
                    "reuse": link.reuse,
                    "shared_chars": link.shared_chars,
                    "relation": link.relation,
                    "evidence": link.evidence,
                }
            )
    return make_table(rows, PASSAGE_COLUMNS)


def _rank_sources(passages: pd.DataFrame, documents: dict) -> pd.DataFrame:
    rows = []
    for doc_id, group in passages.groupby("source_doc_id", sort=True):
        best = group.sort_values(["shared_chars", "child_task_id"], ascending=[False, True]).iloc[0]
        record = documents[doc_id].record
        rows.append(
            {
                "source_doc_id": doc_id,
                "title": record.get("title") or doc_id,
                "level": record.get("level"),
                "tasks": group["child_task_id"].nunique(),
                "shared_chars": int(group["shared_chars"].sum()),
                "best_evidence": best["evidence"],
            }
        )
    rows.sort(key=lambda row: (-row["shared_chars"], -row["tasks"], row["source_doc_id"]))
    return make_table([{**row, "rank": rank} for rank, row in enumerate(rows, start=1)], SOURCE_COLUMNS)


def _reuse_summary(
    plan, folder: Path, n_sources: int, n_tasks: int, sources: pd.DataFrame, passages: pd.DataFrame, limit: int = 10
) -> str:
    title = plan.record.get("title") or plan.doc_id
    lines = [
        f"《{title}》 against {n_sources} document(s) in {folder}: "
        f"{passages['child_task_id'].nunique()} of {n_tasks} tasks share wording with them."
    ]
    if not sources.empty:
        lines.append("Sources, most shared wording first:")
        lines += [
            f"  {s.rank}. {s.source_doc_id} 《{s.title}》: {s.tasks} task(s), {s.shared_chars} characters"
            for s in sources.head(limit).itertuples()
        ]
        lines.append("Tasks and their best source:")
        for p in passages[passages["rank"] == 1].itertuples():
            lines.append(f"  {p.number} {p.title} ← {p.source_item_id} ({p.reuse:.0%} of its text): 「{p.evidence}」")
    return "\n".join(lines)
