"""Where the time goes: pyinstrument profiles of ``guanche run`` on a 204-document corpus.

    python benchmarks/profile_run.py               # --jobs 1, then --jobs 2 (the corpus three times)
    python benchmarks/profile_run.py --jobs 2      # one of them
    python benchmarks/profile_run.py --county      # the shipped county plan (cold start)

Each run is a fresh process under ``pyinstrument -m pipeline run …``, so the profile holds
imports, model loading, the work and the wait for worker processes, as an analyst's run does.
With ``--jobs 2`` the profile is of the main process: time spent in the workers shows up as
waiting in ``read_documents``, and the tables they write as waiting in ``OutputWriter.__exit__``.
The sampling profiler adds some overhead; ``benchmarks/run.py`` gives the real timings, and
``benchmarks/timeline.py`` when each part of a run starts and ends in the workers too.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from run import CORPUS, COUNTY_RAW, PYTHON, REPO, big_corpus

SHARE_SHOWN = 0.02  # frames below this share of the run are folded away


def profile_run(inputs: Path, out: Path, jobs: int) -> str:
    """The pyinstrument text profile of one ``guanche run`` in a fresh process."""
    done = subprocess.run(
        [
            PYTHON,
            "-m",
            "pyinstrument",
            "--no-color",
            "--unicode",
            "-p",
            f"processor_options.filter_threshold={SHARE_SHOWN}",
            "-m",
            "pipeline",
            "run",
            str(inputs),
            "--out",
            str(out),
            "--jobs",
            str(jobs),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return done.stdout[done.stdout.index("  _     ._") :]  # the profile, after the run's own summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, choices=(1, 2), help="profile only this --jobs value")
    parser.add_argument("--county", action="store_true", help="profile the shipped county plan instead")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"error: {CORPUS} is missing: the profiles run on the shared corpus")
    with tempfile.TemporaryDirectory() as folder:
        if args.county:
            inputs, label = COUNTY_RAW, "the county plan"
        else:
            inputs = Path(folder) / "in"
            inputs.mkdir()
            label = f"{big_corpus(inputs, 200)} documents"
        for jobs in [args.jobs] if args.jobs else [1, 2]:
            print(f"===== guanche run on {label}, --jobs {jobs} =====")
            print(profile_run(inputs, Path(folder) / f"out{jobs}", jobs))


if __name__ == "__main__":
    main()
