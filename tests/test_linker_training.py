"""The gold families the linker is trained on, and the scores its training chooses by: every
gold file agrees with the tool's own article numbering, and the top-1 / set F1 of a constructed
candidate table are the hand-counted ones."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks import train_linker
from benchmarks.families import FAMILIES, ROUNDS, articles, gold_table
from tests.conftest import needs_corpus, needs_lawrefbook

PAIRS = [pair for pairs in FAMILIES.values() for pair in pairs]
RELATIONS = {"verbatim", "adapted", "topical", "none"}


@needs_corpus
@needs_lawrefbook
@pytest.mark.parametrize("pair", PAIRS, ids=[pair.name for pair in PAIRS])
def test_gold_rows_are_the_child_articles_and_name_real_parent_articles(pair):
    gold = gold_table(pair)
    child = articles(pair.child, pair.child_level)["number"].tolist()
    parent = set(articles(pair.parent, pair.parent_level)["number"])
    assert gold["child_article"].tolist() == child  # one row per article, in document order
    assert set(gold["relation"]) <= RELATIONS
    assert all(set(parents) <= parent for parents in gold["parents"])
    assert ((gold["relation"] == "none") == (gold["parents"].str.len() == 0)).all()


def test_each_held_out_round_is_apart_from_what_its_model_was_trained_on():
    for training, held_out in ROUNDS:
        assert len(held_out) == 4 and not set(training) & set(held_out)
        assert {pair.gold for pairs in held_out.values() for pair in pairs}.isdisjoint(
            {pair.gold for pairs in training.values() for pair in pairs}
        )
    assert set(FAMILIES) == set(ROUNDS[-1][0]) | set(ROUNDS[-1][1]) and len(FAMILIES) == 15


def candidates() -> pd.DataFrame:
    """Three child articles of one pair, two candidates each: article 0 is adapted from parent
    A (listed second: B first), article 1 is verbatim from C, article 2 is local."""
    return pd.DataFrame(
        {
            "pair": ["p"] * 6,
            "row": [0, 0, 1, 1, 2, 2],
            "gold_relation": ["adapted", "adapted", "verbatim", "verbatim", "none", "none"],
            "listed": [True, True, True, False, False, False],
            "first": [False, True, True, False, False, False],
        }
    )


def test_top_f1_counts_the_gold_best_parent_and_links_of_local_articles():
    table = candidates()
    # best candidates: row 0 → listed-but-not-first (fp + fn), row 1 → correct, row 2 → 0.6 (fp)
    probability = pd.Series([0.9, 0.8, 0.7, 0.1, 0.6, 0.2]).to_numpy()
    ranking = train_linker._ranking(table, probability)
    assert train_linker.top_f1(ranking, 0.5) == pytest.approx(2 * 1 / (2 * 1 + 2 + 1))
    assert train_linker.top_f1(ranking, 0.65) == pytest.approx(2 * 1 / (2 * 1 + 1 + 1))  # row 2 no longer linked
    assert train_linker.top_f1(ranking, 0.95) == 0.0


def test_set_f1_counts_second_links_from_their_own_threshold():
    table = candidates()
    probability = pd.Series([0.9, 0.8, 0.7, 0.1, 0.6, 0.2]).to_numpy()
    ranking = train_linker._ranking(table, probability)
    # gold strong links: (0, both candidates), (1, first): 3; best links from 0.65: rows 0 and 1
    assert train_linker.set_f1(ranking, 0.65, 1.0) == pytest.approx(2 * 2 / (2 + 3))
    assert train_linker.set_f1(ranking, 0.65, 0.75) == pytest.approx(2 * 3 / (3 + 3))  # row 0's second
    assert train_linker.best_further_threshold(table, probability, 0.65) == 0.65


def test_one_family_leaves_nothing_to_hold_out_for_the_regularisation():
    assert train_linker.choose_strength(candidates().assign(family="f")) == train_linker.STRENGTHS[-1]
