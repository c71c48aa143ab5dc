"""TF-IDF over character n-grams, counted with numpy instead of a per-character Python loop.

:class:`CharNgramTfidf` gives the matrices that scikit-learn's
``TfidfVectorizer(analyzer="char", ngram_range=…, sublinear_tf=True, dtype=np.float32)`` gives,
column for column (the same vocabulary in the same sorted order, the same counts, the same
weights), but counts the n-grams in a few vectorised passes over the texts' code points:

1. the texts are lower-cased and runs of blank space become one space (as scikit-learn's
   ``char`` analyzer does), then joined and read as one array of code points;
2. each character gets its rank among the fitted texts' characters; the n-gram starting at each
   position gets an id from the id of the (n−1)-gram starting there and the rank of its n-th
   character (``numpy.unique`` on ``id · alphabet + rank``), for n = 1 … the longest n, so no
   key ever outgrows 64 bits whatever the length of the n-grams;
3. the vocabulary is ordered as Python orders strings (by code point, a prefix first), counts are
   summed into a sparse matrix and weighted by scikit-learn's ``TfidfTransformer``.

Texts to transform use the fitted tables: a character or n-gram the fitted texts do not hold is
left out, as scikit-learn leaves out n-grams outside its vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_BLANKS = re.compile(r"\s\s+")


@dataclass(frozen=True)
class _Positions:
    """The code points of texts joined, with the text each position belongs to and how many
    characters of its text start there (the longest n-gram that starts there)."""

    codes: np.ndarray
    text: np.ndarray
    remaining: np.ndarray
    n_texts: int


class CharNgramTfidf:
    """TF-IDF over character n-grams (see the module docstring); ``ngram_range`` as in
    scikit-learn (shortest and longest n)."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 4)) -> None:
        self.ngram_range = ngram_range

    def fit_transform(self, texts: Sequence[str]):
        """Learn the vocabulary and the document frequencies of ``texts``; return their TF-IDF
        rows (CSR, float32, one row per text, unit length).

        Raises ValueError when ``texts`` hold no n-gram of the range.
        """
        from sklearn.feature_extraction.text import TfidfTransformer  # slow to import: only when linking

        positions = _positions(texts)
        self.alphabet_ = np.unique(positions.codes)
        ids = self._stage_ids(positions, fitting=True)
        self.columns_ = self._vocabulary_order(positions, ids)
        counts = self._counts(positions, ids)
        if counts.shape[1] == 0:
            raise ValueError("empty vocabulary: no text holds a character n-gram")
        self.tfidf_ = TfidfTransformer(sublinear_tf=True).fit(counts)
        return self.tfidf_.transform(counts, copy=False)

    def transform(self, texts: Sequence[str]):
        """The TF-IDF rows of ``texts`` (CSR, float32) over the fitted vocabulary."""
        positions = _positions(texts)
        return self.tfidf_.transform(self._counts(positions, self._stage_ids(positions, fitting=False)), copy=False)

    def _stage_ids(self, positions: _Positions, *, fitting: bool) -> list[np.ndarray]:
        """Per n from 1 to the longest: the id of the n-gram starting at each position (-1 where
        none starts or, when not ``fitting``, where it is not in the fitted tables). Fitting
        stores each n's sorted keys (``keys_``) and the first position of each id (``first_``).
        """
        rank = sorted_lookup(self.alphabet_, positions.codes)
        ids = [rank]
        if fitting:
            self.keys_: list[np.ndarray] = [np.arange(len(self.alphabet_), dtype=np.int64)]
            self.first_: list[np.ndarray] = [np.unique(rank, return_index=True)[1]]
        for n in range(2, self.ngram_range[1] + 1):
            previous, width = ids[-1], len(self.alphabet_)
            starts = np.flatnonzero(positions.remaining >= n)
            last = ids[0][starts + n - 1]
            usable = (previous[starts] >= 0) & (last >= 0)
            starts = starts[usable]
            keys = previous[starts] * width + last[usable]
            current = np.full(len(rank), -1, dtype=np.int64)
            if fitting:
                table, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
                self.keys_.append(table)
                self.first_.append(starts[first])
                current[starts] = inverse
            else:
                current[starts] = sorted_lookup(self.keys_[n - 1], keys)
            ids.append(current)
        return ids

    def _vocabulary_order(self, positions: _Positions, ids: list[np.ndarray]) -> list[np.ndarray]:
        """Per n of the range: the matrix column of each n-gram id, columns ordered as sorted
        strings order the n-grams (scikit-learn's vocabulary order)."""
        low, high = self.ngram_range
        rank = ids[0]
        spelled = []  # each n-gram as its characters' ranks + 1, padded with 0 (a prefix sorts first)
        for n in range(low, high + 1):
            first = self.first_[n - 1]
            letters = np.zeros((len(first), high), dtype=np.int64)
            for offset in range(n):
                letters[:, offset] = rank[first + offset] + 1
            spelled.append(letters)
        letters = np.vstack(spelled) if spelled else np.zeros((0, high), dtype=np.int64)
        order = np.lexsort(letters.T[::-1])
        column = np.empty(len(order), dtype=np.int64)
        column[order] = np.arange(len(order))
        bounds = np.cumsum([0, *(len(s) for s in spelled)])
        return [column[start:end] for start, end in zip(bounds[:-1], bounds[1:])]

    def _counts(self, positions: _Positions, ids: list[np.ndarray]):
        """The texts × vocabulary matrix of n-gram counts (CSR, float32, indices sorted)."""
        from scipy import sparse

        low, high = self.ngram_range
        rows, columns = [], []
        for n, columns_of in zip(range(low, high + 1), self.columns_):
            found = np.flatnonzero(ids[n - 1] >= 0)
            rows.append(positions.text[found])
            columns.append(columns_of[ids[n - 1][found]])
        width = sum(len(c) for c in self.columns_)
        row, column = np.concatenate(rows), np.concatenate(columns)
        counts = sparse.csr_matrix(
            (np.ones(len(row), dtype=np.float32), (row, column)), shape=(positions.n_texts, width)
        )
        counts.sum_duplicates()
        counts.sort_indices()
        return counts


def _positions(texts: Sequence[str]) -> _Positions:
    """The code points of ``texts`` as scikit-learn's ``char`` analyzer reads them (lower case,
    runs of blank space as one space), joined, with their text and the characters left in it."""
    prepared = [_BLANKS.sub(" ", (text or "").lower()) for text in texts]
    lengths = np.fromiter(map(len, prepared), dtype=np.int64, count=len(prepared))
    codes = np.frombuffer("".join(prepared).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ends = np.cumsum(lengths)
    text = np.repeat(np.arange(len(prepared)), lengths)
    remaining = ends[text] - np.arange(len(codes)) if len(codes) else np.zeros(0, dtype=np.int64)
    return _Positions(codes=codes, text=text, remaining=remaining, n_texts=len(prepared))


def sorted_lookup(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The position of each of ``keys`` in the sorted ``table``, -1 for a key it does not hold."""
    if not len(table):
        return np.full(len(keys), -1, dtype=np.int64)
    at = np.searchsorted(table, keys).clip(max=len(table) - 1)
    return np.where(table[at] == keys, at, -1)
