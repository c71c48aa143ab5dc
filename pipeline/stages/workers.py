"""Worker processes for a run: how many, and a pool that shares the loaded extraction pipeline."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from pipeline.stages.commitments import commitment_pipeline

PARALLEL_FROM = 50  # inputs; below this, worker start-up costs more than it saves


def worker_count(jobs: int | None, n_inputs: int) -> int:
    """The worker processes to use: ``jobs`` if given, else one per core from 50 inputs up; never
    more than there are inputs, never fewer than one."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if n_inputs >= PARALLEL_FROM else 1
    return max(1, min(jobs, n_inputs))


@contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """Yields ``jobs`` worker processes for parsing documents and writing sheets, or None for one job.

    The extraction pipeline is loaded first, here: on Linux, the workers are forked and share it
    instead of each loading it (elsewhere they start afresh, the system's default). Everything
    loaded is frozen out of the garbage collector while the pool lives, as Python's manual
    advises before a fork: the workers' collections then leave the shared pages untouched.
    """
    if jobs <= 1:
        yield None
        return
    commitment_pipeline()
    fork = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    gc.freeze()
    try:
        with ProcessPoolExecutor(jobs, mp_context=fork, initializer=_ignore_interrupts) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the run's own process, which then stops them in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
