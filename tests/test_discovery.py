"""Input discovery: file names that are not UTF-8, links that loop or lead nowhere, FIFOs and
devices each give one line and never a crash or a blocked run; the outputs do not depend on the
order the inputs are given in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import needs_corpus
from tests.documents import CORPUS, COUNTY_PLAN, REPO


def _guanche(*args: str | bytes | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``guanche run ARGS --no-workbook`` as a user would; a blocked run fails the test."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "pipeline", "run", *map(os.fsencode, args), "--no-workbook"]
    return subprocess.run(command, capture_output=True, timeout=timeout, env=env, cwd=REPO)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")
def test_odd_files_and_names_each_give_one_line_and_never_block(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    plan = COUNTY_PLAN.read_text(encoding="utf-8")
    (folder / "county.txt").write_text(plan, encoding="utf-8")
    undecodable = os.path.join(os.fsencode(folder), b"\xff\xfeplan.txt")  # not UTF-8 on Linux
    with open(undecodable, "wb") as handle:
        handle.write(plan.replace("2024年", "2025年").encode("utf-8"))
    (folder / "tab\t\x1b[31m.txt").write_bytes(b"")  # a terminal escape in a name is shown, not obeyed
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    (folder / "loop-a.txt").symlink_to("loop-b.txt")
    (folder / "loop-b.txt").symlink_to("loop-a.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")  # a folder link back up the tree is not walked
    out = tmp_path / "out"
    run = _guanche(folder, folder / "pipe.txt", folder / "loop-a.txt", "/dev/null", "--out", out, timeout=120)
    stderr = run.stderr.decode("utf-8")
    assert run.returncode == 1 and "Traceback" not in stderr and "please report" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert sorted(errors) == sorted(
        [
            f"error: {folder}/dangling.txt: a link to a file that does not exist (nowhere.txt) — fix or remove the link",
            f"error: {folder}/loop-a.txt: a link that leads back to itself (a symbolic link loop) — "
            "fix or remove the link",
            f"error: {folder}/loop-b.txt: a link that leads back to itself (a symbolic link loop) — "
            "fix or remove the link",
            f"error: {folder}/tab\\x09\\x1b[31m.txt: empty file — check it was saved or downloaded completely",
            f"error: {folder}/pipe.txt: not a document file but a named pipe (FIFO) — "
            "give a document file or a folder of them",
            "error: /dev/null: not a document file but a device — give a document file or a folder of them",
        ]
    )
    documents = pd.read_parquet(out / "documents.parquet")
    assert sorted(documents["source_path"]) == [f"{folder}/\\xff\\xfeplan.txt", f"{folder}/county.txt"]
    assert all(doc_id.isprintable() for doc_id in documents["doc_id"])


@needs_corpus
def test_outputs_do_not_depend_on_the_order_of_the_inputs(tmp_path):
    files = sorted(path for folder in ("laws", "seed") for path in (CORPUS / folder).iterdir() if path.stem != "README")
    files += sorted((CORPUS / "national").glob("guofa-2019-*.html"))
    copy = tmp_path / "copy" / "decision.md"  # a byte-identical copy under another name: read once
    copy.parent.mkdir()
    copy.write_bytes(files[2].read_bytes())
    given = [*files, copy.parent]
    runs = []
    for order, inputs in (("forward", given), ("backward", given[::-1])):
        run = _guanche(*inputs, "--out", tmp_path / order, "--jobs", "2")
        assert run.returncode == 0, run.stderr.decode("utf-8")
        runs.append(run)
    forward, backward = (
        {path.name: path.read_bytes() for path in (tmp_path / order).iterdir() if path.is_file()}
        for order in ("forward", "backward")
    )
    assert sorted(forward) == sorted(backward) and len(forward) > 20
    assert [name for name in forward if forward[name] != backward[name]] == []
    assert runs[0].stderr == runs[1].stderr  # the notes too, duplicates named the same way
