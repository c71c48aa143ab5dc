"""The command line on 320 mutated copies of the real corpus (tests/support/fuzz.py, a fixed seed),
in batches of 40 with the known-good county plan in each: no traceback, no hang, exit 0 or 1, the
good file always processed, and every input either read or named on its own error line saying
what is wrong with it. ``benchmarks/fuzz.py --n 3000`` runs the same check on more inputs."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest

from tests.conftest import needs_corpus
from tests.support.fuzz import FORMATS, GOOD_TASKS, MUTATIONS, Mutant, generate, run_batch

FUZZ_SEED = 15
BATCH = 40
BATCHES = 8
TIMEOUT = 90  # seconds for one run of 41 files, which takes 3 to 15 s


@cache
def fuzz_inputs() -> tuple[Mutant, ...]:
    """The CI test's inputs: the first BATCH * BATCHES of FUZZ_SEED."""
    return tuple(generate(BATCH * BATCHES, seed=FUZZ_SEED))


@needs_corpus
def test_the_fuzz_inputs_cover_every_format_mutation_and_odd_name_and_are_the_same_every_time():
    inputs = fuzz_inputs()
    assert len(inputs) == 320
    assert {mutant.name.rsplit(b".", 1)[-1].lower().decode() for mutant in inputs} == {s[1:] for s in FORMATS}
    assert {mutant.mutation for mutant in inputs} == {mutation.name for mutation in MUTATIONS}
    odd = [mutant.name for mutant in inputs if not mutant.name.startswith(b"m")]
    assert any(name.startswith(b"=") for name in odd) and any(name.startswith(b"-") for name in odd)
    assert any(not _is_utf8(mutant.name) for mutant in inputs)
    assert len({hashlib.sha256(mutant.data).digest() for mutant in inputs}) == len(inputs)
    again = list(generate(40, seed=FUZZ_SEED))
    assert [(m.name, m.data) for m in again] == [(m.name, m.data) for m in inputs[:40]]
    other_seed = list(generate(40, seed=FUZZ_SEED + 1))
    assert [m.data for m in other_seed] != [m.data for m in inputs[:40]]


def _is_utf8(name: bytes) -> bool:
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@needs_corpus
@pytest.mark.parametrize("batch", range(BATCHES))
def test_a_batch_of_fuzzed_inputs_is_read_or_refused_by_name_and_the_good_file_is_processed(batch, tmp_path):
    inputs = list(fuzz_inputs()[batch * BATCH : (batch + 1) * BATCH])
    result = run_batch(inputs, tmp_path, timeout=TIMEOUT)
    assert not result.timed_out, f"no result after {TIMEOUT} s: {[mutant.label() for mutant in inputs]}"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert result.internal_errors == []
    assert result.good_tasks == GOOD_TASKS
    assert result.unnamed_refusals() == []
    assert result.unspecific_messages() == []
    refused = sum(1 for lines in result.error_lines().values() if lines)
    assert result.inputs_read() + refused == len(inputs)
