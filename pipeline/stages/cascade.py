"""The cascade stage: each document's parents, links from its tasks to their directives, and the
coverage of those directives (:mod:`pipeline.cascade`)."""

from __future__ import annotations

import pandas as pd

from pipeline.cascade.directives import linked_and_covered
from pipeline.cascade.linker import DirectiveLinker
from pipeline.cascade.parents import parent_relations
from pipeline.config import Settings
from pipeline.stages.corpus import Corpus, DocumentRows
from pipeline.stages.workers import ordered_map


def cascade_tables(corpus: Corpus, rows: DocumentRows, settings: Settings) -> dict[str, pd.DataFrame]:
    """Stage: parents, links, coverage, coverage_sections, coverage_documents, local_additions.

    Reads the documents, sections and tasks tables (and citations, when a citation stage ran);
    the linker takes ``settings.linker`` as its parameters. The documents with the same parents
    are linked as a group, the groups in ``corpus.workers`` when there are workers (each on
    one thread there). ``rows`` is not used (no per-document part).
    """
    documents, sections, tasks = (corpus.tables[name] for name in ("documents", "sections", "tasks"))
    parents = parent_relations(documents, corpus.declared_parents, corpus.tables.get("citations"))
    pairs = parents.loc[parents["found"].astype(bool), ["child_doc_id", "parent_doc_id"]].drop_duplicates()
    workers = corpus.workers
    params = dict(settings.linker)
    if workers is not None:
        params["n_jobs"] = 1  # a group is one worker's share: its similarity search on one thread
    tables = linked_and_covered(
        pairs,
        tasks,
        tasks,
        sections,
        DirectiveLinker(**params),
        mapper=lambda fn, calls: ordered_map(workers, fn, calls),
    )
    return {"parents": parents, **tables}
