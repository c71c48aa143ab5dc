"""Train the linker's pair classifier on the gold families and write models/linker.json.

For every gold pair (benchmarks/families.py) the linker is fitted on the parent's articles and
proposes its ``scored`` best candidates per child article, with their features
(pipeline.cascade.pair_model.FEATURES). Labels come from the gold:

- link: the candidate is one of the gold's parents of a verbatim or adapted article (1), or it
  is not one of the article's gold parents (0); candidates of topical articles are left out
  (a topical article may be linked or not: the gold does not decide);
- relation: the gold relation (verbatim / adapted / topical) of the candidates the gold lists.

Both are logistic regressions (scikit-learn, lbfgs, deterministic) on standardised features.
The link threshold is the probability with the best top-1 F1 on the training pairs; the threshold
of the second and third links of an article the one with the best strong-link set F1. The same
code trains the leave-one-family-out models of benchmarks/link_quality.py.

    python benchmarks/train_linker.py      # writes models/linker.json from every family
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.families import FAMILIES, Pair, articles, gold_table
from pipeline.cascade.linker import DirectiveLinker
from pipeline.cascade.pair_model import FEATURES, MODEL_PATH, RELATIONS, PairModel

STRONG = ("verbatim", "adapted")
SEED = 0


def candidate_table(pair: Pair, linker: DirectiveLinker | None = None) -> pd.DataFrame:
    """The pair's candidate pairs with features, ``child_article``, ``parent_article``, the gold
    relation of the child article and ``listed`` (the candidate is among its gold parents) and
    ``first`` (it is the gold's best parent)."""
    child, parent = articles(pair.child, pair.child_level), articles(pair.parent, pair.parent_level)
    pairs = (linker or DirectiveLinker()).fit(parent).candidate_pairs(child)
    pairs["child_article"] = pairs["child_task_id"].map(dict(zip(child["task_id"], child["number"])))
    pairs["parent_article"] = pairs["parent_task_id"].map(dict(zip(parent["task_id"], parent["number"])))
    gold = gold_table(pair).set_index("child_article")
    pairs["gold_relation"] = pairs["child_article"].map(gold["relation"])
    listed = [p in gold.at[c, "parents"] for c, p in zip(pairs["child_article"], pairs["parent_article"])]
    pairs["listed"] = listed
    pairs["first"] = [gold.at[c, "parents"][:1] == [p] for c, p in zip(pairs["child_article"], pairs["parent_article"])]
    pairs["pair"] = pair.name
    return pairs


def training_table(families: list[str] | None = None) -> pd.DataFrame:
    """The candidate tables of every pair of ``families`` (default: all), with ``family``."""
    tables = []
    for family in families or list(FAMILIES):
        for pair in FAMILIES[family]:
            tables.append(candidate_table(pair).assign(family=family))
    return pd.concat(tables, ignore_index=True)


def train(table: pd.DataFrame) -> PairModel:
    """The pair model trained on a candidate table (see the module docstring)."""
    from sklearn.linear_model import LogisticRegression

    features = table[list(FEATURES)].to_numpy(dtype=np.float64)
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    standard = (features - mean) / scale
    decided = (table["gold_relation"] != "topical").to_numpy()
    link_label = (table["listed"] & table["gold_relation"].isin(STRONG)).to_numpy()
    link = LogisticRegression(C=1.0, max_iter=5000, random_state=SEED).fit(standard[decided], link_label[decided])
    named = table["listed"].to_numpy()
    relation = LogisticRegression(C=1.0, max_iter=5000, random_state=SEED).fit(
        standard[named], table["gold_relation"].to_numpy()[named]
    )
    order = [list(relation.classes_).index(r) for r in RELATIONS]
    model = PairModel(
        mean=mean,
        scale=scale,
        link_coef=link.coef_[0],
        link_intercept=float(link.intercept_[0]),
        relation_coef=relation.coef_[order],
        relation_intercept=relation.intercept_[order],
        threshold=0.5,
        further_threshold=0.5,
    )
    probability = model.link_probability(features)
    first = best_threshold(table, probability)
    further = best_further_threshold(table, probability, first)
    return PairModel(**{**model.__dict__, "threshold": first, "further_threshold": further})


def best_threshold(table: pd.DataFrame, probability: np.ndarray) -> float:
    """The link probability with the best top-1 F1 (gold best parent, verbatim + adapted
    articles and local ones) over the table's child articles."""
    top = table.assign(probability=probability).sort_values(
        ["pair", "row", "probability"], ascending=[True, True, False]
    )
    top = top.groupby(["pair", "row"], sort=False).head(1)
    counted = top[top["gold_relation"] != "topical"]
    best = (-1.0, 0.5)
    for threshold in np.round(np.arange(0.05, 0.95, 0.01), 2):
        linked = counted["probability"] >= threshold
        correct = linked & counted["first"] & counted["gold_relation"].isin(STRONG)
        tp = int(correct.sum())
        fp = int((linked & ~correct).sum())
        fn = int((counted["gold_relation"].isin(STRONG) & ~correct).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0] + 1e-9:
            best = (f1, float(threshold))
    return best[1]


def best_further_threshold(table: pd.DataFrame, probability: np.ndarray, first: float) -> float:
    """The link probability from which a child article's second and third candidates are links,
    with the best strong-link set F1 over the table (best links from ``first`` on)."""
    ranked = table.assign(probability=probability).sort_values(
        ["pair", "row", "probability"], ascending=[True, True, False]
    )
    position = ranked.groupby(["pair", "row"], sort=False).cumcount().to_numpy()
    gold = (ranked["listed"] & ranked["gold_relation"].isin(STRONG)).to_numpy()
    value = ranked["probability"].to_numpy()
    top = (position == 0) & (value >= first)
    best = (-1.0, 1.0)
    for threshold in np.round(np.arange(first, 1.0, 0.01), 2):
        linked = top | ((position > 0) & (position < 3) & (value >= threshold))
        both = int((linked & gold).sum())
        f1 = 2 * both / (int(linked.sum()) + int(gold.sum())) if both else 0.0
        if f1 > best[0] + 1e-9:
            best = (f1, float(threshold))
    return best[1]


def main() -> None:
    model = train(training_table())
    data = {**model.to_json(), "trained_on": [pair.gold.name for pairs in FAMILIES.values() for pair in pairs]}
    MODEL_PATH.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH} (threshold {model.threshold})")


if __name__ == "__main__":
    main()
