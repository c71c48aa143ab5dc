"""guanche run on a Dask cluster: the same bytes as the single-machine run, and one clear line
when Dask is missing or the scheduler cannot be reached."""

from __future__ import annotations

import socket
import sys
from importlib.util import find_spec

import pytest

from pipeline.stages import dask_engine
from tests.conftest import needs_lawrefbook
from tests.documents import LAWREFBOOK
from tests.test_cli import output_bytes, run_cli

needs_dask = pytest.mark.skipif(
    find_spec("distributed") is None, reason='Dask not installed: pip install "guanche[dask]"'
)
SOCIAL_LAW = LAWREFBOOK / "社会法"  # 30 laws


@pytest.fixture(scope="module")
def cluster():
    """A local cluster of two single-threaded worker processes, as a remote one would be."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def single_machine(tmp_path_factory):
    """The outputs of the single-machine run on the 30 laws."""
    out = tmp_path_factory.mktemp("single") / "out"
    result = run_cli(SOCIAL_LAW, "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return output_bytes(out)


def assert_same_outputs(expected: dict, folder) -> None:
    written = output_bytes(folder)
    assert len(expected) > 30 and written.keys() == expected.keys()
    for name in expected:
        assert written[name] == expected[name], name


@needs_dask
@needs_lawrefbook
def test_run_on_an_existing_cluster_writes_the_single_machine_bytes(cluster, single_machine, tmp_path):
    result = run_cli(SOCIAL_LAW, "--out", tmp_path / "out", "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert "30 document(s) read" in result.stdout
    assert_same_outputs(single_machine, tmp_path / "out")
    # both workers parsed documents: the work was spread, not sent to one
    from dask.distributed import Client

    with Client(cluster) as client:
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(executed) == 2 and min(executed.values()) > 0, executed


@needs_dask
@needs_lawrefbook
def test_run_on_a_local_cluster_writes_the_single_machine_bytes(single_machine, tmp_path):
    result = run_cli(SOCIAL_LAW, "--out", tmp_path / "out", "--dask", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert_same_outputs(single_machine, tmp_path / "out")


@needs_dask
def test_unreachable_scheduler_is_one_line_and_a_failed_run(raw, tmp_path, monkeypatch):
    with socket.socket() as probe:  # a port on this machine where nothing listens
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "1s")
    result = run_cli(raw, "--out", tmp_path / "out", "--scheduler", address)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: could not reach the Dask scheduler at {address} (")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.csv"))


def test_without_dask_the_cluster_options_say_how_to_install_it(raw, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask now fails, as where it is not installed
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    for option in (["--dask"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        result = run_cli(raw, "--out", tmp_path / "out", *option)
        assert result.exit_code == 1
        assert (
            result.stderr
            == 'error: running on a Dask cluster needs Dask — install the extra: pip install "guanche[dask]"\n'
        )


@needs_dask
def test_a_large_argument_reaches_the_task_scattered_and_without_a_warning(cluster, recwarn):
    import pandas as pd
    from dask.distributed import Client
    from dask.sizeof import sizeof

    table = pd.DataFrame({"text": ["依法行政" * 50] * 5_000})  # about 2 MB, Dask's estimate
    assert sizeof(table) > dask_engine.SCATTER_FROM
    with Client(cluster) as client:
        pool = dask_engine.DaskPool(client)
        assert pool.submit(len, table).result(timeout=60) == 5_000
        assert pool.submit(len, "small").result(timeout=60) == 5
    assert not [w for w in recwarn if "large graph" in str(w.message)]
