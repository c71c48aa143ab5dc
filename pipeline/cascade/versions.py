"""Two versions of one document, task by task (``guanche diff OLD NEW``).

How the versions are compared:

1. Alignment: a :class:`~pipeline.cascade.linker.DirectiveLinker` is fitted on each version
   and links the other's tasks to it (tasks of the same kind only: articles with articles, plan
   tasks with plan tasks). Every linked pair gets the better score of the two directions. Pairs
   are taken best first, one-to-one; a pair whose one side is already taken joins that side's
   group when its score reaches ``extra_score`` and the group stays one-to-many (a split: one
   OLD task now in several NEW tasks) or many-to-one (a merge).
2. Class of each group: ``unchanged`` (the same text apart from punctuation, blank space and
   assignment annotations), ``reworded``, ``split``, ``merged``; a NEW task in no group is
   ``new``, an OLD one ``dropped``.
3. Changes found in each group besides: ``strengthened`` / ``softened`` (an obligation on the
   same object with a stronger or weaker commitment: 推进 → 全面落实, 探索 → 建立, 可以 → 应当),
   ``units_reassigned`` (lead or supporting units added or removed), ``targets_changed`` (the
   targets and deadlines as written differ: 60学时 → 80学时, 年底前 → 6月底前) and ``moved``
   (the task went to a section other than the one most tasks of its OLD section went to, so that
   renumbered chapters are not moves).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from rapidfuzz.distance import Indel

from pipeline.cascade.linker import DirectiveLinker, linking_text
from pipeline.outputs.schema import VERSION_DIFF_COLUMNS, VERSION_PASSAGE_COLUMNS, make_table

STRUCTURE_CLASSES = ("unchanged", "reworded", "split", "merged", "new", "dropped")
CHANGE_CLASSES = ("strengthened", "softened", "units_reassigned", "targets_changed", "moved")
LIST_SEPARATOR = ";"
# commitment strength, weakest first; a regulation's prohibition binds as firmly as its mandate
STRENGTH_RANK = {"explore": 0, "permission": 0, "promote": 1, "strengthen": 2, "mandatory": 3, "prohibition": 3}
_PUNCTUATION = re.compile(r"[\s\u200b，。、；：？！“”‘’（）《》〈〉【】—…·,.;:?!\"'()\[\]<>-]+")


@dataclass(frozen=True)
class VersionTables:
    """The tables of one document's two versions that a comparison needs (each filtered to its
    document): tasks, sections, task_units, obligations, targets."""

    doc_id: str
    tasks: pd.DataFrame
    sections: pd.DataFrame
    task_units: pd.DataFrame
    obligations: pd.DataFrame
    targets: pd.DataFrame

    @classmethod
    def of(cls, tables: dict[str, pd.DataFrame], doc_id: str) -> VersionTables:
        """The tables of document ``doc_id`` out of a run's ``tables``."""
        names = ("tasks", "sections", "task_units", "obligations", "targets")
        parts = {name: tables[name][tables[name]["doc_id"] == doc_id].reset_index(drop=True) for name in names}
        return cls(doc_id=doc_id, **parts)


def bare_text(text: str) -> str:
    """A task's text without assignment annotations, punctuation and blank space: what must be
    equal for two versions of a task to be unchanged."""
    return _PUNCTUATION.sub("", linking_text(text))


def align_tasks(
    old: pd.DataFrame, new: pd.DataFrame, *, linker: DirectiveLinker | None = None, extra_score: float = 0.7
) -> list[tuple[list[str], list[str], float]]:
    """Align the tasks of two versions (tables with task_id, kind, text).

    Returns the groups ``(old task ids, new task ids, score)`` in NEW order (a dropped task,
    with no NEW id, right after the group of the OLD task before it); every task is in exactly
    one group. Raises nothing: a version with no text gives only new or dropped groups.
    """
    scores = _pair_scores(old, new, linker or DirectiveLinker(top_k=3, n_jobs=1))
    old_group: dict[str, int] = {}
    new_group: dict[str, int] = {}
    groups: list[tuple[list[str], list[str], float]] = []
    for (old_id, new_id), score in sorted(scores.items(), key=lambda item: -item[1]):
        taken_old, taken_new = old_group.get(old_id), new_group.get(new_id)
        if taken_old is None and taken_new is None:
            old_group[old_id] = new_group[new_id] = len(groups)
            groups.append(([old_id], [new_id], score))
        elif score < extra_score:
            continue
        elif taken_old is not None and taken_new is None and len(groups[taken_old][0]) == 1:  # a split
            groups[taken_old][1].append(new_id)
            new_group[new_id] = taken_old
        elif taken_new is not None and taken_old is None and len(groups[taken_new][1]) == 1:  # a merge
            groups[taken_new][0].append(old_id)
            old_group[old_id] = taken_new
    return _in_document_order(groups, list(old["task_id"]), list(new["task_id"]), old_group, new_group)


def _pair_scores(old: pd.DataFrame, new: pd.DataFrame, linker: DirectiveLinker) -> dict[tuple[str, str], float]:
    """The score of every linked (OLD, NEW) pair of the same kind: the better of the two
    directions (NEW linked to OLD, OLD linked to NEW)."""
    kinds = dict(zip(old["task_id"], old["kind"])) | dict(zip(new["task_id"], new["kind"]))
    scores: dict[tuple[str, str], float] = {}
    for parents, children, flipped in ((old, new, False), (new, old, True)):
        if not any(map(linking_text, parents["text"])) or children.empty:
            continue
        links = DirectiveLinker(**linker.params()).fit(parents).link(children)
        for link in links.itertuples(index=False):
            pair = (link.child_task_id, link.parent_task_id) if flipped else (link.parent_task_id, link.child_task_id)
            if kinds[pair[0]] == kinds[pair[1]]:
                scores[pair] = max(scores.get(pair, float("-inf")), float(link.score))
    return scores


def _in_document_order(
    groups: list[tuple[list[str], list[str], float]],
    old_ids: list[str],
    new_ids: list[str],
    old_group: dict[str, int],
    new_group: dict[str, int],
) -> list[tuple[list[str], list[str], float]]:
    """The groups with the unaligned tasks added (new, dropped), ordered by their first NEW task;
    a dropped task comes right after the group of the OLD task before it."""
    old_rank, new_rank = {t: i for i, t in enumerate(old_ids)}, {t: i for i, t in enumerate(new_ids)}
    keyed: list[tuple[tuple[float, float], tuple[list[str], list[str], float]]] = []
    for old_list, new_list, score in groups:
        old_list.sort(key=old_rank.__getitem__)
        new_list.sort(key=new_rank.__getitem__)
        keyed.append(((new_rank[new_list[0]], 0), (old_list, new_list, score)))
    keyed += [((new_rank[t], 0), ([], [t], 0.0)) for t in new_ids if t not in new_group]
    anchor = -1.0  # NEW position of the group of the last aligned OLD task seen
    for position, task_id in enumerate(old_ids):
        if task_id in old_group:
            anchor = float(new_rank[groups[old_group[task_id]][1][-1]])
        else:
            keyed.append(((anchor, 1 + position), ([task_id], [], 0.0)))
    return [group for _, group in sorted(keyed, key=lambda item: item[0])]


def compare_versions(old: VersionTables, new: VersionTables, *, linker: DirectiveLinker | None = None) -> dict:
    """Compare two versions of one document.

    Returns the tables ``version_diff`` (one row per group: OLD and NEW tasks, class, the
    changes found, see the module docstring) and ``version_passages`` (the changed passages of
    each group, from a character diff).
    """
    groups = align_tasks(old.tasks, new.tasks, linker=linker)
    old_tasks, new_tasks = old.tasks.set_index("task_id"), new.tasks.set_index("task_id")
    moves = _section_moves(groups, old, new)
    rows, passages = [], []
    for number, (old_ids, new_ids, score) in enumerate(groups, start=1):
        old_text = "".join(old_tasks.loc[task_id, "text"] for task_id in old_ids)
        new_text = "".join(new_tasks.loc[task_id, "text"] for task_id in new_ids)
        changes = _changes(old, new, old_ids, new_ids) if old_ids and new_ids else {}
        if moves.get((tuple(old_ids), tuple(new_ids))):
            changes["moved"] = moves[(tuple(old_ids), tuple(new_ids))]
        change = _structure_class(old_ids, new_ids, old_text, new_text)
        rows.append(
            {
                "old_doc_id": old.doc_id,
                "new_doc_id": new.doc_id,
                "group": number,
                "change": change,
                "classes": LIST_SEPARATOR.join([change, *(name for name in CHANGE_CLASSES if name in changes)]),
                "old_task_ids": LIST_SEPARATOR.join(old_ids),
                "new_task_ids": LIST_SEPARATOR.join(new_ids),
                "old_numbers": LIST_SEPARATOR.join(_numbers(old_tasks, old_ids)),
                "new_numbers": LIST_SEPARATOR.join(_numbers(new_tasks, new_ids)),
                "old_section": _section_title(old, old_ids),
                "new_section": _section_title(new, new_ids),
                "score": round(score, 4),
                "similarity": round(Indel.normalized_similarity(bare_text(old_text), bare_text(new_text)), 4),
                **{name: changes.get(name, "") for name in CHANGE_CLASSES},
            }
        )
        if change in ("reworded", "split", "merged"):
            passages += [{"group": number, **passage} for passage in changed_passages(old_text, new_text)]
    return {
        "version_diff": make_table(rows, VERSION_DIFF_COLUMNS),
        "version_passages": make_table(passages, VERSION_PASSAGE_COLUMNS),
    }


def _structure_class(old_ids: list[str], new_ids: list[str], old_text: str, new_text: str) -> str:
    """unchanged, reworded, split, merged, new or dropped (see the module docstring)."""
    if not old_ids:
        return "new"
    if not new_ids:
        return "dropped"
    if len(new_ids) > 1:
        return "split"
    if len(old_ids) > 1:
        return "merged"
    return "unchanged" if bare_text(old_text) == bare_text(new_text) else "reworded"


def changed_passages(old_text: str, new_text: str) -> list[dict]:
    """The passages that differ between two texts (assignment annotations left out), from a
    character diff: dicts with ``operation`` (replace, delete, insert), ``old_passage``,
    ``new_passage``, in text order."""
    old_text, new_text = linking_text(old_text), linking_text(new_text)
    matcher = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False)
    return [
        {"operation": tag, "old_passage": old_text[i1:i2], "new_passage": new_text[j1:j2]}
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal" and _PUNCTUATION.sub("", old_text[i1:i2] + new_text[j1:j2])
    ]


def _numbers(tasks: pd.DataFrame, task_ids: list[str]) -> list[str]:
    """The numbers (第一条, （三）) of the tasks, else their ids."""
    return [str(tasks.loc[task_id, "number"] or task_id) for task_id in task_ids]


def _top_sections(version: VersionTables) -> dict[str, str]:
    """Task id → the id of its top-level section ("" when the task is in none)."""
    parents = dict(zip(version.sections["section_id"], version.sections["parent_id"]))

    def top(section_id) -> str:
        while section_id and parents.get(section_id):
            section_id = parents[section_id]
        return section_id or ""

    return {
        task_id: top(section_id) for task_id, section_id in zip(version.tasks["task_id"], version.tasks["section_id"])
    }


def _section_title(version: VersionTables, task_ids: list[str]) -> str:
    """Number and title of the top-level section of the first of ``task_ids``."""
    if not task_ids:
        return ""
    top = _top_sections(version)[task_ids[0]]
    section = version.sections[version.sections["section_id"] == top]
    if section.empty:
        return ""
    return f"{section['number'].iloc[0] or ''} {section['title'].iloc[0] or ''}".strip()


def _section_moves(
    groups: list[tuple[list[str], list[str], float]], old: VersionTables, new: VersionTables
) -> dict[tuple[tuple[str, ...], tuple[str, ...]], str]:
    """The groups whose tasks went to another section: ``(old ids, new ids)`` → "OLD section →
    NEW section". Each OLD section corresponds to the NEW section most of its aligned tasks
    went to; a group is moved when its NEW section is not that of its OLD section."""
    old_sections, new_sections = _top_sections(old), _top_sections(new)
    went: dict[str, Counter] = {}
    for old_ids, new_ids, _ in groups:
        for old_id in old_ids:
            for new_id in new_ids:
                went.setdefault(old_sections[old_id], Counter())[new_sections[new_id]] += 1
    corresponding = {section: counts.most_common(1)[0][0] for section, counts in went.items()}
    moves = {}
    for old_ids, new_ids, _ in groups:
        if old_ids and new_ids and corresponding.get(old_sections[old_ids[0]]) != new_sections[new_ids[0]]:
            moves[(tuple(old_ids), tuple(new_ids))] = f"{_section_title(old, old_ids)} → {_section_title(new, new_ids)}"
    return moves


def _changes(old: VersionTables, new: VersionTables, old_ids: list[str], new_ids: list[str]) -> dict[str, str]:
    """The changes of an aligned group besides its wording: strengthened, softened,
    units_reassigned, targets_changed, each a short description (absent when not found)."""
    changes = _strength_changes(_of(old.obligations, old_ids), _of(new.obligations, new_ids))
    units = _unit_changes(_of(old.task_units, old_ids), _of(new.task_units, new_ids))
    if units:
        changes["units_reassigned"] = units
    targets = _target_changes(_of(old.targets, old_ids), _of(new.targets, new_ids))
    if targets:
        changes["targets_changed"] = targets
    return changes


def _of(table: pd.DataFrame, task_ids: Iterable[str]) -> pd.DataFrame:
    """The rows of ``table`` of the given tasks."""
    return table[table["task_id"].isin(list(task_ids))]


def _strength_changes(old: pd.DataFrame, new: pd.DataFrame, *, same_object: float = 0.6) -> dict[str, str]:
    """Obligations on the same object (similarity of the objects ≥ ``same_object``) whose
    strength went up or down: {"strengthened": "推进 → 全面落实 …", "softened": …}."""
    found: dict[str, list[str]] = {"strengthened": [], "softened": []}
    for before in old.itertuples(index=False):
        if before.strength not in STRENGTH_RANK or not before.object:
            continue
        best, best_similarity = None, same_object
        for after in new.itertuples(index=False):
            if after.strength in STRENGTH_RANK and after.object:
                similarity = Indel.normalized_similarity(before.object, after.object)
                if similarity >= best_similarity:
                    best, best_similarity = after, similarity
        if best is None:
            continue
        step = STRENGTH_RANK[best.strength] - STRENGTH_RANK[before.strength]
        if step:
            described = f"{before.action}（{before.strength}）→ {best.action}（{best.strength}）：{best.object}"
            found["strengthened" if step > 0 else "softened"].append(described)
    return {name: LIST_SEPARATOR.join(items) for name, items in found.items() if items}


def _unit_changes(old: pd.DataFrame, new: pd.DataFrame) -> str:
    """Lead and supporting units added or removed, e.g. "lead +旗司法局 −旗政府办", or ""."""
    parts = []
    for role in ("lead", "support"):
        before = list(dict.fromkeys(old.loc[old["role"] == role, "unit"]))
        after = list(dict.fromkeys(new.loc[new["role"] == role, "unit"]))
        added = [f"+{unit}" for unit in after if unit not in before]
        removed = [f"−{unit}" for unit in before if unit not in after]
        if added or removed:
            parts.append(" ".join([role, *added, *removed]))
    return LIST_SEPARATOR.join(parts)


def _target_changes(old: pd.DataFrame, new: pd.DataFrame) -> str:
    """Targets and deadlines as written that differ, e.g. "不少于60学时 → 不少于80学时", or ""."""
    before = [text for text in dict.fromkeys(old["text"]) if text not in set(new["text"])]
    after = [text for text in dict.fromkeys(new["text"]) if text not in set(old["text"])]
    if not before and not after:
        return ""
    return f"{'、'.join(before) or '—'} → {'、'.join(after) or '—'}"
