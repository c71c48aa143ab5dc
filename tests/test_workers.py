"""The run's workers beyond parsing: ordered_map, and the cascade's link groups spread over a
process pool give exactly what one process gives."""

from __future__ import annotations

import pytest

from pipeline.api import read_corpus
from pipeline.stages.registry import build_tables
from pipeline.stages.workers import ordered_map, worker_pool
from tests.conftest import needs_corpus
from tests.documents import CORPUS, REPO


def _square(number: int) -> int:
    return number * number


def _refuse_three(number: int) -> int:
    if number == 3:
        raise ValueError("three")
    return number


@pytest.fixture(scope="module")
def pool():
    with worker_pool(2) as workers:
        yield workers


def test_ordered_map_gives_the_results_in_order_in_the_pool_and_here(pool):
    calls = [(number,) for number in range(40)]
    assert list(ordered_map(pool, _square, calls)) == [n * n for n in range(40)]
    assert list(ordered_map(None, _square, calls)) == [n * n for n in range(40)]


def test_ordered_map_holds_no_more_than_ahead_calls(pool):
    drawn = []

    def calls():
        for number in range(100):
            drawn.append(number)
            yield (number,)

    results = ordered_map(pool, _square, calls(), ahead=3)
    assert next(results) == 0 and len(drawn) == 3
    assert list(results) == [n * n for n in range(1, 100)] and len(drawn) == 100


def test_ordered_map_raises_a_calls_error_where_its_result_would_come(pool):
    results = ordered_map(pool, _refuse_three, [(number,) for number in range(6)])
    assert [next(results) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="three"):
        next(results)


@pytest.fixture(scope="module")
def family():
    """The county plan and the 优化营商环境条例 family (济南 → 山东 → 国务院, 青岛), read up to
    the cascade."""
    corpus, failures = read_corpus([REPO / "data" / "raw", CORPUS / "laws"], stages=("structure", "commitments"))
    assert failures == []
    return corpus


@needs_corpus
def test_link_groups_in_the_workers_give_the_links_of_one_process(family, pool):
    here = {name: table.copy() for name, table in build_tables(family, only=("cascade",)).items()}
    there = build_tables(family, only=("cascade",), workers=pool)
    assert family.workers is None  # the pool is the corpus's only while its tables are built
    assert len(here["links"]) > 100 and here["links"]["child_doc_id"].nunique() >= 3
    for name, table in here.items():
        assert table.equals(there[name]), name
