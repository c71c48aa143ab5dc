"""The spaCy pipeline that reads commitments: ``spacy.blank("zh")`` with a jieba tokenizer and
guanche's own components, registered by name:

======================  ===================================================================
``guanche_clauses``     clause splitting (:func:`extractors.obligations.split_clauses`)
``guanche_obligations`` obligation matching (:func:`extractors.obligations.match_obligations`)
``guanche_targets``     targets and deadlines of each obligation (:mod:`extractors.targets`)
``guanche_strength``    commitment strength (:func:`extractors.obligations.commitment_strength`)
``guanche_citations``   cited instruments (:mod:`extractors.citations`)
``guanche_spans``       the results as span groups (left out of the pipeline that builds tables)
======================  ===================================================================

What a text is, and what the components need to know about its document, is set on the Doc
before it runs through the pipeline (see :func:`commitment_doc`):

- ``doc._.guanche_text_kind``: ``"task"`` (a plan task: its heading sentence is skipped), ``"article"``
  (a regulation article: deontic grades), ``"preamble"`` (front matter: citations only, and
  basis clauses) or ``"section"`` (a heading's own body text: citations only);
- ``doc._.guanche_year``: the document's year, for deadlines written without one;
- ``doc._.guanche_continued``: True for a piece of a long text after its first (see
  :func:`commitment_docs`): a task's heading sentence is not in it;
- ``doc._.guanche_own_references`` and ``doc._.guanche_title_aliases``: see :mod:`extractors.citations`.

Results are set as ``doc._.guanche_clauses``, ``doc._.guanche_obligations`` (graded), ``doc._.guanche_targets``
(``(obligation index, Target)`` pairs, offsets in the Doc) and ``doc._.guanche_citations``, and by
``guanche_spans`` as span groups ``doc.spans["obligations"]`` (labelled with the strength),
``"targets"`` and ``"citations"`` for displaCy and spaCy users. No model is downloaded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors.citations import citations
from extractors.obligations import graded, match_obligations, split_clauses
from extractors.targets import targets

rjieba: Any
try:
    import rjieba
except ImportError:  # no wheel for this platform: the Python jieba gives the same tokens, slower
    rjieba = None

TEXT_KINDS = ("task", "article", "preamble", "section")
PIECE_CHARS = 100_000  # characters of one Doc at most: a longer text is cut (see text_pieces)
_LINE_END = re.compile("\n")
_SENTENCE_END = re.compile("[。！？；]")
_UNCLOSED = re.compile(r"[《“‘（(][^《》“”‘’（）()]*\Z")  # a title, quote or parenthesis still open
_CLOSE_LOOKBACK = 200  # characters before a cut searched for one
COMPONENTS = ("guanche_clauses", "guanche_obligations", "guanche_targets", "guanche_strength", "guanche_citations")
SPAN_COMPONENT = "guanche_spans"

_EXTENSIONS: dict[str, object] = {  # Doc._ attributes the components read and set
    "guanche_text_kind": "task",
    "guanche_year": None,
    "guanche_continued": False,
    "guanche_own_references": frozenset(),
    "guanche_title_aliases": None,
    "guanche_clauses": None,
    "guanche_obligations": None,
    "guanche_targets": None,
    "guanche_citations": None,
}
for _name, _default in _EXTENSIONS.items():
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


class JiebaSegmenter:
    """jieba segmentation with a user dictionary, private to one pipeline (user words do not leak
    into the global jieba).

    The compiled jieba (``rjieba``, the jieba-rs binding: the same dictionary and algorithm, much
    faster to load and to run) is used when it is installed, else the Python
    jieba; both give the same tokens (tests/test_nlp.py checks that on the corpus). HMM new-word
    discovery is off: the components match on characters, tokens only carry spans, and the user
    dictionary keeps names such as 旗司法局 whole.
    """

    def __init__(self, user_words: Iterable[str], *, compiled: bool = rjieba is not None):
        self.compiled = compiled
        if compiled:
            self._tokenizer = rjieba.Jieba()
            for word in user_words:
                self._tokenizer.add_word(word, None, None)  # frequency suggested, as jieba does
        else:
            import jieba  # the fallback only: importing it costs a tenth of a second

            jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for analysts
            self._tokenizer = jieba.Tokenizer()
            self._tokenizer.initialize()
            for word in user_words:
                self._tokenizer.add_word(word)

    def cut(self, text: str, cut_all: bool = False) -> list[str]:
        """The words of ``text``, in order (``cut_all`` is accepted for spaCy and ignored)."""
        if self.compiled:
            return self._tokenizer.cut(text, hmm=False)
        return list(self._tokenizer.cut(text, HMM=False))


class JiebaTokenizer:
    """spaCy's tokenizer for guanche: jieba's words as tokens, the Doc's text exactly the input.

    spaCy's own Chinese tokenizer with the jieba segmenter would load the Python jieba
    dictionary (half a second) and re-align words and spaces in Python (a third of extraction
    time); jieba's words, whitespace included, already spell the text.
    """

    def __init__(self, vocab, segmenter: JiebaSegmenter) -> None:
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        """The Doc of ``text``, one token per jieba word."""
        words = [word for word in self.segmenter.cut(text) if word]
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


def _text(doc: Doc) -> str:
    """The Doc's text, computed once (spaCy rebuilds ``doc.text`` from the tokens on every call)."""
    if "guanche_text" not in doc.user_data:
        doc.user_data["guanche_text"] = doc.text
    return doc.user_data["guanche_text"]


# Each component reads ``doc._`` once: every access builds a new accessor object, which cost
# a fifth of extraction time when the components read it attribute by attribute.


def _register(kind: str) -> str:
    return "regulation" if kind == "article" else "plan"


@Language.component("guanche_clauses")
def clause_component(doc: Doc) -> Doc:
    """Split a task or article into clauses (a preamble or section text has none)."""
    ext = doc._
    kind = ext.guanche_text_kind
    ext.guanche_clauses = (
        []
        if kind in ("preamble", "section")
        else split_clauses(_text(doc), skip_heading=kind == "task" and not ext.guanche_continued)
    )
    return doc


@Language.component("guanche_obligations")
def obligation_component(doc: Doc) -> Doc:
    """Group clauses into (ungraded) obligations."""
    ext = doc._
    ext.guanche_obligations = match_obligations(
        _text(doc), ext.guanche_clauses or [], register=_register(ext.guanche_text_kind)
    )
    return doc


@Language.component("guanche_targets")
def target_component(doc: Doc) -> Doc:
    """Find each obligation's targets and deadlines; offsets are in the Doc."""
    ext = doc._
    year = ext.guanche_year
    found = []
    for index, obligation in enumerate(ext.guanche_obligations or []):
        for target in targets(obligation.text, year=year):
            found.append(
                (index, replace(target, start=target.start + obligation.start, end=target.end + obligation.start))
            )
    ext.guanche_targets = found
    return doc


@Language.component("guanche_strength")
def strength_component(doc: Doc) -> Doc:
    """Grade each obligation (a quantified target makes a plan obligation mandatory)."""
    ext = doc._
    register = _register(ext.guanche_text_kind)
    by_obligation: dict[int, list] = {}
    for index, target in ext.guanche_targets or []:
        by_obligation.setdefault(index, []).append(target)
    ext.guanche_obligations = [
        graded(o, register=register, found=by_obligation.get(i, []))
        for i, o in enumerate(ext.guanche_obligations or [])
    ]
    return doc


@Language.component("guanche_citations")
def citation_component(doc: Doc) -> Doc:
    """Find the cited instruments of the text."""
    ext = doc._
    ext.guanche_citations = list(
        citations(
            _text(doc),
            preamble=ext.guanche_text_kind == "preamble",
            own=ext.guanche_own_references,
            aliases=ext.guanche_title_aliases,
        )
    )
    return doc


@Language.component(SPAN_COMPONENT)
def span_component(doc: Doc) -> Doc:
    """Mirror the results as span groups "obligations" (labelled with the strength), "targets"
    and "citations", for displaCy and other spaCy tools."""
    ext = doc._
    groups = {
        "obligations": [(o.start, o.end, o.strength) for o in ext.guanche_obligations or []],
        "targets": [(t.start, t.end, t.kind) for _, t in ext.guanche_targets or []],
        "citations": [(c.start, c.end, c.kind) for c in ext.guanche_citations or []],
    }
    for group, spans in groups.items():
        doc.spans[group] = [
            span
            for start, end, label in spans
            if (span := doc.char_span(start, end, label=label, alignment_mode="expand"))
        ]
    return doc


def build_pipeline(*, user_words: Iterable[str] = (), span_groups: bool = True) -> Language:
    """A new pipeline: blank Chinese with jieba (``user_words`` added to its dictionary) and
    the guanche components in order, then, with
    ``span_groups``, the component that sets ``doc.spans`` (the tables do not need it)."""
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab, JiebaSegmenter(user_words))
    for name in COMPONENTS + ((SPAN_COMPONENT,) if span_groups else ()):
        nlp.add_pipe(name)
    return nlp


@lru_cache(maxsize=4)
def _cached_pipeline(user_words: tuple[str, ...], span_groups: bool) -> Language:
    return build_pipeline(user_words=user_words, span_groups=span_groups)


def get_pipeline(*, user_words: Iterable[str] = (), span_groups: bool = True) -> Language:
    """The pipeline for these user words (see :func:`build_pipeline`), built once and cached."""
    return _cached_pipeline(tuple(sorted(set(user_words))), span_groups)


def commitment_doc(
    nlp: Language,
    text: str,
    *,
    text_kind: str = "task",
    year: int | None = None,
    own_references: frozenset[str] = frozenset(),
    title_aliases: dict[str, str] | None = None,
) -> Doc:
    """A tokenised Doc with its context set, ready for ``nlp.pipe`` or ``nlp(doc)``.

    Raises ValueError for a ``text_kind`` other than task, article or preamble.
    """
    if text_kind not in TEXT_KINDS:
        raise ValueError(f"text_kind must be one of {TEXT_KINDS}, not {text_kind!r}")
    doc = nlp.make_doc(text)
    doc.user_data["guanche_text"] = text
    ext = doc._
    ext.guanche_text_kind = text_kind
    ext.guanche_year = year
    ext.guanche_own_references = own_references
    ext.guanche_title_aliases = title_aliases
    return doc


def _safe_cut(text: str, low: int, high: int) -> int:
    """The last offset in ``(low, high]`` just after a line end, else after a sentence end, that
    no 《…》, “…” or （…） spans; ``high`` when there is none."""
    for boundary in (_LINE_END, _SENTENCE_END):
        for end in reversed([match.end() for match in boundary.finditer(text, low, high)]):
            if not _UNCLOSED.search(text, max(low, end - _CLOSE_LOOKBACK), end):
                return end
    return high


def text_pieces(text: str, *, limit: int = PIECE_CHARS) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, piece)``: ``text`` in pieces of at most ``limit`` characters, in order.

    A text within the limit is one piece. A longer one is cut at the last line end of the
    second half of each stretch, else after a sentence end (。！？；), never inside a title,
    quote or parenthesis: clauses, obligations, targets and citations never cross such a cut, so
    the pieces give the results of the whole. A stretch with neither is cut at ``limit``.
    """
    start = 0
    while len(text) - start > limit:
        cut = _safe_cut(text, start + limit // 2, start + limit)
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def commitment_docs(nlp: Language, text: str, **context: Any) -> Iterator[tuple[int, Doc]]:
    """Yield ``(offset, Doc)`` for each of :func:`text_pieces` of ``text``, ready for
    ``nlp.pipe``: offsets of the Doc's results plus ``offset`` are offsets in ``text``.
    ``context`` is passed to :func:`commitment_doc`; raises ValueError as it does."""
    for offset, piece in text_pieces(text):
        doc = commitment_doc(nlp, piece, **context)
        doc._.guanche_continued = offset > 0
        yield offset, doc
