"""Speed and scale benchmarks for guanche. Prints a table and a JSON document; asserts nothing.

    python benchmarks/run.py            # everything (about 12 minutes on 2 cores)
    python benchmarks/run.py --quick    # one lawrefbook folder and fewer repeats, for a smoke test
    python benchmarks/run.py --skip-dask  # without the LocalCluster run (Dask not installed)

The real corpus of the end-to-end figures is ../shared/lawrefbook (3,410 laws and regulations).
Figures (repeated ones are the median, with min and max):
- end to end on lawrefbook (``guanche run --no-workbook``): ``--jobs 1`` against ``--jobs 2``
  (speed-up, byte-identical outputs) and a local Dask cluster of 2 workers (``--dask --jobs 2``)
  against ``--jobs 2``; for each the wall and CPU time and the peak memory of the whole process
  tree, the workers included (PSS: pages shared by forked workers counted once); and a
  projection to 300,000 documents from the measured time and memory per document;
- throughput: characters and documents per second per core for ingest + structure + extraction
  over every tenth lawrefbook document, after a warm-up, in one process;
- cold start: wall time of ``guanche run`` on the shipped county plan in a fresh process, and,
  in a fresh interpreter, the split into import/model-load time and work time;
- linking cost curve: time and peak memory (RSS, in a fresh process per size) for linking N
  child items against N parent items, items drawn from ../shared/corpus and repeated with
  distinct ids (the linker's own scaling, which the real corpus alone cannot vary); and, at
  N = 5,000, how often the proposal search (used above 2,000 parents) finds the same top link
  as comparing every child with every parent;
- parallel capacity: how much work two processes at once do on this machine, and from it the
  best speed-up ``--jobs 2`` could give after the start-up that cannot be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
LAWREFBOOK = REPO.parent / "shared" / "lawrefbook"
QUICK_FOLDER = LAWREFBOOK / "行政法"  # 118 laws, for --quick
PROJECTED_DOCUMENTS = 300_000
COUNTY_RAW = REPO / "data" / "raw"
PYTHON = sys.executable

COLD_START_SPLIT = """
import json, sys, time
t0 = time.perf_counter()
from pipeline.cli.console import load_command_line
load_command_line()  # as the console script loads: the collector paused, then frozen
from pipeline.document.manifest import resolve_manifest
from pipeline.stages.reading import read_documents
from pipeline.stages.registry import build_tables
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


def throughput(folder: Path, repeats: int, every: int = 10) -> dict:
    """Ingest + structure + extraction over every ``every``-th document of ``folder``, in this
    process (one core), after warm-up, with what is loaded frozen out of the garbage collector
    as ``guanche`` does at start-up."""
    from pipeline.cli.console import load_command_line
    from pipeline.document.manifest import Manifest
    from pipeline.ingest.discover import discover_inputs
    from pipeline.stages.reading import read_documents
    from pipeline.stages.registry import STAGES, build_tables

    extraction = {stage.name for stage in STAGES if stage.name != "cascade"}
    files = sorted(discover_inputs([folder]))[::every]

    def once() -> tuple[float, int, int]:
        start = time.perf_counter()
        corpus, _ = read_documents(files, Manifest(), jobs=1)
        build_tables(corpus, only=extraction)
        elapsed = time.perf_counter() - start
        return elapsed, len(corpus.documents), sum(len(d.source.text) for d in corpus.documents)

    load_command_line()
    once()  # warm-up: jieba dictionary, spaCy pipeline, registries
    runs = [once() for _ in range(repeats)]
    return {
        "documents": runs[0][1],
        "characters": runs[0][2],
        "chars_per_s_per_core": summary([chars / t for t, _, chars in runs]),
        "docs_per_s_per_core": summary([docs / t for t, docs, _ in runs]),
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


def tree_memory_mb(root: int) -> float:
    """The memory of process ``root`` and all its descendants, in MB: the sum of their PSS
    (proportional set size), so that pages forked workers share are counted once."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    total_kb, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total_kb += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue  # ended meanwhile
    return total_kb / 1024


def measured_run(arguments: list[str], poll_s: float = 0.5) -> dict:
    """Run ``python -m pipeline`` with ``arguments``; returns its wall time, the CPU time of it
    and its workers, and the peak memory of its process tree (:func:`tree_memory_mb`)."""
    with tempfile.TemporaryFile() as errors:
        before, start = _children_cpu(), time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, "-m", "pipeline", *arguments], stdout=subprocess.DEVNULL, stderr=errors, cwd=REPO
        )
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, tree_memory_mb(process.pid))
            time.sleep(poll_s)
        wall = time.perf_counter() - start
        if process.returncode:
            errors.seek(0)
            sys.exit(f"error: guanche {' '.join(arguments)} failed: {errors.read().decode()[-2000:]}")
    return {"wall_s": wall, "cpu_s": _children_cpu() - before, "peak_memory_mb": peak}


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished child processes (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def output_files(folder: Path) -> dict[str, bytes]:
    """The visible output files of a run (not the hidden generation folders), by name."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def end_to_end(folder: Path, capacity: dict, *, dask: bool) -> dict:
    """``guanche run FOLDER --no-workbook`` with ``--jobs 1``, ``--jobs 2`` and, with ``dask``, on
    a local Dask cluster of two workers: time, CPU, peak memory, whether the outputs are
    byte-identical, the speed-ups, and the best speed-up two processes could give.

    The bound: ``guanche run`` first imports spaCy and pandas and loads the jieba dictionary
    (the start-up, measured alone in a fresh process); only then can the workers start, so the
    start-up is never shared. Even if everything after it were shared perfectly between two
    processes at no cost, ``--jobs 2`` would take start-up + (CPU time of ``--jobs 1`` −
    start-up) / the most work two processes do at once (``capacity``, from
    :func:`parallel_capacity`: 2 on two real cores). The bound compares that with the CPU time
    of ``--jobs 1``, its time on a core of its own, so that it holds on a loaded machine too.
    """
    from pipeline.ingest.discover import discover_inputs

    configurations = {"jobs1": ["--jobs", "1"], "jobs2": ["--jobs", "2"]}
    if dask:
        configurations["dask2"] = ["--dask", "--jobs", "2"]
    runs, outputs = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, options in configurations.items():
            out = Path(scratch) / name
            runs[name] = measured_run(["run", str(folder), "--out", str(out), "--no-workbook", *options])
            outputs[name] = output_files(out)
            shutil.rmtree(out)
    start_up = statistics.median(run_json(START_UP)["start_up_s"] for _ in range(3))
    one, two = runs["jobs1"], runs["jobs2"]
    result = {
        "folder": str(folder.relative_to(REPO.parent)),
        "documents": len(list(discover_inputs([folder]))),
        **runs,
        "start_up_s": start_up,
        "speedup_jobs2": one["wall_s"] / two["wall_s"],
        "speedup_bound": one["cpu_s"] / (start_up + (one["cpu_s"] - start_up) / capacity["most_work_of_two"]),
        "jobs2_identical_to_jobs1": outputs["jobs2"] == outputs["jobs1"],
        "output_files": len(outputs["jobs1"]),
    }
    if dask:
        result["dask2_over_jobs2"] = runs["dask2"]["wall_s"] / two["wall_s"]
        result["dask2_identical_to_jobs1"] = outputs["dask2"] == outputs["jobs1"]
    return result


def projection(runs: dict, baseline_mb: float, documents: int = PROJECTED_DOCUMENTS) -> dict:
    """``documents`` documents like lawrefbook's, projected from the ``--jobs 2`` run: the time
    per document times ``documents`` (start-up left out: it is paid once), and the memory above
    ``baseline_mb`` (a run of one document) per document times ``documents`` plus the baseline,
    since every table is held in memory until the end of a run today."""
    two = runs["jobs2"]
    per_document_s = (two["wall_s"] - runs["start_up_s"]) / runs["documents"]
    per_document_mb = max(two["peak_memory_mb"] - baseline_mb, 0.0) / runs["documents"]
    return {
        "documents": documents,
        "per_document_ms": per_document_s * 1000,
        "per_document_mb": per_document_mb,
        "hours_jobs2": per_document_s * documents / 3600,
        "memory_gb": (baseline_mb + per_document_mb * documents) / 1024,
    }


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
    rate = t["chars_per_s_per_core"]
    print(
        f"throughput (every tenth lawrefbook document: {t['documents']} documents, {t['characters']:,} chars, "
        f"1 process): {rate['median']:,.0f} chars/s per core [{rate['min']:,.0f}–{rate['max']:,.0f}], "
        f"{t['docs_per_s_per_core']['median']:.1f} docs/s"
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
    e = results["end_to_end"]
    print(f"end to end, guanche run {e['folder']} --no-workbook ({e['documents']} documents):")
    for name, label in (("jobs1", "--jobs 1"), ("jobs2", "--jobs 2"), ("dask2", "--dask --jobs 2 (LocalCluster)")):
        if name in e:
            run = e[name]
            print(
                f"  {label:<32} {run['wall_s']:7.1f} s wall, {run['cpu_s']:7.1f} s CPU, "
                f"peak memory {run['peak_memory_mb']:,.0f} MB (process tree, PSS)"
            )
    print(
        f"  --jobs 2 against --jobs 1: {e['speedup_jobs2']:.2f}× faster; byte-identical outputs "
        f"({e['output_files']} files): {e['jobs2_identical_to_jobs1']}; start-up before any work can be shared "
        f"{e['start_up_s']:.2f} s, so two processes give at most {e['speedup_bound']:.2f}× on this machine"
    )
    if "dask2" in e:
        print(
            f"  LocalCluster of 2 workers against --jobs 2: {e['dask2_over_jobs2']:.2f}× the time; "
            f"byte-identical outputs: {e['dask2_identical_to_jobs1']}"
        )
    f = results["projection"]
    print(
        f"projection to {f['documents']:,} documents like these, from --jobs 2: {f['per_document_ms']:.1f} ms and "
        f"{f['per_document_mb']:.3f} MB a document above a one-document run's {results['baseline_mb']:,.0f} MB: "
        f"{f['hours_jobs2']:.1f} h, {f['memory_gb']:,.1f} GB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one lawrefbook folder, fewer repeats and sizes")
    parser.add_argument("--skip-dask", action="store_true", help="leave out the LocalCluster run")
    parser.add_argument("--json", type=Path, help="also write the JSON results to this file")
    args = parser.parse_args()
    for folder in (CORPUS, LAWREFBOOK):
        if not folder.is_dir():
            sys.exit(f"error: {folder} is missing: the benchmarks run on the shared corpora")
    repeats = 1 if args.quick else 3
    sizes = [1000, 5000] if args.quick else [1000, 5000, 10000, 20000]
    with tempfile.TemporaryDirectory() as folder:
        items = corpus_items(Path(folder))
        results = {
            "machine": machine(),
            "cold_start": cold_start(repeats + 2),
            "baseline_mb": measured_run(["run", str(COUNTY_RAW), "--out", str(Path(folder) / "one")])["peak_memory_mb"],
            "throughput": throughput(LAWREFBOOK, repeats),
            "linking": linking_curve(items, sizes, 1),
            "proposal_agreement": proposal_agreement(items, 5000),
            "parallel_capacity": parallel_capacity(repeats),
        }
    results["end_to_end"] = end_to_end(
        QUICK_FOLDER if args.quick else LAWREFBOOK, results["parallel_capacity"], dask=not args.skip_dask
    )
    results["projection"] = projection(results["end_to_end"], results["baseline_mb"])
    print_table(results)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
