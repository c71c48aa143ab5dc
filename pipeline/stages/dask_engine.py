"""Run a run's per-document work on a Dask cluster: a local one (``guanche run --dask``) or one
that is already running (``guanche run --scheduler tcp://host:8786``).

:class:`DaskPool` stands where the run's process pool stands: its :meth:`~DaskPool.map` returns
the results in input order, as ``ProcessPoolExecutor.map`` does, and its :meth:`~DaskPool.submit`
returns a :class:`concurrent.futures.Future`. Dask is an optional extra (``guanche[dask]``); this
module imports it only when a cluster is asked for.

Every worker must be able to import guanche and load the extraction pipeline (the jieba
dictionary, spaCy's blank Chinese pipeline): a local cluster's workers are processes of this
machine's Python; a remote worker needs guanche installed with the extra, and the inputs at the
same paths (a shared file system).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future
from contextlib import ExitStack, contextmanager
from typing import Any

from pipeline.errors import GuancheError
from pipeline.stages.commitments import commitment_pipeline

CONNECT_TIMEOUT = "10s"  # how long to try to reach a scheduler before saying it cannot be reached
SCATTER_FROM = 1_000_000  # bytes (Dask's estimate): a larger argument is scattered, not sent with its task
INSTALL_ADVICE = 'install the extra: pip install "guanche[dask]"'


class ClusterError(GuancheError):
    """Dask is not installed, or the cluster cannot be reached or started."""


def _distributed() -> Any:
    """The ``dask.distributed`` module; raises :class:`ClusterError` when Dask is not installed."""
    try:
        import dask.distributed
    except ImportError:
        raise ClusterError(None, "running on a Dask cluster needs Dask", INSTALL_ADVICE) from None
    return dask.distributed


def _run_batch(fn: Callable, batch: list[tuple]) -> list:
    """``fn`` applied to each argument tuple of ``batch``, in order (one Dask task)."""
    return [fn(*arguments) for arguments in batch]


def _load_pipeline() -> None:
    """Load the extraction pipeline in a worker, so that a worker that cannot load it says so at
    the start and the first documents do not wait for it."""
    commitment_pipeline()


class DaskPool:
    """A Dask client with the part of ``ProcessPoolExecutor``'s interface a run uses."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._distributed = _distributed()
        self._submitted: set = set()

    def map(self, fn: Callable, *iterables: Iterable, chunksize: int = 1) -> Iterator:
        """``fn`` over the zipped ``iterables`` on the cluster, sent ``chunksize`` calls to a task;
        yields the results in input order, each as soon as it and those before it are back."""
        calls = list(zip(*iterables))
        batches = [calls[start : start + chunksize] for start in range(0, len(calls), chunksize)]
        futures = self.client.map(_run_batch, [fn] * len(batches), batches, pure=False)
        position = {future.key: index for index, future in enumerate(futures)}
        finished: dict[int, list] = {}
        following = 0
        for future, results in self._distributed.as_completed(futures, with_results=True):
            finished[position[future.key]] = results
            while following in finished:
                yield from finished.pop(following)
                following += 1

    def submit(self, fn: Callable, *args: Any) -> Future:
        """``fn(*args)`` on the cluster. The future it returns is already running (it cannot be
        cancelled, so the caller never does the same work a second time); a worker lost while
        running it becomes :class:`BrokenExecutor`, as from a process pool."""
        remote = self.client.submit(fn, *map(self._by_reference, args), pure=False)
        self._submitted.add(remote)  # a Dask task is released when no future refers to it
        local: Future = Future()
        local.set_running_or_notify_cancel()
        remote.add_done_callback(lambda done: self._settle(local, done))
        return local

    def _by_reference(self, argument: Any) -> Any:
        """``argument`` itself when small, else a future of it scattered to the workers: a task
        then carries a reference, not the data (the scheduler forwards no large graph, and
        Dask does not warn of one)."""
        from dask.sizeof import sizeof  # Dask is installed: this pool exists

        if sizeof(argument) < SCATTER_FROM:
            return argument
        return self.client.scatter(argument, hash=False)

    def _settle(self, local: Future, remote: Any) -> None:
        """Give ``local`` the result or the exception of the finished Dask future ``remote``."""
        self._submitted.discard(remote)
        try:
            local.set_result(remote.result())
        except self._distributed.KilledWorker as error:
            local.set_exception(BrokenExecutor(str(error)))
        except Exception as error:
            local.set_exception(error)


@contextmanager
def dask_pool(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[DaskPool]:
    """Yields a :class:`DaskPool` on the cluster at ``scheduler`` (an address such as
    ``tcp://host:8786``), or else on a new local cluster of ``workers`` single-threaded worker
    processes (default: one per core), closed on exit.

    Raises :class:`ClusterError` when Dask is not installed, the scheduler cannot be reached or
    a worker cannot load the extraction pipeline.
    """
    distributed = _distributed()
    with ExitStack() as stack:
        with _cluster_errors(scheduler):
            address = scheduler or stack.enter_context(
                distributed.LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(distributed.Client(address, timeout=CONNECT_TIMEOUT))
        _check_workers(client, scheduler)
        yield DaskPool(client)


@contextmanager
def _cluster_errors(scheduler: str | None) -> Iterator[None]:
    """Turn a scheduler that cannot be reached (or a local cluster that cannot start) into one
    :class:`ClusterError`."""
    try:
        yield
    except (OSError, TimeoutError, ValueError) as error:
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        problem = f"could not reach {where} ({error})" if scheduler else f"could not start {where} ({error})"
        advice = "check the address and that `dask scheduler` runs there" if scheduler else ""
        raise ClusterError(None, problem, advice) from None


def _check_workers(client: Any, scheduler: str | None) -> None:
    """Load the extraction pipeline on every worker; raises :class:`ClusterError` when the
    cluster has no worker or a worker cannot import guanche or load the pipeline."""
    if not client.scheduler_info().get("workers"):
        raise ClusterError(None, f"the Dask scheduler at {scheduler} has no workers", "start some with `dask worker`")
    try:
        client.run(_load_pipeline)
    except Exception as error:
        raise ClusterError(
            None,
            f"a Dask worker could not load guanche's extraction pipeline ({type(error).__name__}: {error})",
            INSTALL_ADVICE + " on every worker",
        ) from None
