"""Speed and scale benchmarks for guanche. Prints a table and a JSON document; asserts nothing.

    python benchmarks/run.py            # everything (under 3 minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer repeats and sizes, for a smoke test

Figures (each the median of several runs, with min and max):
- cold start: wall time of ``guanche run`` on the shipped county plan in a fresh process, and,
  in a fresh interpreter, the split into import/model-load time and work time;
- throughput: characters and documents per second for ingest + structure + extraction over every
  document in ../shared/corpus, after a warm-up, in one process;
- linking cost curve: time and peak memory (RSS, in a fresh process per size) for linking N
  child items against N parent items, items drawn from the real corpus and repeated with
  distinct ids; and, at N = 5,000, how often the proposal search (used above 2,000 parents)
  finds the same top link as comparing every child with every parent;
- parallel speed-up: ``guanche run --jobs 1`` against ``--jobs 2`` on a corpus of at least 200
  documents (the real corpus repeated), with a check that the outputs are byte-identical, the
  CPU time of both, and the best speed-up two processes could give after the start-up that
  cannot be shared (see :func:`parallel`), given how much work two processes at once can do on
  this machine (see :func:`parallel_capacity`).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
COUNTY_RAW = REPO / "data" / "raw"
PYTHON = sys.executable

COLD_START_SPLIT = """
import json, sys, time
t0 = time.perf_counter()
from pipeline.cli.console import load_command_line
load_command_line()  # as the console script loads: the collector paused, then frozen
from pipeline.stages.reading import STAGES, build_tables, read_documents, resolve_manifest
from pipeline.outputs.writer import write_outputs
from pipeline.stages.commitments import commitment_pipeline
commitment_pipeline()
t1 = time.perf_counter()
from pathlib import Path
raw, out = Path(sys.argv[1]), Path(sys.argv[2])
corpus, failures = read_documents([raw], resolve_manifest([raw], None))
write_outputs(build_tables(corpus), out)
t2 = time.perf_counter()
print(json.dumps({"import_and_load_s": t1 - t0, "work_s": t2 - t1}))
"""

LINK_RUN = """
import json, resource, sys, time
import pandas as pd
from pipeline.cascade.linker import DirectiveLinker
items = pd.read_parquet(sys.argv[1])
n = int(sys.argv[2])
repeats = -(-n // len(items))
def sample(side):
    frame = pd.concat([items] * repeats, ignore_index=True).iloc[:n].copy()
    frame["task_id"] = [f"{side}:{i:06d}" for i in range(n)]
    frame["doc_id"] = [f"{side}-doc-{i // 50:05d}" for i in range(n)]
    return frame
parents, children = sample("p"), sample("c")
t0 = time.perf_counter()
links = DirectiveLinker().fit(parents).link(children)
elapsed = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
result = {"n": n, "seconds": elapsed, "peak_rss_mb": peak_mb, "links": len(links)}
if sys.argv[3:] == ["compare"]:  # the same links, every child compared with every parent
    every = DirectiveLinker(exhaustive_up_to=n).fit(parents).link(children)
    text = dict(zip(parents["task_id"], parents["text"]))  # repeated items: compare texts, not ids
    top = lambda found: found[found["rank"] == 1].set_index("child_task_id")["parent_task_id"].map(text)
    ours, theirs = top(links), top(every)
    both = ours.index.union(theirs.index)
    result["top_link_agreement"] = float((ours.reindex(both) == theirs.reindex(both)).mean())
    result["exhaustive_links"] = len(every)
print(json.dumps(result))
"""


def summary(values: list[float]) -> dict:
    """Median, min and max of repeated measurements."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def machine() -> dict:
    """The machine the figures were measured on."""
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
        "bytecode_cache": not sys.dont_write_bytecode,
    }


def run_json(code: str, *args: str) -> dict:
    done = subprocess.run([PYTHON, "-c", code, *args], capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cold_start(repeats: int) -> dict:
    """Wall time of the real command, and import/load vs work in a fresh interpreter."""
    walls, splits = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(
                [PYTHON, "-m", "pipeline", "run", str(COUNTY_RAW), "--out", out],
                capture_output=True,
                check=True,
                cwd=REPO,
            )
            walls.append(time.perf_counter() - start)
            splits.append(run_json(COLD_START_SPLIT, str(COUNTY_RAW), out))
    return {
        "wall_s": summary(walls),
        "import_and_load_s": summary([s["import_and_load_s"] for s in splits]),
        "work_s": summary([s["work_s"] for s in splits]),
    }


def throughput(repeats: int) -> dict:
    """Ingest + structure + extraction over the whole corpus, in this process, after warm-up,
    with what is loaded frozen out of the garbage collector as ``guanche`` does at start-up."""
    from pipeline.cli.console import load_command_line
    from pipeline.document.manifest import Manifest
    from pipeline.stages.reading import STAGES, read_documents

    extraction = [stage for name, stage in STAGES.items() if name != "cascade"]

    def once() -> tuple[float, int, int]:
        start = time.perf_counter()
        corpus, _ = read_documents([CORPUS], Manifest(), jobs=1)
        for stage in extraction:
            corpus.tables.update(stage(corpus))
        elapsed = time.perf_counter() - start
        return elapsed, len(corpus.documents), sum(len(d.source.text) for d in corpus.documents)

    load_command_line()
    once()  # warm-up: jieba dictionary, spaCy pipeline, registries
    runs = [once() for _ in range(repeats)]
    return {
        "documents": runs[0][1],
        "characters": runs[0][2],
        "chars_per_s": summary([chars / t for t, _, chars in runs]),
        "docs_per_s": summary([docs / t for t, docs, _ in runs]),
    }


def corpus_items(folder: Path) -> Path:
    """All tasks and articles of the real corpus, saved as Parquet for the linking runs."""
    from pipeline.document.manifest import Manifest
    from pipeline.stages.reading import read_documents
    from pipeline.stages.registry import build_tables

    corpus, _ = read_documents([CORPUS], Manifest(), jobs=1)
    tasks = build_tables(corpus, only=("structure",))["tasks"][["doc_id", "task_id", "text"]]
    path = folder / "items.parquet"
    tasks.to_parquet(path)
    return path


def linking_curve(items: Path, sizes: list[int], repeats: int) -> list[dict]:
    """Time and peak memory of linking N × N ``items``, one fresh process per measurement."""
    rows = []
    for n in sizes:
        runs = [run_json(LINK_RUN, str(items), str(n)) for _ in range(repeats)]
        rows.append(
            {
                "n": n,
                "seconds": summary([r["seconds"] for r in runs]),
                "peak_rss_mb": summary([r["peak_rss_mb"] for r in runs]),
            }
        )
    return rows


def proposal_agreement(items: Path, n: int) -> dict:
    """How far the proposal search (used above 2,000 parents) agrees with comparing every child
    with every parent, at N × N ``items``: the share of child tasks with the same top link."""
    run = run_json(LINK_RUN, str(items), str(n), "compare")
    return {
        "n": n,
        "top_link_agreement": run["top_link_agreement"],
        "links": run["links"],
        "exhaustive_links": run["exhaustive_links"],
    }


def big_corpus(folder: Path, minimum: int) -> int:
    """Copy the real corpus into ``folder`` as often as needed for ``minimum`` documents.

    Each copy gets a distinct trailing comment or blank line (the text read is unchanged), since
    guanche reads byte-identical inputs only once.
    """
    from pipeline.ingest.discover import discover_inputs

    sources = list(discover_inputs([CORPUS]))
    copies = -(-minimum // len(sources))
    for copy in range(copies):
        for source in sources:
            marker = f"<!-- copy {copy} -->" if source.suffix in (".html", ".md") else "\n" * (copy + 1)
            target = folder / f"{source.stem}-copy{copy}{source.suffix}"
            target.write_bytes(source.read_bytes() + marker.encode("utf-8"))
    return copies * len(sources)


# What ``guanche run --jobs 2`` does before its workers can start (Python's own start, about
# 20 ms, left out): load the command line as the console script does, load the extraction
# pipeline.
START_UP = """
import json, time
start = time.perf_counter()
from pipeline.cli.console import load_command_line
load_command_line()
from pipeline.stages.commitments import commitment_pipeline
commitment_pipeline()
print(json.dumps({"start_up_s": time.perf_counter() - start}))
"""

# guanche's own work, timed apart from the start-up: reading and extracting the corpus, pass
# after pass (argv: corpus, passes); prints the median time of a pass.
EXTRACTION_PASSES = """
import json, statistics, sys, time
from pathlib import Path
from pipeline.cli.console import load_command_line
load_command_line()
from pipeline.document.manifest import Manifest
from pipeline.stages.reading import read_documents
inputs = [Path(sys.argv[1])]
read_documents(inputs, Manifest(), jobs=1)  # warm-up
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    read_documents(inputs, Manifest(), jobs=1)
    times.append(time.perf_counter() - start)
print(json.dumps({"pass_s": statistics.median(times)}))
"""


def parallel_capacity(repeats: int, passes: int = 5) -> dict:
    """How fast guanche's work runs in each of two processes at once, as a share of its speed
    in one process alone: the median time of a pass of reading and extracting the corpus alone
    over its median in two processes started together (``repeats`` of each, alternated).

    1.0 means two cores that do not slow each other; two processes share the memory bandwidth
    and cache, and on a virtual machine the host's cores too, which can make it less. Two
    processes can never do more than 2 × this share (at most 2: a share above 1 is the noise of
    the measurement) of one process's work in the same time, however evenly the work is split.
    """
    command = [PYTHON, "-c", EXTRACTION_PASSES, str(CORPUS), str(passes)]
    alone, both = [], []
    for _ in range(repeats):
        alone.append(run_json(EXTRACTION_PASSES, str(CORPUS), str(passes))["pass_s"])
        pair = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO) for _ in range(2)]
        both += [json.loads(process.communicate()[0].strip().splitlines()[-1])["pass_s"] for process in pair]
    share = statistics.median(alone) / statistics.median(both)
    return {
        "alone_s": summary(alone),
        "both_s": summary(both),
        "share_of_solo_speed": share,
        "most_work_of_two": 2 * min(share, 1.0),
    }


def parallel(repeats: int, capacity: dict, minimum: int = 200) -> dict:
    """--jobs 1 against --jobs 2 on a corpus of at least ``minimum`` documents, and the best
    speed-up two processes could give that run on this machine.

    The bound: ``guanche run`` first imports spaCy and pandas and loads the jieba dictionary
    (the start-up, measured alone in a fresh process); only then can the workers start, so the
    start-up is never shared. Even if everything after it were shared perfectly between two
    processes at no cost, ``--jobs 2`` would take start-up + (CPU time of ``--jobs 1`` −
    start-up) / the most work two processes do at once (``capacity``, from
    :func:`parallel_capacity`: 2 on two real cores).
    """
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "in"
        inputs.mkdir()
        n_docs = big_corpus(inputs, minimum)
        times: dict[int, list[float]] = {1: [], 2: []}
        cpu: dict[int, list[float]] = {1: [], 2: []}  # user + system time of the run and its workers
        for _ in range(repeats):
            for jobs in (1, 2):
                before, start = _children_cpu(), time.perf_counter()
                subprocess.run(
                    [
                        PYTHON,
                        "-m",
                        "pipeline",
                        "run",
                        str(inputs),
                        "--out",
                        str(Path(folder) / f"out{jobs}"),
                        "--jobs",
                        str(jobs),
                    ],
                    capture_output=True,
                    check=True,
                    cwd=REPO,
                )
                times[jobs].append(time.perf_counter() - start)
                cpu[jobs].append(_children_cpu() - before)
        one, two = (
            sorted(p.relative_to(Path(folder) / name) for p in (Path(folder) / name).rglob("*") if p.is_file())
            for name in ("out1", "out2")
        )
        identical = one == two and all(  # every table (CSV, Parquet), the workbook and the graph files
            filecmp.cmp(Path(folder) / "out1" / n, Path(folder) / "out2" / n, shallow=False) for n in one
        )
    start_up = [run_json(START_UP)["start_up_s"] for _ in range(repeats)]
    wall1, cpu1, serial = (statistics.median(values) for values in (times[1], cpu[1], start_up))
    return {
        "documents": n_docs,
        "jobs1_s": summary(times[1]),
        "jobs2_s": summary(times[2]),
        "jobs1_cpu_s": summary(cpu[1]),
        "jobs2_cpu_s": summary(cpu[2]),
        "start_up_s": summary(start_up),
        "speedup": wall1 / statistics.median(times[2]),
        "speedup_bound": wall1 / (serial + (cpu1 - serial) / capacity["most_work_of_two"]),
        "identical_outputs": identical,
    }


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished child processes (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def print_table(results: dict) -> None:
    m = results["machine"]
    print(
        f"machine: {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, {m['date']}"
        + (
            ""
            if m["bytecode_cache"]
            else "; PYTHONDONTWRITEBYTECODE is set, so guanche's own modules are compiled at every start (about 0.07 s)"
        )
    )
    c = results["parallel_capacity"]
    print(
        f"parallel capacity: a pass of reading and extracting the corpus takes {c['alone_s']['median']:.2f} s "
        f"[{c['alone_s']['min']:.2f}–{c['alone_s']['max']:.2f}] in one process alone and "
        f"{c['both_s']['median']:.2f} s [{c['both_s']['min']:.2f}–{c['both_s']['max']:.2f}] in each of "
        f"two at once: each runs at "
        f"{c['share_of_solo_speed']:.0%} of its speed alone, so two processes do at most "
        f"{c['most_work_of_two']:.2f}× the work of one"
    )
    c = results["cold_start"]
    print(
        f"cold start (county plan): wall {c['wall_s']['median']:.2f} s "
        f"[{c['wall_s']['min']:.2f}–{c['wall_s']['max']:.2f}]; import+load {c['import_and_load_s']['median']:.2f} s; "
        f"work {c['work_s']['median']:.3f} s"
    )
    t = results["throughput"]
    print(
        f"throughput ({t['documents']} documents, {t['characters']:,} chars, 1 process): "
        f"{t['chars_per_s']['median']:,.0f} chars/s [{t['chars_per_s']['min']:,.0f}–{t['chars_per_s']['max']:,.0f}], "
        f"{t['docs_per_s']['median']:.1f} docs/s"
    )
    print("linking N × N (growth: time and memory against the size before, N grows by the factor shown):")
    previous = None
    for row in results["linking"]:
        seconds, memory = row["seconds"]["median"], row["peak_rss_mb"]["median"]
        growth = (
            (
                f"; N ×{row['n'] / previous['n']:.0f}: time ×{seconds / previous['seconds']['median']:.2f}, "
                f"memory ×{memory / previous['peak_rss_mb']['median']:.2f}"
            )
            if previous
            else ""
        )
        print(
            f"  N={row['n']:>6}: {seconds:7.2f} s [{row['seconds']['min']:.2f}–{row['seconds']['max']:.2f}]"
            f", peak RSS {memory:,.0f} MB{growth}"
        )
        previous = row
    a = results["proposal_agreement"]
    print(
        f"  proposal search against every parent, N={a['n']}: same top link for {a['top_link_agreement']:.1%} "
        f"of child tasks; {a['links']:,} links against {a['exhaustive_links']:,}"
    )
    p = results["parallel"]
    one, two = p["jobs1_s"], p["jobs2_s"]
    print(
        f"parallel ({p['documents']} documents): --jobs 1 {one['median']:.2f} s [{one['min']:.2f}–{one['max']:.2f}], "
        f"--jobs 2 {two['median']:.2f} s [{two['min']:.2f}–{two['max']:.2f}], speed-up {p['speedup']:.2f}×, "
        f"identical outputs: {p['identical_outputs']}"
    )
    print(
        f"  CPU time: --jobs 1 {p['jobs1_cpu_s']['median']:.2f} s, --jobs 2 {p['jobs2_cpu_s']['median']:.2f} s; "
        f"start-up before any work can be shared {p['start_up_s']['median']:.2f} s; so two processes give "
        f"at most {p['speedup_bound']:.2f}× on this machine even when all the rest is shared perfectly"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    parser.add_argument("--json", type=Path, help="also write the JSON results to this file")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"error: {CORPUS} is missing: the benchmarks run on the shared corpus")
    repeats = 1 if args.quick else 3
    sizes = [1000, 5000] if args.quick else [1000, 5000, 10000, 20000]
    with tempfile.TemporaryDirectory() as folder:
        items = corpus_items(Path(folder))
        results = {
            "machine": machine(),
            "cold_start": cold_start(repeats + 2),
            "throughput": throughput(3 * repeats),  # half a second a pass: more runs steady the median
            "linking": linking_curve(items, sizes, repeats),
            "proposal_agreement": proposal_agreement(items, 5000),
        }
        results["parallel_capacity"] = parallel_capacity(repeats + 2)
        results["parallel"] = parallel(
            repeats + 2, results["parallel_capacity"]
        )  # 13 s a pair: more runs steady the median
    print_table(results)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
