"""When each part of a ``guanche run`` starts and ends, in every process: where a parallel run's
time goes (a sampling profiler sees only the main process).

    python benchmarks/timeline.py               # --jobs 2 on the 204-document corpus
    python benchmarks/timeline.py --jobs 1
    python benchmarks/timeline.py --documents 1000   # the corpus fifteen times (1,020 documents)

The run is the real command in this process, with the stages, the graph files, each table's
files and the workbook's assembly wrapped to note their start and end (workers are forked, so
they note theirs too). Prints one line per part: start and end in seconds since this script
started, the process (main or the worker's number) and the part.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the imports below: they are part of the run's start-up

import argparse  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from pipeline import console  # noqa: E402

console.load_command_line()  # as `guanche` starts: the collector paused while spaCy and pandas load
from run import big_corpus  # noqa: E402

import pipeline.cli.app as cli  # noqa: E402
from pipeline import export, run  # noqa: E402

PARTS = Path(tempfile.mkstemp(prefix="guanche-timeline-", suffix=".tsv")[1])  # every process appends here


def _note(start: float, part: str) -> None:
    """Append one part (process id, start, end, name) to :data:`PARTS`."""
    with PARTS.open("a", encoding="utf-8") as parts:  # one short line a write: whole even from several processes
        parts.write(f"{os.getpid()}\t{start:.2f}\t{time.perf_counter() - STARTED:.2f}\t{part}\n")


def _noted(label: str, function):
    """``function``, noting when each call starts and ends; with no ``label``, the part is
    named after the first argument (a table's name)."""

    @functools.wraps(function)
    def wrapper(*arguments, **keywords):
        start = time.perf_counter() - STARTED
        try:
            return function(*arguments, **keywords)
        finally:
            _note(start, label or f"write {arguments[0]}")

    return wrapper


def instrument() -> None:
    """Wrap the parts of a run whose times the timeline shows."""
    for name, stage in list(run.STAGES.items()):
        run.STAGES[name] = _noted(f"stage {name}", stage)
    cli.read_documents = _noted("read documents (in the workers)", cli.read_documents)
    cli.write_graph_files = _noted("graph files", cli.write_graph_files)
    export.write_table_files = _noted("", export.write_table_files)
    export.assemble_workbook = _noted("assemble guanche.xlsx", export.assemble_workbook)


def print_timeline(end: float) -> None:
    """The parts in order of their start, each process named: main, worker 1, worker 2 …"""
    rows = [line.split("\t") for line in PARTS.read_text(encoding="utf-8").splitlines()]
    names = {str(os.getpid()): "main"}
    for pid, *_ in sorted(rows, key=lambda row: float(row[1])):
        names.setdefault(pid, f"worker {len(names)}")
    print(f"{'start':>6} {'end':>6}  {'process':<9} part")
    for pid, start, stop, part in sorted(rows, key=lambda row: (float(row[1]), float(row[2]))):
        print(f"{start:>6} {stop:>6}  {names[pid]:<9} {part}")
    print(f"{'':>6} {end:>6.2f}  {'main':<9} end of the run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--documents", type=int, default=200, help="at least this many (the corpus repeated)")
    args = parser.parse_args()
    _note(0.0, "start-up: Python, imports")
    instrument()
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "in"
        inputs.mkdir()
        n_documents = big_corpus(inputs, args.documents)
        print(f"guanche run on {n_documents} documents, --jobs {args.jobs}", flush=True)
        sys.argv = ["guanche", "run", str(inputs), "--out", str(Path(folder) / "out"), "--jobs", str(args.jobs)]
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the run's own summary
                console.entry_point()
        except SystemExit as done:
            if done.code:
                raise
        end = time.perf_counter() - STARTED
    print_timeline(end)
    PARTS.unlink()


if __name__ == "__main__":
    main()
