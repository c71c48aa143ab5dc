"""The outputs of a run replace the previous ones as one set: killed at any moment, a run leaves
the previous set or its own, whole, and the next run removes what killed runs left behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.outputs import generations
from pipeline.outputs import writer as export
from pipeline.stages.registry import STAGES
from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN

pytestmark = pytest.mark.skipif(
    not generations.supported(Path(__file__).parent), reason="needs symlinks and fcntl (POSIX)"
)

LAWS = CORPUS / "laws"
# Two runs whose sets differ in every table, and in one name: the first has no workbook.
SMALL_RUN = (str(COUNTY_PLAN), "--no-workbook")
BIG_RUN = (
    str(COUNTY_PLAN),
    str(LAWS / "jinan-2022-optimize-business-environment-regulation.md"),
    str(LAWS / "shandong-2020-optimize-business-environment-regulation.md"),
)
LANES = 3  # output folders killed in at once, to keep the test short
KILLS_PER_LANE = 5


def visible_paths(folder: Path) -> dict[str, Path]:
    """Every visible output file of ``folder`` that a reader can open, by name; the parts of
    its dataset folder by their path in ``folder`` (dataset/tasks/part-00000.parquet)."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.exists():
            continue
        parts = sorted(path.glob("*/*")) if path.is_dir() else [path]
        files |= {str(part.relative_to(folder)): part for part in parts}
    return files


def visible_set(folder: Path) -> dict[str, str]:
    """The sha256 of every visible output of ``folder`` that a reader can open, by name."""
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in visible_paths(folder).items()}


def leftovers(folder: Path) -> list[str]:
    """Everything hidden in ``folder`` but its generations root, the current link and generation."""
    current = generations.current_generation(folder)
    kept = {".guanche", ".guanche/current", f".guanche/{current}"}
    found = [*folder.glob(".*"), *(folder / ".guanche").glob("*")]
    return sorted(str(path.relative_to(folder)) for path in found if str(path.relative_to(folder)) not in kept)


def start_run(arguments: tuple[str, ...], out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", *arguments, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def generation_appears(run: subprocess.Popen, out: Path, before: set[Path]) -> float:
    """Wait until ``run`` makes its generation folder in ``out`` (or ends); return when."""
    root = out / ".guanche"
    while run.poll() is None and not (root.is_dir() and set(root.iterdir()) - before):
        time.sleep(0.002)
    return time.monotonic()


def writing_time(arguments: tuple[str, ...], out: Path) -> float:
    """Run to completion into ``out``; return how long it wrote (its generation's first file to
    its exit)."""
    run = start_run(arguments, out)
    appeared = generation_appears(run, out, set((out / ".guanche").glob("*")))
    assert run.wait() == 0
    return time.monotonic() - appeared


def killed_runs(out: Path, fractions: list[float], references: dict, outcome: list) -> None:
    """Alternate the two runs into ``out`` (which holds the big run's set), each SIGKILLed once its
    generation folder appears and then a ``fraction`` of the big run's writing time (as long as
    it takes here, with the other lanes at work) has passed; after each, record whether ``out``
    held the previous set, the new one, or neither."""
    window = writing_time(BIG_RUN, out)
    assert visible_set(out) == references[BIG_RUN]
    previous = BIG_RUN
    for number, fraction in enumerate(fractions):
        arguments = BIG_RUN if previous == SMALL_RUN else SMALL_RUN
        run = start_run(arguments, out)
        generation_appears(run, out, set((out / ".guanche").iterdir()))
        time.sleep(fraction * window)
        run.kill()
        completed = run.wait() == 0
        found = visible_set(out)
        state = "new" if found == references[arguments] else "previous" if found == references[previous] else "mixed"
        outcome.append((out.name, number, round(fraction * window, 3), completed, state))
        if state == "new":
            previous = arguments


@needs_corpus
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL timings measured on Linux")
def test_a_run_killed_at_any_moment_leaves_one_whole_set(tmp_path):
    reference_runs = [
        threading.Thread(target=writing_time, args=(arguments, tmp_path / name))
        for arguments, name in ((SMALL_RUN, "small"), (BIG_RUN, "big"))
    ]
    for thread in reference_runs:
        thread.start()
    for thread in reference_runs:
        thread.join()
    references = {SMALL_RUN: visible_set(tmp_path / "small"), BIG_RUN: visible_set(tmp_path / "big")}
    assert "guanche.xlsx" in references[BIG_RUN] and "guanche.xlsx" not in references[SMALL_RUN]
    tables = {f"{name}.{kind}" for stage in STAGES for name in stage.tables for kind in ("csv", "parquet")}
    assert tables < references[SMALL_RUN].keys() < references[BIG_RUN].keys()
    assert all(references[SMALL_RUN][name] != references[BIG_RUN][name] for name in ("tasks.csv", "links.parquet"))

    # kill points spread from the generation's first file to past the end of the big run's writing
    kills = LANES * KILLS_PER_LANE
    fractions = [1.1 * number / (kills - 1) for number in range(kills)]
    outcome: list = []
    lanes = []
    for lane in range(LANES):
        out = tmp_path / f"lane{lane}"
        shutil.copytree(tmp_path / "small", out, symlinks=True)
        lanes.append(threading.Thread(target=killed_runs, args=(out, fractions[lane::LANES], references, outcome)))
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()

    print(f"\nkill points: {len(outcome)}")
    for row in sorted(outcome):
        print("  lane, trial, delay (s), run completed, set found:", row)
    assert len(outcome) == kills
    assert [row for row in outcome if row[-1] == "mixed"] == []
    assert any(row[-1] == "previous" for row in outcome) and any(row[-1] == "new" for row in outcome)

    for lane in range(LANES):  # one more complete run leaves nothing of the killed ones
        out = tmp_path / f"lane{lane}"
        assert start_run(BIG_RUN, out).wait() == 0
        assert visible_set(out) == references[BIG_RUN] and leftovers(out) == []


def _write_text_files(contents: dict[str, str]):
    def write(folder: Path) -> list[str]:
        for name, text in contents.items():
            (folder / name).write_text(text, encoding="utf-8")
        return list(contents)

    return write


FIRST_SET = {"tasks.csv": "first tasks", "units.csv": "first units", "guanche.xlsx": "first workbook"}
SECOND_SET = {"tasks.csv": "second tasks", "units.csv": "second units", "graph.graphml": "second graph"}
_STEPS = ("mkdir", "rmdir", "unlink", "link", "symlink", "replace")  # every change the writer makes on disk


def _publish_and_stop_at(step: int, out: Path, contents: dict[str, str]) -> int:
    """In a forked process, write ``contents`` as a run's outputs into ``out`` and stop dead
    (``os._exit``, as SIGKILL would) just before its ``step``-th change on disk. Returns 0 when
    stopped, 3 when the write completed first."""
    child = os.fork()
    if child == 0:
        changes = 0

        def counted(change):
            def change_or_stop(*args, **kwargs):
                nonlocal changes
                if changes == step:
                    os._exit(0)
                changes += 1
                return change(*args, **kwargs)

            return change_or_stop

        for name in _STEPS:
            setattr(os, name, counted(getattr(os, name)))
        try:
            with export.OutputWriter(out, workbook=False) as writer:
                writer.add_files(_write_text_files(contents))
        except BaseException:
            os._exit(4)
        os._exit(3)
    return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])


def _visible_texts(folder: Path) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in folder.iterdir()
        if not path.name.startswith(".") and path.exists()
    }


@pytest.mark.skipif(not hasattr(os, "fork"), reason="stops a forked writer")
@pytest.mark.parametrize("earlier", ["generation", "plain files"])
def test_a_writer_stopped_before_any_change_on_disk_leaves_one_whole_set(tmp_path, monkeypatch, earlier):
    # Earlier outputs in a generation, or plain files as runs wrote them before generations
    # (adopted first). Stopped before each of its changes in turn, a run leaves the earlier
    # set or its own; a name new to the set appears, and one it lacks disappears, with it. Plain
    # files of names the new set does not write are left as they were (they may be the user's).
    start = tmp_path / "start"
    if earlier == "plain files":
        monkeypatch.setattr(generations, "supported", lambda folder: False)
    with export.OutputWriter(start, workbook=False) as writer:
        writer.add_files(_write_text_files(FIRST_SET))
    monkeypatch.undo()
    assert os.path.islink(start / "tasks.csv") == (earlier == "generation")
    second = SECOND_SET | ({"guanche.xlsx": "first workbook"} if earlier == "plain files" else {})

    states = []
    for step in range(500):
        out = tmp_path / f"step{step}"
        shutil.copytree(start, out, symlinks=True)
        status = _publish_and_stop_at(step, out, SECOND_SET)
        assert status in (0, 3)
        found = _visible_texts(out)
        assert found in (FIRST_SET, second), (step, found)
        states.append(found == second)
        with export.OutputWriter(out, workbook=False) as writer:  # the next run cleans up
            writer.add_files(_write_text_files(FIRST_SET))
        assert _visible_texts(out) == FIRST_SET and leftovers(out) == []
        if status == 3:
            break
    assert status == 3, "the writer never completed"
    print(f"\nstopped before each of {step} changes on disk, then completed; switched at change {states.index(True)}")
    # the set switches once: earlier set before some step, the new one from there on
    switched = states.index(True)
    assert switched > 0 and all(states[switched:]) and not any(states[:switched])


def test_leftovers_of_killed_runs_go_and_a_live_run_keeps_its_folder(tmp_path):
    out = tmp_path / "out"
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"]})}, out)
    killed_generation = out / ".guanche" / "gen-20240101T000000-1-dead"
    killed_generation.mkdir()
    (killed_generation / "tasks.csv").write_text("half", encoding="utf-8")
    (out / ".guanche-staging-old").mkdir()  # as file-by-file writes, killed, left them
    live = generations.start_generation(out)  # another run, still writing
    try:
        export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t2"]})}, out)
        assert leftovers(out) == [f".guanche/{live.path.name}"]
        assert pd.read_csv(out / "tasks.csv", encoding="utf-8-sig")["task_id"].tolist() == ["t2"]
    finally:
        live.release()
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t3"]})}, out)
    assert leftovers(out) == []


def test_a_file_opened_before_the_switch_reads_whole(tmp_path):
    out = tmp_path / "out"
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"] * 1000})}, out)
    with open(out / "tasks.csv", "rb") as opened:
        export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t2"]})}, out)
        assert opened.read().count(b"t1") == 1000  # its generation is gone, the open file is not
    assert (out / "tasks.csv").read_bytes().count(b"t2") == 1


def test_report_and_other_files_beside_the_outputs_are_left_alone(tmp_path):
    out = tmp_path / "out"
    (out / "coverage").mkdir(parents=True)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"]})}, out / "coverage")
    export.write_file_atomically(out / "report.html", lambda path: path.write_text("report", encoding="utf-8"))
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"]})}, out)
    export.write_outputs({"units": pd.DataFrame({"unit": ["旗司法局"]})}, out)
    visible = sorted(path.name for path in out.iterdir() if not path.name.startswith(".") and path.exists())
    assert visible == ["coverage", "guanche.xlsx", "notes.txt", "report.html", "units.csv", "units.parquet"]
    assert (out / "report.html").read_text(encoding="utf-8") == "report"
    assert pd.read_csv(out / "coverage" / "tasks.csv", encoding="utf-8-sig")["task_id"].tolist() == ["t1"]


def test_without_symlinks_the_files_are_renamed_into_place(tmp_path, monkeypatch):
    monkeypatch.setattr(generations, "supported", lambda folder: False)
    paths = export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"]})}, tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["guanche.xlsx", "tasks.csv", "tasks.parquet"]
    assert sorted(paths) == sorted(tmp_path.iterdir()) and not any(path.is_symlink() for path in paths)


def test_a_file_system_without_locks_falls_back_to_renames(tmp_path, monkeypatch):
    def no_locks(descriptor, operation):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(generations.fcntl, "flock", no_locks)
    assert not generations.supported(tmp_path)
    export.write_outputs({"tasks": pd.DataFrame({"task_id": ["t1"]})}, tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["guanche.xlsx", "tasks.csv", "tasks.parquet"]
