"""Train the linker's pair classifier on the gold families and write models/linker.json.

For every gold pair (benchmarks/families.py) the linker is fitted on the parent's articles and
proposes its ``scored`` best candidates per child article, with their features
(pipeline.cascade.pair_model.FEATURES). Labels come from the gold:

- link: the candidate is one of the gold's parents of a verbatim or adapted article (1), or it
  is not one of the article's gold parents (0); candidates of topical articles are left out
  (a topical article may be linked or not: the gold does not decide);
- relation: the gold relation (verbatim / adapted / topical) of the candidates the gold lists.

Both are logistic regressions (scikit-learn, lbfgs, deterministic) on standardised features.
Their regularisation C is chosen, from a short grid, by leaving one training family out at a
time (nested inside the evaluation's own leave-one-family-out), never by the figures of the
family being scored.
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
STRENGTHS = (0.1, 0.3, 1.0)  # the inverse regularisation strengths C tried, strongest first


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


def train(table: pd.DataFrame, strength: float | None = None) -> PairModel:
    """The pair model trained on a candidate table (see the module docstring).

    ``strength`` is the inverse regularisation strength C of both regressions; None: the one
    of :data:`STRENGTHS` chosen by :func:`choose_strength` on the table.
    """
    from sklearn.linear_model import LogisticRegression

    if strength is None:
        strength = choose_strength(table)
    features = table[list(FEATURES)].to_numpy(dtype=np.float64)
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    standard = (features - mean) / scale
    decided = (table["gold_relation"] != "topical").to_numpy()
    link_label = (table["listed"] & table["gold_relation"].isin(STRONG)).to_numpy()
    regression = {"C": strength, "max_iter": 5000, "random_state": SEED}
    link = LogisticRegression(**regression).fit(standard[decided], link_label[decided])
    named = table["listed"].to_numpy()
    relation = LogisticRegression(**regression).fit(standard[named], table["gold_relation"].to_numpy()[named])
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
        strength=strength,
    )
    probability = model.link_probability(features)
    first = best_threshold(table, probability)
    further = best_further_threshold(table, probability, first)
    return PairModel(**{**model.__dict__, "threshold": first, "further_threshold": further})


def choose_strength(table: pd.DataFrame) -> float:
    """The C of :data:`STRENGTHS` whose models, trained leaving one family of ``table`` out at a
    time, give the best pooled top-1 F1 plus strong-link set F1 on the families left out
    (figures over the candidates, :func:`top_f1` and :func:`set_f1`); the smallest on ties.
    With a single family, the largest (nothing to hold out)."""
    families = table["family"].unique()
    if len(families) < 2:
        return STRENGTHS[-1]
    best = (-1.0, STRENGTHS[-1])
    for strength in STRENGTHS:
        probability = np.zeros(len(table))
        first = np.zeros(len(table))
        further = np.zeros(len(table))
        for family in families:
            held = (table["family"] == family).to_numpy()
            model = train(table[~held], strength)
            probability[held] = model.link_probability(table.loc[held, list(FEATURES)].to_numpy(dtype=np.float64))
            first[held], further[held] = model.threshold, model.further_threshold
        ranking = _ranking(table, probability)
        order = ranking["order"]
        score = top_f1(ranking, first[order]) + set_f1(ranking, first[order], further[order])
        if score > best[0] + 1e-9:
            best = (score, strength)
    return best[1]


def _ranking(table: pd.DataFrame, probability: np.ndarray) -> dict[str, np.ndarray]:
    """The table's candidates ordered by child article, each article's best first: ``order``
    (positions in the table), ``position`` (0: the article's best candidate), ``probability``,
    ``strong`` (the article is verbatim or adapted), ``counted`` (not topical), ``first`` (the
    gold's best parent) and ``gold`` (a gold strong link)."""
    article = table.groupby(["pair", "row"], sort=False).ngroup().to_numpy()
    order = np.lexsort((-probability, article))
    position = np.arange(len(order)) - np.searchsorted(article[order], article[order])
    strong = table["gold_relation"].isin(STRONG).to_numpy()[order]
    return {
        "order": order,
        "position": position,
        "probability": probability[order],
        "strong": strong,
        "counted": (table["gold_relation"] != "topical").to_numpy()[order],
        "first": table["first"].to_numpy(dtype=bool)[order],
        "gold": table["listed"].to_numpy(dtype=bool)[order] & strong,
    }


def top_f1(ranking: dict[str, np.ndarray], threshold: float | np.ndarray) -> float:
    """Top-1 F1 over the child articles of a :func:`_ranking` (gold best parent; verbatim and
    adapted articles and local ones, topical left out) when a best candidate from ``threshold``
    on is a link (one threshold, or one per candidate in ranking order)."""
    top = (ranking["position"] == 0) & ranking["counted"]
    linked = top & (ranking["probability"] >= threshold)
    correct = linked & ranking["first"] & ranking["strong"]
    tp = int(correct.sum())
    fp = int((linked & ~correct).sum())
    fn = int((top & ranking["strong"] & ~correct).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def set_f1(ranking: dict[str, np.ndarray], first: float | np.ndarray, further: float | np.ndarray) -> float:
    """Strong-link set F1 over the candidates of a :func:`_ranking` when an article's best
    candidate is a link from ``first`` on and its second and third from ``further`` on."""
    position, value = ranking["position"], ranking["probability"]
    linked = np.where(position == 0, value >= first, (position < 3) & (value >= further))
    both = int((linked & ranking["gold"]).sum())
    return 2 * both / (int(linked.sum()) + int(ranking["gold"].sum())) if both else 0.0


def best_threshold(table: pd.DataFrame, probability: np.ndarray) -> float:
    """The link probability with the best top-1 F1 (:func:`top_f1`) over the table."""
    ranking = _ranking(table, probability)
    return _best(lambda threshold: top_f1(ranking, threshold), np.arange(0.05, 0.95, 0.01), 0.5)


def best_further_threshold(table: pd.DataFrame, probability: np.ndarray, first: float) -> float:
    """The link probability from which a child article's second and third candidates are links,
    with the best strong-link set F1 (:func:`set_f1`; best links from ``first`` on)."""
    ranking = _ranking(table, probability)
    return _best(lambda further: set_f1(ranking, first, further), np.arange(first, 1.0, 0.01), 1.0)


def _best(score, thresholds: np.ndarray, default: float) -> float:
    """The threshold (rounded to 0.01) with the highest ``score(threshold)``, the lowest on ties."""
    best = (-1.0, default)
    for threshold in np.round(thresholds, 2):
        value = score(float(threshold))
        if value > best[0] + 1e-9:
            best = (value, float(threshold))
    return best[1]


def main() -> None:
    model = train(training_table())
    data = {**model.to_json(), "trained_on": [pair.gold.name for pairs in FAMILIES.values() for pair in pairs]}
    MODEL_PATH.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH} (threshold {model.threshold})")


if __name__ == "__main__":
    main()
