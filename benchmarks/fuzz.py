"""The long fuzz run, for before a release: many mutated copies of the real corpus through the
command line, in batches with the known-good county plan in each (tests/support/fuzz.py).

    python benchmarks/fuzz.py --n 3000 [--seed S] [--batch 40] [--timeout 120] [--jobs 1]

Prints, as a table and a JSON document: inputs tried, how many were read and refused, crashes
(a traceback, an exit code other than 0 and 1, a signal), hangs (runs over the time limit), good
files lost, internal errors ("please report"), refusals not named on their own error line or
with the catch-all message, the slowest run, and the peak memory (RSS) of the worst input: the
batch with the highest peak is run again one input at a time, and the input with the highest
peak alone is named. Each problem is listed with the input that caused it; the exit status is 1
when there is any.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.fuzz import GOOD_TASKS, BatchResult, Mutant, generate, run_batch  # noqa: E402

_PROBLEM = re.compile(r"^error: .+?: (?P<problem>.+?) — ", re.M)


def _batches(count: int, seed: int, size: int):
    """The inputs of ``seed`` in lists of ``size``, made as they are needed."""
    inputs = generate(count, seed=seed)
    while batch := list(itertools.islice(inputs, size)):
        yield batch


def _run(batch: list[Mutant], *, timeout: float, jobs: int) -> BatchResult:
    with tempfile.TemporaryDirectory(prefix="guanche-fuzz-") as folder:
        return run_batch(batch, Path(folder), timeout=timeout, jobs=jobs)


def _problem_kind(message: str) -> str:
    """A refusal's problem in general terms: its numbers, part names and byte offsets dropped."""
    return re.sub(r"\(.*?\)|\d[\d,]*", "…", message)


def fuzz(count: int, *, seed: int, size: int, timeout: float, jobs: int) -> dict:
    """Run ``count`` inputs of ``seed`` in batches of ``size``; returns the figures (see the module)."""
    totals: Counter[str] = Counter()
    problems: list[str] = []
    refusals: Counter[str] = Counter()
    worst_batch: tuple[float, list[Mutant]] = (0.0, [])
    slowest = (0.0, 0)
    started = time.perf_counter()
    for number, batch in enumerate(_batches(count, seed, size)):
        result = _run(batch, timeout=timeout, jobs=jobs)
        totals["inputs"] += len(batch)
        totals["read"] += result.inputs_read()
        totals["crashes"] += result.crashed
        totals["hangs"] += result.timed_out
        totals["good files lost"] += not result.timed_out and result.good_tasks != GOOD_TASKS
        totals["internal errors"] += len(result.internal_errors)
        totals["refusals not named"] += len(result.unnamed_refusals())
        totals["catch-all messages"] += len(result.unspecific_messages())
        refusals.update(_problem_kind(match["problem"]) for match in _PROBLEM.finditer(result.stderr))
        problems += [f"batch {number}: {problem}" for problem in result.problems()]
        if result.peak_rss_mb > worst_batch[0]:
            worst_batch = (result.peak_rss_mb, batch)
        slowest = max(slowest, (result.seconds, number))
        print(
            f"batch {number}: {len(batch)} inputs, exit {result.returncode}, {result.seconds:.1f} s, "
            f"{result.peak_rss_mb:.0f} MB, {len(result.problems())} problem(s)",
            file=sys.stderr,
            flush=True,
        )
        for problem in result.problems():
            print(f"  {problem}", file=sys.stderr, flush=True)
    totals["refused"] = totals["inputs"] - totals["read"]
    worst = max(
        ((_run([mutant], timeout=timeout, jobs=jobs).peak_rss_mb, mutant) for mutant in worst_batch[1]),
        key=lambda pair: pair[0],
    )
    return {
        "seed": seed,
        "batch": size,
        **totals,
        "seconds": round(time.perf_counter() - started),
        "slowest run s": round(slowest[0], 1),
        "peak RSS of a batch MB": round(worst_batch[0]),
        "peak RSS of the worst input alone MB": round(worst[0]),
        "worst input": worst[1].label(),
        "refusals by problem": dict(refusals.most_common()),
        "problems": problems,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="inputs to try (default 3000)")
    parser.add_argument("--seed", type=int, default=0, help="fuzzer seed (default 0)")
    parser.add_argument("--batch", type=int, default=40, help="inputs per run (default 40)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a run may take (default 120)")
    parser.add_argument("--jobs", type=int, default=1, help="--jobs of each run (default 1)")
    args = parser.parse_args()
    figures = fuzz(args.n, seed=args.seed, size=args.batch, timeout=args.timeout, jobs=args.jobs)
    width = max(map(len, figures))
    for key, value in figures.items():
        if not isinstance(value, (dict, list)):
            print(f"{key:<{width}}  {value}")
    for problem in figures["problems"]:
        print(f"problem: {problem}")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 1 if figures["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
