"""Worker processes for a run: how many, and a pool that shares the loaded extraction pipeline."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import starmap
from typing import Any, Protocol

from pipeline.stages.commitments import commitment_pipeline
from pipeline.stages.dask_engine import dask_pool

PARALLEL_FROM = 50  # inputs; below this, worker start-up costs more than it saves
AHEAD = 8  # calls of ordered_map sent to the workers before the first result is taken


class WorkerPool(Protocol):
    """What a run asks of its workers: a process pool (:func:`worker_pool`) or a Dask cluster
    (:func:`~pipeline.stages.dask_engine.dask_pool`)."""

    def map(self, fn: Callable, *iterables: Iterable, chunksize: int = 1) -> Iterator:
        """``fn`` over the zipped ``iterables``; the results in input order."""
        ...

    def submit(self, fn: Callable, /, *args: Any) -> Future:
        """``fn(*args)`` in a worker; its future."""
        ...


def worker_count(jobs: int | None, n_inputs: int) -> int:
    """The worker processes to use: ``jobs`` if given, else one per core from 50 inputs up; never
    more than there are inputs, never fewer than one."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if n_inputs >= PARALLEL_FROM else 1
    return max(1, min(jobs, n_inputs))


def ordered_map(pool: WorkerPool | None, fn: Callable, calls: Iterable[tuple], *, ahead: int = AHEAD) -> Iterator:
    """``fn(*call)`` for each of ``calls``, in ``pool``'s workers (in this process when it is
    None); yields the results in order. At most ``ahead`` calls are in the workers at a time, so
    that the arguments of a long lazy ``calls`` are never all held at once. A call's exception
    is raised where its result would be yielded."""
    if pool is None:
        yield from starmap(fn, calls)
        return
    pending: deque[Future] = deque()
    for call in calls:
        pending.append(pool.submit(fn, *call))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


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


@contextmanager
def run_pool(
    jobs: int | None, n_inputs: int, *, dask: bool = False, scheduler: str | None = None
) -> Iterator[WorkerPool | None]:
    """Yields the workers of a run over ``n_inputs`` inputs: the Dask cluster at ``scheduler``;
    with ``dask``, a local Dask cluster of ``jobs`` workers (default: one per core); else
    :func:`worker_pool` of :func:`worker_count` processes (None for one).

    Raises :class:`~pipeline.stages.dask_engine.ClusterError` when a cluster is asked for and
    Dask is not installed or the cluster cannot be reached.
    """
    if dask or scheduler is not None:
        with dask_pool(scheduler=scheduler, workers=jobs) as cluster:
            yield cluster
    else:
        with worker_pool(worker_count(jobs, n_inputs)) as pool:
            yield pool
