"""``guanche merge``: the per-document datasets of several runs joined into one, from which the
corpus stages build every table again (units, citations resolved, parents, links, coverage),
linking across the runs without reading a document again.

A document (doc_id) in several runs is kept once, from the first run named, when its rows are the
same in every run; when they differ, the merge stops with an error naming both runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.errors import InputError
from pipeline.outputs.dataset import DATASET_FOLDER, iter_rows, table_parts
from pipeline.stages.corpus import Corpus
from pipeline.stages.reading import streamed_corpus


def run_dataset(out_dir: Path) -> Path:
    """The dataset folder of the run whose outputs are ``out_dir``. Raises :class:`InputError`
    when it has none."""
    dataset = Path(out_dir) / DATASET_FOLDER
    if not (dataset / "documents").is_dir():
        raise InputError(
            out_dir,
            "holds no dataset of a run (dataset/documents/)",
            "give output folders of guanche run or guanche merge (their --out), run by this version of guanche",
        )
    return dataset


def merge_datasets(out_dirs: list[Path], target: Path) -> Corpus:
    """Join the datasets of the runs ``out_dirs`` into the dataset folder ``target``, each run's
    parts after the previous run's, every document once. Returns the corpus of ``target``.

    Raises :class:`InputError` when a folder holds no run's dataset, or a document is in two
    runs with different rows (naming both).
    """
    datasets = [run_dataset(out_dir) for out_dir in out_dirs]
    kept_from: dict[str, int] = {}
    again: list[tuple[str, int, int]] = []  # doc id, the run it is kept from, a later run that holds it too
    for number, dataset in enumerate(datasets):
        for record in iter_rows(dataset, "documents"):
            first = kept_from.setdefault(record["doc_id"], number)
            if first != number:
                again.append((record["doc_id"], first, number))
    _check_same_documents(out_dirs, datasets, again)
    offset = 0
    for number, dataset in enumerate(datasets):
        drop = {doc_id for doc_id, _, later in again if later == number}
        offset = _copy_parts(dataset, target, offset=offset, drop=drop)
    return streamed_corpus(target)


def _tables(dataset: Path) -> list[str]:
    """The tables of ``dataset`` (its subfolders), by name."""
    return sorted(folder.name for folder in dataset.iterdir() if folder.is_dir())


def _check_same_documents(out_dirs: list[Path], datasets: list[Path], again: list[tuple[str, int, int]]) -> None:
    """Raise :class:`InputError` unless every document of ``again`` (doc id, the run it is kept
    from, a later run) has the same rows in both runs, table by table."""
    wanted = [{doc_id for doc_id, *runs in again if number in runs} for number in range(len(datasets))]
    for table in sorted({table for dataset in datasets for table in _tables(dataset)}):
        rows: dict[tuple[int, str], list[dict]] = {}
        for number, dataset in enumerate(datasets):
            for row in iter_rows(dataset, table) if wanted[number] else ():
                if row["doc_id"] in wanted[number]:
                    rows.setdefault((number, row["doc_id"]), []).append(row)
        for doc_id, first, later in again:
            if repr(rows.get((first, doc_id))) != repr(rows.get((later, doc_id))):  # repr: NaN equals NaN
                raise InputError(
                    out_dirs[later],
                    f"document {doc_id} is also in {out_dirs[first]}, with other {table} rows (another file "
                    "of the same name, or read by another version of guanche)",
                    "merge runs that share no document or the same one, or rename one of the files and run it again",
                )


def _copy_parts(dataset: Path, target: Path, *, offset: int, drop: set[str]) -> int:
    """Copy the parts of ``dataset`` into ``target``, numbered from ``offset``, without the
    rows of the doc ids ``drop``. Returns the number after the last part copied."""
    end = offset
    for table in _tables(dataset):
        (target / table).mkdir(parents=True, exist_ok=True)
        for part in table_parts(dataset, table):
            number = offset + int(part.stem.removeprefix("part-"))
            end = max(end, number + 1)
            copy = target / table / f"part-{number:05d}.parquet"
            if not drop:
                shutil.copyfile(part, copy)
                continue
            rows = pq.read_table(part)
            kept = rows.filter([doc_id not in drop for doc_id in rows.column("doc_id").to_pylist()])
            if kept.num_rows:
                pq.write_table(kept, copy)
    return end
