"""Link each child task to the parent directives it implements: candidates, scores, evidence.

:class:`DirectiveLinker` works like a scikit-learn estimator: its settings are constructor
parameters that are only stored; :meth:`~DirectiveLinker.fit` learns the parent directives,
:meth:`~DirectiveLinker.link` ranks them for each child task.

How a child task is linked:

1. Candidates: TF-IDF over character n-grams (no word segmentation needed; counted with numpy,
   :mod:`pipeline.cascade.ngrams`) and cosine similarity. With at most ``exhaustive_up_to`` parents, every child is compared with every
   parent. With more, children are compared in blocks of ``block_size`` tasks, each block with
   the parents its tasks propose: for each task, the ``proposals`` parents that
   share most with its ``rare_ngrams`` rarest n-grams (an inverted index, from n-gram to the
   parents it occurs in; n-grams found in more than ``max_postings`` parents propose none).
   Only the ``candidates`` most similar parents of each child are kept (``argpartition``). No
   children × parents matrix is ever held, and the cost grows linearly with the children:
   each costs at most ``rare_ngrams`` × ``max_postings`` index steps and a cosine with
   ``block_size`` × ``proposals`` parents.
2. Hubness correction (CSLS, Conneau et al. 2018): ``2·cos(c, p) − r(c) − r(p)``, where ``r``
   is the mean similarity of an item to its ``neighbours`` nearest items on the other side (for
   ``r(p)``: the tasks of the same child document; for ``r(c)``: its candidates). A generic
   parent article that resembles every child task, or a generic child task that resembles
   every parent article, no longer wins by default. The ``scored`` best candidates by this
   score in each parent document (of the ``top_k`` documents with the best candidates) go on,
   so that a child task can link to directives of several parents (national and provincial)
   at once.
3. Alignment of each such pair (rapidfuzz's LCS alignment): the shared passages of at least
   ``min_passage`` characters give ``reuse`` (the share of the child's text taken word for word
   from the parent) and the ``evidence`` (the longest shared passages).
4. Decision: the trained pair classifier (:mod:`pipeline.cascade.pair_model`, ``models/linker.json``)
   reads the features of each pair (:data:`~pipeline.cascade.pair_model.FEATURES`: cosine, CSLS,
   reuse, longest passage, rank and score gaps, positions, chapter titles, key terms,
   boilerplate, level distance) and gives the probability that the parent is a verbatim or
   adapted source of the child, and the relation. A child task's best pair is a link from the
   trained threshold on, its second and third from a (higher) trained threshold of their own;
   links are ranked by that probability (the ``score``); a child task with none is a local
   addition.

Relations: verbatim (most of the child's wording comes from the parent), adapted (the same
provision reworded, narrowed or localised), topical (linked, but the same subject with other
content), as the gold of ``tests/data/gold`` labels them.

Boilerplate (purpose clauses 为了…制定本条例, scope articles 本市行政区域内…适用本条例,
effective dates 本条例自…起施行) is a feature of the classifier (a counterpart of the same kind
is usually a link) and flagged so that coverage statistics can leave it out.

Optional item columns make more features count: ``section_title`` (the chapter title, on both
sides) and ``level`` (the document's level, on both sides).
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from rapidfuzz.distance import LCSseq

from extractors.obligations import assignment_annotations
from pipeline.cascade.ngrams import CharNgramTfidf, sorted_lookup
from pipeline.cascade.pair_model import FEATURES, load_model
from pipeline.document.metadata import LEVEL_RANK
from pipeline.outputs.schema import LINK_COLUMNS, make_table

EVIDENCE_SEPARATOR = " … "

_BOILERPLATE = (
    ("purpose", re.compile(r"^为(了)?[^。]{0,300}?制定本(条例|办法|规定|细则|决定|方案|计划|意见|实施意见)")),
    ("scope", re.compile(r"(行政区域内|范围内)[^。]{0,80}?适用本(条例|办法|规定|细则)|^本(条例|办法|规定|细则)适用于")),
    ("effective_date", re.compile(r"^本(条例|办法|规定|细则|决定|方案|计划|意见)[^。]{0,40}?自[^。]{0,30}?(起)?施行")),
)


def boilerplate_kind(text: str) -> str:
    """Return the kind of boilerplate ``text`` is ("purpose", "scope", "effective_date"), or ""."""
    text = (text or "").strip()
    for kind, pattern in _BOILERPLATE:
        if pattern.search(text):
            return kind
    return ""


def linking_text(text: str) -> str:
    """A task's text as compared for linking: assignment annotations (（牵头单位：…）,
    （商务部负责）, （X牵头，Y配合）) and blank space removed. The annotations say who does a task,
    not what it is: kept, they would make every task of a plan resemble every other."""
    text = text or ""
    for start, end in reversed(assignment_annotations(text)):
        text = text[:start] + text[end:]
    return re.sub(r"\s+", "", text)


def shared_passages(child: str, parent: str, *, min_length: int) -> list[tuple[int, int, int, int]]:
    """Return the passages ``child`` and ``parent`` share word for word, from an LCS alignment.

    Each passage is ``(child_start, child_end, parent_start, parent_end)``, in child order;
    passages shorter than ``min_length`` characters are left out.
    """
    return [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in LCSseq.opcodes(child, parent)
        if op.tag == "equal" and op.src_end - op.src_start >= min_length
    ]


class DirectiveLinker:
    """Rank, for each child task, the parent directives it implements.

    Parameters are stored as given (see the module docstring for what they do):
    ``ngram_range`` (character n-grams of the TF-IDF), ``top_k`` (links kept per child task),
    ``candidates`` (nearest parents scored per child task), ``exhaustive_up_to`` (most
    parents every child is compared with), ``proposals`` (parents proposed per child task when
    there are more), ``rare_ngrams`` (n-grams of a child task that propose them),
    ``max_postings`` (n-grams found in more parents than this propose none), ``neighbours`` (neighbourhood size of
    the hubness correction), ``scored`` (best candidates by CSLS per child task that the
    classifier reads), ``threshold`` (lowest link probability that is a link; None: the
    model's trained threshold), ``model`` (path of the pair classifier; None: the shipped
    ``models/linker.json``), ``min_passage`` (shortest shared passage, in
    characters), ``evidence_passages`` (passages quoted as evidence), ``block_size`` (child
    tasks compared with the parents at a time), ``n_jobs`` (threads for the similarity search,
    a block each; -1 or None: one per CPU).

    Items (parents and children) are tables with columns doc_id, task_id and text, such as the
    tasks table.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (2, 4),
        top_k: int = 3,
        candidates: int = 20,
        exhaustive_up_to: int = 2000,
        proposals: int = 100,
        rare_ngrams: int = 32,
        max_postings: int = 1000,
        neighbours: int = 5,
        scored: int = 3,
        threshold: float | None = None,
        model: str | None = None,
        min_passage: int = 6,
        evidence_passages: int = 3,
        block_size: int = 128,
        n_jobs: int | None = -1,
    ) -> None:
        self.ngram_range = ngram_range
        self.top_k = top_k
        self.candidates = candidates
        self.exhaustive_up_to = exhaustive_up_to
        self.proposals = proposals
        self.rare_ngrams = rare_ngrams
        self.max_postings = max_postings
        self.neighbours = neighbours
        self.scored = scored
        self.threshold = threshold
        self.model = model
        self.min_passage = min_passage
        self.evidence_passages = evidence_passages
        self.block_size = block_size
        self.n_jobs = n_jobs

    def params(self) -> dict:
        """The constructor's parameters as set (what :meth:`fit` learned left out), for a new
        linker that differs in some of them."""
        return {name: getattr(self, name) for name in inspect.signature(type(self)).parameters}

    def fit(self, parent_items: pd.DataFrame) -> DirectiveLinker:
        """Learn the parent directives (columns doc_id, task_id, text; section_title and level
        when present). Returns the linker.

        Raises ValueError when there is no parent directive with text.
        """
        items = parent_items.reset_index(drop=True)
        self.parent_texts_ = [linking_text(text) for text in items["text"]]
        if not any(self.parent_texts_):
            raise ValueError("no parent directive has any text to link to")
        self.parent_doc_ids_ = items["doc_id"].to_numpy()
        self.parent_task_ids_ = items["task_id"].to_numpy()
        self.parent_boilerplate_ = np.array([boilerplate_kind(t) for t in items["text"]], dtype=object)
        self.parent_context_ = _context(items)
        self.vectorizer_ = CharNgramTfidf(self.ngram_range)
        self.parent_rows_ = self.vectorizer_.fit_transform(self.parent_texts_)  # parents × n-grams, CSR
        self.parent_rows_.sort_indices()
        self.parent_ngrams_ = _entry_keys(self.parent_rows_)  # parent · n-grams + n-gram, ascending
        self.postings_ = self.parent_rows_.T.tocsr()  # n-grams × parents: the parents each n-gram occurs in
        self.document_frequency_ = np.diff(self.postings_.indptr)
        self._scratch = threading.local()  # per thread, the lookup array of _cosines
        return self

    def link(self, child_items: pd.DataFrame) -> pd.DataFrame:
        """Return the links table: for each child task, up to ``top_k`` parent directives.

        Rows are grouped by child document (in order of first appearance), then follow the
        child items, then rank (1 = best, by the classifier's link probability, the ``score``);
        a child task with no pair of at least the threshold gets no row. The hubness correction
        is computed within each child document, so a document's links do not depend on the
        other documents linked with it.
        """
        pairs = self.candidate_pairs(child_items)
        if pairs.empty:
            return make_table([], LINK_COLUMNS)
        model = load_model(self.model) if self.model else load_model()
        features = pairs[list(FEATURES)].to_numpy()
        pairs["score"] = model.link_probability(features).round(4)
        pairs["relation"] = model.relation(features)
        threshold = model.threshold if self.threshold is None else self.threshold
        ranked = pairs.sort_values(["row", "score", "parent"], ascending=[True, False, True])
        position = ranked.groupby("row", sort=False).cumcount()
        further = np.maximum(model.further_threshold, threshold)
        kept = np.where(position == 0, ranked["score"] >= threshold, ranked["score"] >= further)
        kept &= position < self.top_k
        links = ranked[kept].copy()
        links["rank"] = position[kept] + 1
        links["boilerplate"] = links["child_boilerplate"].astype(bool) | links["parent_boilerplate"].astype(bool)
        links["similarity"] = links["cosine"].round(4)
        links["reuse"] = links["reuse"].round(4)
        return make_table(links.to_dict("records"), LINK_COLUMNS)

    def candidate_pairs(self, child_items: pd.DataFrame) -> pd.DataFrame:
        """The ``scored`` best candidate directives of each child task in each parent document
        (among its ``candidates`` nearest), by CSLS, with their features.

        One row per (child task, candidate parent directive): ``row`` (the child's position,
        child documents in order of first appearance), ``parent`` (the directive's position in
        the fitted items), child_doc_id, child_task_id, parent_doc_id, parent_task_id, the
        columns of :data:`~pipeline.cascade.pair_model.FEATURES` and ``evidence``. Child items
        have columns doc_id, task_id, text (section_title and level when present).
        """
        documents = pd.factorize(child_items["doc_id"])[0]
        order = np.argsort(documents, kind="stable")
        items = child_items.iloc[order].reset_index(drop=True)
        documents = documents[order]
        texts = [linking_text(text) for text in items["text"]]
        if not texts:
            return pd.DataFrame(columns=["row", "parent", *FEATURES, "evidence"])
        matrix = self.vectorizer_.transform(texts).tocsr()
        candidates, similarity, parent_hubness, real = self._candidates(matrix, documents)
        k = min(self.neighbours, similarity.shape[1])
        child_hubness = np.partition(similarity, similarity.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
        scores = np.where(real, 2 * similarity - child_hubness[:, None] - parent_hubness, -np.inf)
        scores[~np.array([bool(t) for t in texts])] = -np.inf
        best = np.argsort(-scores, axis=1, kind="stable")
        row, column = np.nonzero(np.isfinite(np.take_along_axis(scores, best, axis=1)))
        column = best[row, column]
        pairs = pd.DataFrame(
            {
                "row": row,
                "parent": candidates[row, column],
                "child_doc_id": items["doc_id"].to_numpy()[row],
                "child_task_id": items["task_id"].to_numpy()[row],
                "cosine": similarity[row, column].astype(np.float64),
                "csls": scores[row, column].astype(np.float64),
            }
        )
        pairs["parent_doc_id"] = self.parent_doc_ids_[pairs["parent"]]
        pairs["parent_task_id"] = self.parent_task_ids_[pairs["parent"]]
        pairs = pairs[_in_best_documents(pairs, self.top_k)]
        pairs = pairs.groupby(["row", "parent_doc_id"], sort=False).head(self.scored).reset_index(drop=True)
        row = pairs["row"].to_numpy()
        _rank_features(pairs)
        child_context = _context(items)
        kinds = np.array([boilerplate_kind(text) for text in items["text"]], dtype=object)
        pairs["position_distance"] = np.abs(
            child_context["position"][row] - self.parent_context_["position"][pairs["parent"]]
        )
        pairs["level_distance"] = np.maximum(
            child_context["level"][row] - self.parent_context_["level"][pairs["parent"]] - 1, 0
        )
        child_kind, parent_kind = kinds[row], self.parent_boilerplate_[pairs["parent"]]
        pairs["child_boilerplate"] = (child_kind != "").astype(float)
        pairs["parent_boilerplate"] = (parent_kind != "").astype(float)
        pairs["same_boilerplate"] = ((child_kind == parent_kind) & (child_kind != "")).astype(float)
        pairs["key_terms"] = self._key_terms(matrix, row, pairs["parent"].to_numpy())
        aligned = [
            self._aligned(texts[r], int(parent), child_context["section_title"][r])
            for r, parent in zip(row, pairs["parent"])
        ]
        return pd.concat([pairs, pd.DataFrame(aligned, index=pairs.index)], axis=1)

    def _key_terms(self, matrix, row: np.ndarray, parent: np.ndarray) -> np.ndarray:
        """Per pair: the share of the child's 10 highest-weighted n-grams (``matrix``: the child
        rows' TF-IDF, CSR) found in the parent."""
        entries = matrix.tocoo()
        top = _first_per_row(entries.row, (-entries.data,), 10)  # grouped by row, ascending
        key_columns = entries.col[top]
        count = np.bincount(entries.row[top], minlength=matrix.shape[0])
        first = np.cumsum(count) - count
        per_pair = count[row]
        pair = np.repeat(np.arange(len(row)), per_pair)
        within = np.arange(len(pair)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
        wanted = parent[pair].astype(np.int64) * self.parent_rows_.shape[1] + key_columns[first[row][pair] + within]
        shared = np.bincount(pair, weights=sorted_lookup(self.parent_ngrams_, wanted) >= 0, minlength=len(row))
        return shared / np.maximum(per_pair, 1)

    def _aligned(self, text: str, parent: int, chapter: str) -> dict:
        """The alignment features of one pair (reuse, parent_reuse, longest passage, lengths,
        chapter-title similarity) and its evidence."""
        parent_text = self.parent_texts_[parent]
        passages = shared_passages(text, parent_text, min_length=self.min_passage)
        lengths = [end - start for start, end, _, _ in passages]
        shared, longest = sum(lengths), max(lengths, default=0)
        size = max(len(text), 1)
        ranked = sorted(passages, key=lambda p: (p[0] - p[1], p[0]))[: self.evidence_passages]
        return {
            "reuse": shared / size,
            "parent_reuse": shared / max(len(parent_text), 1),
            "longest_share": longest / size,
            "longest_log": np.log1p(longest),
            "chapter_similarity": _bigram_jaccard(chapter, self.parent_context_["section_title"][parent]),
            "child_length_log": np.log1p(len(text)),
            "length_ratio_log": np.log((len(parent_text) + 1) / (len(text) + 1)),
            "evidence": EVIDENCE_SEPARATOR.join(text[start:end] for start, end, _, _ in ranked),
        }

    def _candidates(self, matrix, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Nearest parents of each child and what the score needs of them.

        Returns four arrays of one row per child and one column per candidate: the parents'
        indices, the cosine similarity, the parents' hubness r(p) within the child's document,
        and whether the candidate is real (a child whose comparison set holds fewer parents than
        ``candidates`` leaves the last columns empty). ``documents`` numbers the child document
        of each row; rows of a document are adjacent. Rows are compared ``block_size`` at a
        time, ``n_jobs`` blocks at once; a block may hold several documents, a document may
        span several blocks.
        """
        width = min(self.candidates, self.parent_rows_.shape[0])
        shape = (matrix.shape[0], width)
        candidates, similarity = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.float32)
        hubness, real = np.zeros(shape, dtype=np.float32), np.zeros(shape, dtype=bool)
        column_tops: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}  # of documents not yet complete
        spans = {document: (first, end) for document, first, end in _runs(documents)}
        starts = range(0, matrix.shape[0], self.block_size)
        with ThreadPoolExecutor(self._workers()) as pool:
            found = pool.map(
                lambda start: self._block_candidates(
                    matrix[start : start + self.block_size], documents[start : start + self.block_size]
                ),
                starts,
            )
            for start, (top, values, parents, tops) in zip(starts, found):
                rows = slice(start, start + top.shape[0])
                candidates[rows, : top.shape[1]], similarity[rows, : top.shape[1]] = top, values
                real[rows, : top.shape[1]] = True
                for document, document_tops in tops:
                    column_tops.setdefault(document, []).append((parents, document_tops))
                for document in [d for d in column_tops if spans[d][1] <= rows.stop]:  # complete
                    first, end = spans[document]
                    compared, parent_hubness = self._parent_hubness(column_tops.pop(document), end - first)
                    if len(compared):  # else no parent was compared: the rows have no candidate
                        position = np.searchsorted(compared, candidates[first:end]).clip(max=len(compared) - 1)
                        hubness[first:end] = np.where(real[first:end], parent_hubness[position], 0)
        return candidates, similarity, hubness, real

    def _block_candidates(self, rows, documents: np.ndarray) -> tuple:
        """Compare a block of child rows with the parents (:meth:`_compared`).

        Returns, per row, the ``candidates`` most similar parents (indices) and their cosine;
        the parents compared (ascending); and, for each child document of the block, its
        ``neighbours`` highest cosines with each of them (fewer rows when the document has
        fewer in the block).
        """
        parents = self._compared(rows)
        n_parents = len(parents)
        if n_parents == self.postings_.shape[1]:
            block = (rows @ self.postings_).toarray()
        else:
            block = _cosines(rows, self.parent_rows_[parents], self._lookup())
        width = min(self.candidates, n_parents)
        if width < n_parents:
            top = np.argpartition(block, n_parents - width, axis=1)[:, -width:]
        else:
            top = np.broadcast_to(np.arange(n_parents), block.shape)
        values = np.take_along_axis(block, top, axis=1)
        tops = []
        for document, first, end in _runs(documents):
            segment = block[first:end]
            if segment.shape[0] > self.neighbours:
                segment = np.partition(segment, segment.shape[0] - self.neighbours, axis=0)[-self.neighbours :]
            tops.append((document, segment))
        return parents[top], values, parents, tops

    def _parent_hubness(
        self, blocks: list[tuple[np.ndarray, np.ndarray]], n_rows: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """r(p) of every parent compared with a child document of ``n_rows`` rows, from the
        ``(parents, highest cosines)`` of its blocks: the mean of the parent's ``neighbours``
        highest cosines (of all its cosines when the document has fewer rows). Cosines of rows a
        parent was not compared with count as 0. Returns the parents (ascending) and their r(p).
        """
        if all(len(parents) == self.postings_.shape[1] for parents, _ in blocks):  # every parent compared
            tops = np.vstack([tops for _, tops in blocks])
            k = min(self.neighbours, tops.shape[0])
            return blocks[0][0], np.partition(tops, tops.shape[0] - k, axis=0)[-k:].mean(axis=0)
        ids = np.concatenate([np.broadcast_to(parents, tops.shape).ravel() for parents, tops in blocks])
        values = np.concatenate([tops.ravel() for _, tops in blocks])
        highest = _first_per_row(ids, (-values,), self.neighbours)
        parents, index = np.unique(ids[highest], return_inverse=True)
        sums = np.bincount(index, values[highest].astype(np.float64))
        return parents, (sums / min(self.neighbours, n_rows)).astype(np.float32)

    def _compared(self, rows) -> np.ndarray:
        """The parents a block of child rows is compared with, ascending: every parent when
        there are at most ``exhaustive_up_to``; else, for each row, the ``proposals`` parents
        that share most with its ``rare_ngrams`` rarest n-grams among those found in at most
        ``max_postings`` parents, all rows together.

        The rare n-grams bound the search: each row costs at most rare_ngrams × max_postings
        index steps and a cosine with block rows × proposals parents, however many parents
        there are, so the cost grows linearly with the children, not with children × parents.
        """
        n_parents = self.postings_.shape[1]
        if n_parents <= self.exhaustive_up_to:
            return np.arange(n_parents)
        from scipy import sparse  # loaded with scikit-learn in fit

        rows = rows.tocoo()
        frequency = self.document_frequency_[rows.col]
        usable = frequency <= self.max_postings
        row, col, value = rows.row[usable], rows.col[usable], rows.data[usable]
        rare = _first_per_row(row, (col, -value, frequency[usable]), self.rare_ngrams)
        probe = sparse.csr_matrix((value[rare], (row[rare], col[rare])), shape=rows.shape)
        shared = (probe @ self.postings_).tocoo()
        return np.unique(shared.col[_first_per_row(shared.row, (shared.col, -shared.data), self.proposals)])

    def _lookup(self) -> np.ndarray:
        """This thread's scratch array for :func:`_cosines` (one per thread, made once)."""
        if not hasattr(self._scratch, "lookup"):
            self._scratch.lookup = np.full(self.postings_.shape[0], -1, dtype=np.int64)
        return self._scratch.lookup

    def _workers(self) -> int:
        """Threads of the similarity search (scipy's sparse product releases the GIL)."""
        return (os.cpu_count() or 1) if self.n_jobs is None or self.n_jobs == -1 else max(1, self.n_jobs)


def _context(items: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per item: its relative position in its document (0 first, 1 last), its chapter title
    (column section_title, "" without it) and its level rank (column level; 1 without it)."""
    within = items.groupby("doc_id", sort=False).cumcount().to_numpy()
    size = items.groupby("doc_id", sort=False)["doc_id"].transform("size").to_numpy()
    titles = items["section_title"].fillna("").astype(str) if "section_title" in items else pd.Series([""] * len(items))
    levels = items["level"].map(LEVEL_RANK).fillna(1) if "level" in items else pd.Series([1] * len(items))
    return {
        "position": within / np.maximum(size - 1, 1),
        "section_title": titles.to_numpy(dtype=object),
        "level": levels.to_numpy(dtype=np.float64),
    }


def _in_best_documents(pairs: pd.DataFrame, count: int) -> pd.Series:
    """True for the candidates of the ``count`` parent documents whose best candidate ranks
    highest for the child task (a task links to at most ``top_k`` directives, so to at most as
    many documents); ``pairs`` holds a child's candidates best first."""
    first = ~pairs.duplicated(["row", "parent_doc_id"])
    rank = first.groupby(pairs["row"]).cumsum().where(first)
    return rank.groupby([pairs["row"], pairs["parent_doc_id"]]).transform("first") <= count


def _rank_features(pairs: pd.DataFrame) -> None:
    """Add inverse_rank, gap_next and gap_best (by CSLS among a child task's candidates in one
    parent document) to ``pairs``, whose rows of a child are best first."""
    by_row = pairs.groupby(["row", "parent_doc_id"], sort=False)["csls"]
    pairs["inverse_rank"] = 1 / (by_row.cumcount() + 1)
    following = by_row.shift(-1)
    pairs["gap_next"] = (pairs["csls"] - following).fillna(pairs["csls"]).clip(lower=0)
    pairs["gap_best"] = by_row.transform("max") - pairs["csls"]


def _bigram_jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams of two titles (0 when either has none)."""
    first, second = _bigrams(a or ""), _bigrams(b or "")
    return len(first & second) / len(first | second) if first and second else 0.0


@functools.lru_cache(maxsize=4096)
def _bigrams(title: str) -> frozenset[str]:
    """The character bigrams of a title (chapter titles repeat over a document's pairs)."""
    return frozenset(title[i : i + 2] for i in range(len(title) - 1))


def _entry_keys(rows) -> np.ndarray:
    """``row · columns + column`` of every stored entry of a CSR matrix with sorted indices:
    ascending, so that :func:`~pipeline.cascade.ngrams.sorted_lookup` finds an entry."""
    row = np.repeat(np.arange(rows.shape[0], dtype=np.int64), np.diff(rows.indptr))
    return row * rows.shape[1] + rows.indices


def _runs(documents: np.ndarray) -> list[tuple[int, int, int]]:
    """``(document, first row, end row)`` of each run of equal numbers in ``documents``."""
    firsts = np.flatnonzero(np.r_[True, documents[1:] != documents[:-1]])
    return list(zip(documents[firsts].tolist(), firsts.tolist(), np.r_[firsts[1:], len(documents)].tolist()))


def _first_per_row(row: np.ndarray, keys: tuple[np.ndarray, ...], count: int) -> np.ndarray:
    """Indices of the ``count`` first entries of each row when the entries of a row are ordered
    by ``keys`` (the last key first, as :func:`numpy.lexsort` takes them)."""
    order = np.lexsort((*keys, row))
    ordered = row[order]
    return order[np.arange(len(order)) - np.searchsorted(ordered, ordered) < count]


def _cosines(rows, parents, lookup: np.ndarray) -> np.ndarray:
    """Dense cosines of child ``rows`` with ``parents`` (both CSR, n-grams as columns), computed
    over the n-grams of ``rows`` only, so that the cost does not grow with the vocabulary.

    ``lookup`` is a scratch array of one int per n-gram, all -1, which is left as it was found.
    """
    from scipy import sparse

    used = np.unique(rows.indices)
    lookup[used] = np.arange(len(used))
    try:
        children = sparse.csr_matrix((rows.data, lookup[rows.indices], rows.indptr), shape=(rows.shape[0], len(used)))
        position = lookup[parents.indices]
    finally:
        lookup[used] = -1
    kept = position >= 0
    parent_of = np.repeat(np.arange(parents.shape[0]), np.diff(parents.indptr))
    indptr = np.r_[0, np.cumsum(np.bincount(parent_of[kept], minlength=parents.shape[0]))]
    narrowed = sparse.csr_matrix((parents.data[kept], position[kept], indptr), shape=(parents.shape[0], len(used)))
    return (children @ narrowed.T).toarray()
