"""The trained pair classifier of the linker: does a child task implement a candidate parent
directive, and how (verbatim / adapted / topical).

Two logistic regressions over the features of :data:`FEATURES`, standardised: ``link`` gives the
probability that the candidate is a verbatim or adapted source of the child task, ``relation``
the relation of a linked pair. Their coefficients, the standardisation and the link thresholds
(chosen in training: one for a child task's best link, one for its further links) are stored as JSON in ``models/linker.json``, written by
``benchmarks/train_linker.py`` from the hand-checked gold of ``tests/data/gold``; loading reads
that file only (no network, no pickle).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "linker.json"
RELATIONS = ("verbatim", "adapted", "topical")
# the features of a (child task, candidate parent directive) pair, in the model's order
FEATURES = (
    "cosine",  # TF-IDF cosine of character 2–4-grams
    "csls",  # the cosine corrected for hubness (CSLS)
    "reuse",  # share of the child's characters in passages shared word for word
    "parent_reuse",  # share of the parent's characters in those passages
    "longest_share",  # the longest shared passage, as a share of the child's length
    "longest_log",  # log(1 + characters of the longest shared passage)
    "inverse_rank",  # 1 / the candidate's rank by CSLS among the child's candidates
    "gap_next",  # CSLS minus the next candidate's CSLS
    "gap_best",  # the best candidate's CSLS minus this one's
    "position_distance",  # |relative position of the child task − that of the parent directive|
    "chapter_similarity",  # character-bigram Jaccard of the two chapter (section) titles
    "key_terms",  # share of the child's 10 highest-weighted n-grams found in the parent
    "child_boilerplate",  # the child is a purpose, scope or effective-date clause
    "parent_boilerplate",  # the parent is one
    "same_boilerplate",  # both are, of the same kind
    "level_distance",  # levels between the two documents beyond one (0: adjacent levels)
    "child_length_log",  # log(1 + characters of the child)
    "length_ratio_log",  # log of the parent's length over the child's
)


@dataclass(frozen=True)
class PairModel:
    """Coefficients of the two regressions and the link threshold (see the module docstring)."""

    mean: np.ndarray
    scale: np.ndarray
    link_coef: np.ndarray
    link_intercept: float
    relation_coef: np.ndarray  # one row per relation of RELATIONS
    relation_intercept: np.ndarray
    threshold: float  # lowest P(link) of a child task's best link
    further_threshold: float  # lowest P(link) of its second and third links
    strength: float  # the inverse regularisation strength C the regressions were trained with

    def link_probability(self, features: np.ndarray) -> np.ndarray:
        """P(link) of each row of ``features`` (columns in :data:`FEATURES` order)."""
        logit = self._standardised(features) @ self.link_coef + self.link_intercept
        return 1 / (1 + np.exp(-logit))

    def relation(self, features: np.ndarray) -> np.ndarray:
        """The most probable relation of each row (an array of :data:`RELATIONS` strings)."""
        logits = self._standardised(features) @ self.relation_coef.T + self.relation_intercept
        return np.asarray(RELATIONS, dtype=object)[logits.argmax(axis=1)]

    def _standardised(self, features: np.ndarray) -> np.ndarray:
        return (np.asarray(features, dtype=np.float64) - self.mean) / self.scale

    def to_json(self) -> dict:
        """The model as JSON-ready data (the layout :func:`load_model` reads)."""
        return {
            "features": list(FEATURES),
            "relations": list(RELATIONS),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "link": {"coef": self.link_coef.tolist(), "intercept": self.link_intercept},
            "relation": {"coef": self.relation_coef.tolist(), "intercept": self.relation_intercept.tolist()},
            "threshold": self.threshold,
            "further_threshold": self.further_threshold,
            "strength": self.strength,
        }


def model_from_json(data: dict) -> PairModel:
    """A :class:`PairModel` from :meth:`PairModel.to_json` data.

    Raises ValueError when its features or relations are not this code's.
    """
    if tuple(data["features"]) != FEATURES or tuple(data["relations"]) != RELATIONS:
        raise ValueError("the linker model was trained on other features: run benchmarks/train_linker.py")
    return PairModel(
        mean=np.array(data["mean"]),
        scale=np.array(data["scale"]),
        link_coef=np.array(data["link"]["coef"]),
        link_intercept=float(data["link"]["intercept"]),
        relation_coef=np.array(data["relation"]["coef"]),
        relation_intercept=np.array(data["relation"]["intercept"]),
        threshold=float(data["threshold"]),
        further_threshold=float(data["further_threshold"]),
        strength=float(data["strength"]),
    )


@functools.cache
def load_model(path: str | Path = MODEL_PATH) -> PairModel:
    """The model stored at ``path`` (default: the shipped ``models/linker.json``), read once."""
    return model_from_json(json.loads(Path(path).read_text(encoding="utf-8")))
