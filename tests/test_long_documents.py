"""Long documents: every task of a plan with 50,000 items, a regulation of 1.2 million characters
whose article and preamble are longer than one spaCy Doc may be, and the size limit."""

from __future__ import annotations

import re

import cn2an
import pytest

from extractors.citations import citations
from extractors.nlp import PIECE_CHARS
from extractors.obligations import obligations
from pipeline.api import read_corpus
from pipeline.document.manifest import Manifest
from pipeline.errors import InputError
from pipeline.ingest import source
from pipeline.ingest.source import MAX_TEXT_CHARS, read_source
from tests.documents import CORPUS

LAWREFBOOK = CORPUS.parent / "lawrefbook"
NURSES = LAWREFBOOK / "行政法规" / "护士条例(2020-03-27).md"
needs_lawrefbook = pytest.mark.skipif(not LAWREFBOOK.is_dir(), reason="../shared/lawrefbook not present")


def _tables(path):
    corpus, failures = read_corpus([path], manifest=Manifest(), stages=("structure", "commitments"))
    assert not failures, failures[0].message
    return corpus.tables


def test_a_plan_of_50000_numbered_items_keeps_every_task(tmp_path):
    lines = ["某县2024年法治政府建设工作计划"]
    for section in range(1, 101):
        lines.append(f"{cn2an.an2cn(section)}、加强第{section}方面的工作")
        lines += [f"{item}.推进第{item}项依法行政工作，严格执行制度。" for item in range(1, 501)]
    plan = tmp_path / "plan.txt"
    plan.write_text("\n".join(lines), encoding="utf-8")
    tables = _tables(plan)
    assert len(tables["tasks"]) == 50_000 and tables["tasks"]["task_id"].is_unique
    assert len(tables["obligations"]) == 100_000


def _articles() -> list[str]:
    """The real articles' texts (without 第N条) of the regulation on nurses."""
    body = NURSES.read_text(encoding="utf-8").split("<!-- INFO END -->")[1]
    return [re.sub(r"^第\S+条\s*", "", line) for line in body.splitlines() if re.match(r"^第\S+条", line)]


@needs_lawrefbook
def test_a_regulation_of_1_2_million_characters_gives_the_results_of_its_parts(tmp_path):
    articles = _articles()
    passage = "".join(articles)  # one line of real provisions, each ending with 。
    repeats = 1_200_000 // len(passage) + 1
    basis = "为了维护护士的合法权益，根据《中华人民共和国劳动法》，制定本条例。\n"
    preamble_repeats = 1_200_000 // len(basis) + 1
    regulation = tmp_path / "regulation.md"
    regulation.write_text(
        "# 护士条例\n\n" + basis * preamble_repeats + "<!-- INFO END -->\n\n"
        f"第一条 {passage * repeats}\n\n第二条 {articles[1]}\n\n第三条 {articles[2]}\n",
        encoding="utf-8",
    )
    assert len(passage * repeats) > 1_000_000 < len(basis * preamble_repeats)  # spaCy's max_length
    assert PIECE_CHARS < 1_000_000
    tables = _tables(regulation)
    tasks = tables["tasks"]
    assert list(tasks["number"]) == ["第一条", "第二条", "第三条"]
    first = tasks.iloc[0]
    found = tables["obligations"][tables["obligations"]["task_id"] == first["task_id"]]
    expected = list(obligations(passage, register="regulation"))
    assert len(found) == repeats * len(expected)  # every piece gave what its text gives alone
    last = found.iloc[-1]
    assert (last["start"], last["end"]) == (
        expected[-1].start + (repeats - 1) * len(passage),
        expected[-1].end + (repeats - 1) * len(passage),
    )
    assert first["text"][last["start"] : last["end"]] == last["text"]
    assert found["obligation_id"].is_unique
    preamble_citations = tables["citations"][tables["citations"]["task_id"].isna()]
    assert len(preamble_citations) == preamble_repeats * len(list(citations(basis, preamble=True)))


def test_a_document_longer_than_the_limit_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_TEXT_CHARS", 1_000)
    plan = tmp_path / "plan.txt"
    plan.write_text("某县2024年法治政府建设工作计划\n" + "推进依法行政。\n" * 500, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_source(plan)
    assert re.fullmatch(
        re.escape(f"{plan}: too long: ") + r"4,0\d\d characters, more than 1,000 in one document — "
        "split it into several files \\(e.g. one per part or annex\\) and read those",
        str(raised.value),
    )
    assert source.MAX_TEXT_CHARS == 1_000 and MAX_TEXT_CHARS >= 10_000_000  # tens of MB of text really
