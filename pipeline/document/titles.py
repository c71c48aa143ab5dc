"""Which document of a run a title or document number names: cited titles (the commitments
stage) and the parents a manifest or a basis clause names (the parents table)."""

from __future__ import annotations

import re

import pandas as pd

from extractors.citations import handed_on, number_key, title_key

_TRANSMITTED_TITLE = re.compile(r"关于(?:印发|转发|发布|颁布)(?P<title>.+?)的通知$")
_BARE_REGION = re.compile(r"^(?:本)?(?P<level>自治区|省|市|州|盟|县|旗)(?P<rest>.+)$")
_NATIONAL = "国家"


class TitleIndex:
    """Finds the document of a run that a cited title (or document number) names.

    Built from a documents table (doc_id, title, doc_number). A title matches a document when
    their :func:`~extractors.citations.title_key` agree (中华人民共和国, revision notes, brackets
    and 〈〉 do not matter), also against the titles a transmittal notice hands on (关于印发《X》的
    通知 → X; :func:`~extractors.citations.handed_on`), but not against a title quoted in another
    kind of title: 山东省实施《道路交通安全法》办法 does not answer to 《道路交通安全法》, even when
    the law is not among the inputs. Failing that: the document number; a title with a bare
    level prefix as written inside a region (自治区失信责任追究办法) matches the one document whose title is that region's
    (内蒙古自治区失信责任追究办法); a leading 国家 is ignored. Several documents with the same
    title resolve to the first doc_id, and a document's own title wins over a title a notice
    hands on. Parameters are stored as given.
    """

    def __init__(self, documents: pd.DataFrame):
        self.documents = documents
        self._by_key: dict[str, list[str]] = {}
        self._by_number: dict[str, list[str]] = {}
        ordered = documents.sort_values("doc_id")
        for row in ordered.itertuples():  # own titles first: they win over a title quoted in one
            self._add(title_key(row.title or ""), row.doc_id)
        for row in ordered.itertuples():
            title = row.title or ""
            transmitted = _TRANSMITTED_TITLE.search(title_key(title))
            keys = handed_on(title) | ({transmitted.group("title")} if transmitted else set())
            for key in sorted(keys):
                self._add(key, row.doc_id)
            number = getattr(row, "doc_number", "") or ""
            if number:
                self._by_number.setdefault(number_key(number), []).append(row.doc_id)

    def _add(self, key: str, doc_id: str) -> None:
        """Let ``key`` name ``doc_id`` (after the documents it already names)."""
        if key and doc_id not in self._by_key.get(key, []):
            self._by_key.setdefault(key, []).append(doc_id)

    def resolve(self, title: str, *, doc_number: str = "") -> str | None:
        """The doc_id the citation names, or None when no document of the run matches."""
        key = title_key(title) if title else ""
        if key in self._by_key:
            return self._by_key[key][0]
        if doc_number and number_key(doc_number) in self._by_number:
            return self._by_number[number_key(doc_number)][0]
        if not key:
            return None
        bare = _BARE_REGION.match(key)
        if bare:
            matches = {
                doc_id
                for candidate, doc_ids in self._by_key.items()
                if candidate.endswith(bare.group("level") + bare.group("rest"))
                and len(candidate) > len(bare.group("level") + bare.group("rest"))
                for doc_id in doc_ids
            }
            if len(matches) == 1:
                return matches.pop()
        plain = key.removeprefix(_NATIONAL)
        for candidate in (plain, _NATIONAL + plain):
            if candidate != key and candidate in self._by_key:
                return self._by_key[candidate][0]
        return None
