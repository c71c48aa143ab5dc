"""Every one of the 3,410 real laws and regulations of ../shared/lawrefbook reads in one run,
through the real read path (worker processes, every stage's per-document extraction): no file
is refused, every article is found, every title is the file's own, and every numbered heading is a section or
a task whose path ranks as GB/T 9704-2012 orders the levels (tests/hierarchy.py).

Articles are counted by this test's own rule, apart from the code: the lines of the body (after
``<!-- INFO END -->``) that open with 第…条. The title is the file's ``# `` line, with one real
exception: a file whose transmittal notice (…关于印发《X》的通知) writes the title differently;
the notice is the document's own statement of its title, and wins (see
pipeline/document/structure.py, describe_document).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.api import read_corpus
from tests.conftest import needs_lawrefbook
from tests.documents import LAWREFBOOK
from tests.hierarchy import hierarchy_problems

_ARTICLE_OPENING = re.compile(r"^第[一二三四五六七八九十百千零〇两]+条", re.MULTILINE)
_TITLE_LINE = re.compile(r"^# (.+)$", re.MULTILINE)
# file name → the title its transmittal notice gives (with ASCII <> for the inner 《》, as written)
NOTICE_TITLES = {
    "国家机关、事业单位贯彻《国务院关于职工工作时间的规定》的实施办法(1995-05-01).md": (
        "国家机关、事业单位贯彻<国务院关于职工工作时间的规定>的实施办法"
    ),
}


def _articles_and_title(path: Path) -> tuple[int, str]:
    """The number of 第…条 lines of the file's body and its ``# `` title."""
    text = path.read_text(encoding="utf-8")
    title = _TITLE_LINE.search(text)
    body = text.split("<!-- INFO END -->", 1)[-1]
    return len(_ARTICLE_OPENING.findall(body)), title.group(1).strip() if title else ""


@needs_lawrefbook
def test_every_law_and_regulation_reads_with_all_its_articles_its_title_and_every_heading():
    files = sorted(path for path in LAWREFBOOK.rglob("*.md") if path.name != "README.md")
    assert len(files) == 3_410
    corpus, failures = read_corpus([LAWREFBOOK], jobs=2, stages=("structure",))
    assert [failure.message for failure in failures] == []
    duplicates = [note for note in corpus.notes if "same content as" in note]
    assert len(corpus.documents) + len(duplicates) == len(files)
    tasks = corpus.tables["tasks"]
    articles = Counter(tasks.loc[tasks["kind"] == "article", "doc_id"])
    wrong_count, wrong_title = [], []
    for doc in corpus.documents:
        path = doc.source.path
        expected_articles, title = _articles_and_title(path)
        if articles[doc.doc_id] != expected_articles:
            wrong_count.append((path.name, expected_articles, articles[doc.doc_id]))
        if doc.record["title"] != NOTICE_TITLES.get(path.name, title):
            wrong_title.append((path.name, title, doc.record["title"]))
    assert wrong_count == []
    assert wrong_title == []
    lost_or_misranked = {doc.source.path.name: found for doc in corpus.documents if (found := hierarchy_problems(doc))}
    assert lost_or_misranked == {}
    assert len(corpus.tables["sections"]) > 16_000
