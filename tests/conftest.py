"""Shared fixtures: the county plan parsed once, and a marker for tests that need the corpus."""

from __future__ import annotations

import pytest

from pipeline.document.structure import parse_document
from pipeline.ingest.source import read_source
from tests.documents import CORPUS, COUNTY_PLAN, LAWREFBOOK

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")
needs_lawrefbook = pytest.mark.skipif(not LAWREFBOOK.is_dir(), reason="../shared/lawrefbook not present")


@pytest.fixture(scope="session")
def county_plan():
    """The shipped county plan, parsed."""
    return parse_document(read_source(COUNTY_PLAN), "alxa")
