"""CharNgramTfidf against scikit-learn's character TfidfVectorizer, on the real laws."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.cascade.linker import linking_text
from pipeline.cascade.ngrams import CharNgramTfidf
from tests.conftest import needs_corpus
from tests.test_link import JINAN, NATIONAL, SHANDONG, articles

# mixed case, blank runs, a character that lower-cases to two (İ), one-character and empty texts
EDGES = ["Article 3  of  the LAW", "İstanbul 条例", "", "条", "中华人民共和国中华人民"]


def _texts(name: str) -> list[str]:
    return [linking_text(text) for text in articles(name)["text"]]


@needs_corpus
@pytest.mark.parametrize("ngram_range", [(2, 4), (1, 3), (3, 3)])
def test_the_same_matrices_as_scikit_learn(ngram_range):
    fitted, transformed = _texts(SHANDONG) + EDGES, _texts(JINAN) + _texts(NATIONAL) + ["ПРИМЕР", "x"]
    theirs = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True, dtype=np.float32)
    ours = CharNgramTfidf(ngram_range)
    for expected, got in (
        (theirs.fit_transform(fitted).sorted_indices(), ours.fit_transform(fitted)),
        (theirs.transform(transformed), ours.transform(transformed)),
    ):
        assert got.shape == expected.shape and got.dtype == np.float32
        assert np.array_equal(got.indptr, expected.indptr) and np.array_equal(got.indices, expected.indices)
        assert np.array_equal(got.data, expected.data)  # bit for bit: same counts, same weights


def test_a_vocabulary_of_nothing_is_refused():
    with pytest.raises(ValueError, match="empty vocabulary"):
        CharNgramTfidf((2, 4)).fit_transform(["条", ""])
