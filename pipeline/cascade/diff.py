"""``guanche diff OLD NEW``: read two versions of one document, compare them, and say what
changed; and, for ``guanche run``, which inputs are versions of one document."""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from extractors.citations import title_key
from pipeline.api import read_corpus, single_document
from pipeline.cascade.linker import DirectiveLinker
from pipeline.cascade.versions import CHANGE_CLASSES, LIST_SEPARATOR, STRUCTURE_CLASSES, VersionTables, compare_versions
from pipeline.stages.corpus import InputFailure

DIFF_STAGES = ("structure", "units", "commitments")  # what the classes are computed from
PASSAGES_SHOWN = 2  # changed passages per group in the terminal summary
_YEAR = re.compile(r"[（(]?(?<!\d)\d{4}(?:年度?|-\d{4}年)[）)]?")  # 2024年, （2021-2025年）
_DATED_NAME = re.compile(r"[（(]\d{4}-\d{2}-\d{2}[）)]$")


@dataclass
class VersionDiff:
    """Two versions of one document compared: the documents, the diff tables and a summary."""

    documents: pd.DataFrame  # the OLD and the NEW document, in that order
    versions: tuple[VersionTables, VersionTables]
    tables: dict[str, pd.DataFrame]
    summary: str
    failures: list[InputFailure] = field(default_factory=list)

    @property
    def diff(self) -> pd.DataFrame:
        """The version_diff table: one row per group of aligned tasks."""
        return self.tables["version_diff"]


def diff_documents(old_path: str | Path, new_path: str | Path, *, linker: DirectiveLinker | None = None) -> VersionDiff:
    """Read the document at ``old_path`` and the one at ``new_path`` and compare them.

    Returns the :class:`VersionDiff`. Raises :class:`~pipeline.errors.InputError` when a path
    holds no readable document or several.
    """
    sides, documents, failures = [], [], []
    for path in (old_path, new_path):
        corpus, failed = read_corpus([path], stages=DIFF_STAGES)
        doc = single_document(corpus, path)
        sides.append(VersionTables.of(corpus.tables, doc.doc_id))
        documents.append(corpus.tables["documents"])
        failures += failed
    old, new = sides
    tables = compare_versions(old, new, linker=linker)
    documents_table = pd.concat(documents, ignore_index=True)
    return VersionDiff(documents_table, (old, new), tables, describe_diff(documents_table, tables), failures)


def class_counts(diff: pd.DataFrame) -> dict[str, int]:
    """How many groups are of each class (structure classes, then the other changes)."""
    counts = {name: int((diff["change"] == name).sum()) for name in STRUCTURE_CLASSES}
    counts |= {name: int((diff[name] != "").sum()) for name in CHANGE_CLASSES}
    return counts


def describe_diff(documents: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> str:
    """The terminal summary: both versions, the count of each class, then the changes section
    by section (the NEW section; for dropped tasks the OLD one)."""
    diff, passages = tables["version_diff"], tables["version_passages"]
    old, new = documents.iloc[0], documents.iloc[1]
    n_old = sum(len(ids.split(LIST_SEPARATOR)) for ids in diff["old_task_ids"] if ids)
    n_new = sum(len(ids.split(LIST_SEPARATOR)) for ids in diff["new_task_ids"] if ids)
    counts = class_counts(diff)
    lines = [
        f"{old['title'] or old['doc_id']} ({old['issued_on'] or old['doc_id']}) → "
        f"{new['title'] or new['doc_id']} ({new['issued_on'] or new['doc_id']}): {n_old} → {n_new} tasks",
        "  " + " · ".join(f"{name} {counts[name]}" for name in STRUCTURE_CLASSES),
        "  " + " · ".join(f"{name.replace('_', ' ')} {counts[name]}" for name in CHANGE_CLASSES),
    ]
    changed = diff[diff["classes"] != "unchanged"]
    by_group = dict(list(passages.groupby("group")))
    for section, rows in section_runs(changed):
        lines += ["", section or "(no section)"]
        for row in rows:
            lines += _group_lines(row, by_group.get(row.group))
    return "\n".join(lines)


def section_runs(diff: pd.DataFrame) -> list[tuple[str, list]]:
    """The rows of a version_diff table (as named tuples) in runs of one section each, in table
    order: the NEW section of a group, the OLD one of a dropped task."""
    sections = diff["new_section"].where(diff["new_section"] != "", diff["old_section"])
    rows = zip(sections, diff.itertuples(index=False))
    return [(section, [row for _, row in run]) for section, run in itertools.groupby(rows, key=lambda pair: pair[0])]


def _group_lines(row, passages: pd.DataFrame | None) -> list[str]:
    """A changed group in the summary: its classes and numbers, then what changed."""
    numbers = (
        f"{row.old_numbers.replace(LIST_SEPARATOR, '+') or '—'} → {row.new_numbers.replace(LIST_SEPARATOR, '+') or '—'}"
    )
    lines = [f"  {row.classes.replace(LIST_SEPARATOR, ', ').replace('_', ' ')}: {numbers}"]
    for name in CHANGE_CLASSES:
        value = getattr(row, name)
        if value:
            lines.append(f"      {name.replace('_', ' ')}: {value.replace(LIST_SEPARATOR, '; ')}")
    if passages is not None:
        for passage in passages.head(PASSAGES_SHOWN).itertuples(index=False):
            lines.append(f"      {_passage(passage.operation, passage.old_passage, passage.new_passage)}")
        if len(passages) > PASSAGES_SHOWN:
            lines.append(f"      … {len(passages) - PASSAGES_SHOWN} more changed passages (version_passages.csv)")
    return lines


def _passage(operation: str, old: str, new: str) -> str:
    """A changed passage in the summary: −「deleted」, +「inserted」 or 「old」→「new」."""
    if operation == "delete":
        return f"−「{_clip(old)}」"
    if operation == "insert":
        return f"+「{_clip(new)}」"
    return f"「{_clip(old)}」→「{_clip(new)}」"


def _clip(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters (with … when cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def version_key(title: str, source_path: str) -> str:
    """What two versions of one document share: the title without years, editions and revision
    notes (2024年, （2019年修订）); failing a title, the file name without a trailing date
    (行政复议法(2017-09-01))."""
    key = _YEAR.sub("", title_key(title or ""))
    return key or _DATED_NAME.sub("", Path(source_path or "").stem)


def version_notes(documents: pd.DataFrame) -> list[str]:
    """A note for each set of inputs that are versions of one document (same :func:`version_key`,
    different text), pointing to ``guanche diff``."""
    notes = []
    keys = [version_key(row.title, row.source_path) for row in documents.itertuples(index=False)]
    for key, rows in documents.assign(key=keys).groupby("key", sort=False):
        if key and rows["sha256"].nunique() > 1:
            ordered = rows.sort_values(["issued_on", "doc_id"], na_position="first")
            paths = ordered["source_path"].tolist()
            notes.append(
                f"{len(rows)} versions of {rows['title'].iloc[0] or key} ({', '.join(ordered['doc_id'])}): "
                f"compare them with `guanche diff {shlex.quote(paths[0])} {shlex.quote(paths[-1])}`"
            )
    return notes
