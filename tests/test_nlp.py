"""The segmenter of the spaCy pipeline: the compiled jieba and the Python jieba agree."""

from __future__ import annotations

import pytest

from extractors.nlp import JiebaSegmenter, rjieba
from extractors.unit_registry import jieba_entries
from pipeline.ingest.discover import discover_inputs
from pipeline.ingest.source import read_source
from tests.conftest import needs_corpus
from tests.documents import CORPUS

USER_WORDS = [word for word, _, _ in jieba_entries()]


@needs_corpus
@pytest.mark.skipif(rjieba is None, reason="rjieba has no wheel for this platform")
def test_compiled_and_python_jieba_cut_every_corpus_document_alike():
    compiled = JiebaSegmenter(USER_WORDS, compiled=True)
    python = JiebaSegmenter(USER_WORDS, compiled=False)
    texts = [read_source(path).text for path in discover_inputs([CORPUS])]
    assert len(texts) == 68
    for text in texts:
        assert compiled.cut(text) == python.cut(text)


@pytest.mark.parametrize("compiled", [True, False] if rjieba is not None else [False])
def test_unit_names_stay_whole(compiled):
    words = JiebaSegmenter(USER_WORDS, compiled=compiled).cut("司法所协助旗司法局开展工作，依法治旗办牵头")
    assert {"旗司法局", "依法治旗办"} <= set(words) and "".join(words) == "司法所协助旗司法局开展工作，依法治旗办牵头"
