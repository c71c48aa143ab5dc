"""When each part of a ``guanche run`` starts and ends, in every process: where a parallel run's
time goes (a sampling profiler sees only the main process).

    python benchmarks/timeline.py               # --jobs 2 on the 204-document corpus
    python benchmarks/timeline.py --jobs 1
    python benchmarks/timeline.py --documents 1000   # the corpus fifteen times (1,020 documents)
    python benchmarks/timeline.py --inputs ../shared/lawrefbook --no-workbook   # the real corpus

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
import dataclasses  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from pipeline.cli import console  # noqa: E402

console.load_command_line()  # as `guanche` starts: the collector paused while spaCy and pandas load
from run import big_corpus  # noqa: E402

import pipeline.cli.app as cli  # noqa: E402
from pipeline.cascade import directives  # noqa: E402
from pipeline.outputs import workbook, writer  # noqa: E402
from pipeline.stages import registry  # noqa: E402

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
    registry.STAGES = tuple(
        dataclasses.replace(stage, build=_noted(f"stage {stage.name}", stage.build)) for stage in registry.STAGES
    )
    directives.link_group = _noted("link a group of child documents", directives.link_group)
    for name in ("directive_coverage", "section_coverage", "document_coverage", "local_additions"):
        setattr(directives, name, _noted(name, getattr(directives, name)))
    cli.write_graph_files = _noted("graph files", cli.write_graph_files)
    writer.write_table_files = _noted("", writer.write_table_files)
    writer.assemble_workbook = _noted("assemble guanche.xlsx", workbook.assemble_workbook)


def print_timeline(end: float, *, repeated: int = 10) -> None:
    """The parts in order of their start, each process named: main, worker 1, worker 2 …; a part
    that one process ran more than ``repeated`` times is one line: how often, from its first
    start to its last end, and the time spent in it."""
    rows = [line.split("\t") for line in PARTS.read_text(encoding="utf-8").splitlines()]
    names = {str(os.getpid()): "main"}
    for pid, *_ in sorted(rows, key=lambda row: float(row[1])):
        names.setdefault(pid, f"worker {len(names)}")
    calls: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for pid, start, stop, part in rows:
        calls.setdefault((pid, part), []).append((float(start), float(stop)))
    lines = []
    for (pid, part), spans in calls.items():
        if len(spans) > repeated:
            spent = sum(stop - start for start, stop in spans)
            label = f"{part} ×{len(spans)}, {spent:.2f} s in all"
            lines.append((min(s for s, _ in spans), max(e for _, e in spans), names[pid], label))
        else:
            lines.extend((start, stop, names[pid], part) for start, stop in spans)
    print(f"{'start':>7} {'end':>7}  {'process':<9} part")
    for start, stop, process, part in sorted(lines):
        print(f"{start:>7.2f} {stop:>7.2f}  {process:<9} {part}")
    print(f"{'':>7} {end:>7.2f}  {'main':<9} end of the run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--documents", type=int, default=200, help="at least this many (the corpus repeated)")
    parser.add_argument("--inputs", type=Path, help="run on this folder instead of the repeated corpus")
    parser.add_argument("--no-workbook", action="store_true", help="leave out guanche.xlsx")
    args = parser.parse_args()
    _note(0.0, "start-up: Python, imports")
    instrument()
    with tempfile.TemporaryDirectory() as folder:
        inputs = args.inputs or Path(folder) / "in"
        if args.inputs is None:
            inputs.mkdir()
            print(f"guanche run on {big_corpus(inputs, args.documents)} documents, --jobs {args.jobs}", flush=True)
        sys.argv = ["guanche", "run", str(inputs), "--out", str(Path(folder) / "out"), "--jobs", str(args.jobs)]
        sys.argv += ["--no-workbook"] if args.no_workbook else []
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
