"""Link quality against the hand-checked gold families, each held out in turn.

Fifteen families (benchmarks/families.py, sixteen child → parent pairs): for each family the
pair classifier is trained on the other fourteen (benchmarks/train_linker.py) and scores the
held-out family's pairs; the linker is fitted on the parent's articles and links the child's
articles. With ``--held-out 1`` or ``2``: a round of families made later by other readers, scored
by the model trained on the families before it (each round measured once before it joined the
training).
Side by side: a plain TF-IDF cosine (character 2–4-grams, the parent's articles as corpus) that
links each child article to its most similar parent article when the cosine reaches one fixed
threshold, the same for every family (the threshold with the best top-1 F1 over all scored
families together: the most favourable single threshold for the plain method).

Figures per pair and overall (micro, all pairs' articles together):

- top-1 P/R/F1: the top link of each verbatim or adapted article is correct when it is the
  gold's best parent; any link on a gold 'none' (local) article is a false positive; topical
  articles are left out (the gold does not decide whether they are links);
- set F1: the predicted strong links (every link labelled verbatim or adapted, up to three per
  article) against the gold's strong links (every parent listed for a verbatim or adapted
  article, several per article included);
- relation: the share of correct top-1 links (the top link is one of the gold's parents, any
  relation) whose predicted relation is the gold's;
- recall@3: the share of verbatim or adapted articles whose gold best parent is among the links;
- local: the share of 'none' articles left without a link (as accurate as a link: the aim is
  that it matches the top-1 precision).

    python benchmarks/link_quality.py            # leave one family out; the table at the end
    python benchmarks/link_quality.py --shipped  # the shipped model (trained on every family)
    python benchmarks/link_quality.py --held-out 2  # the families before round 2 → round 2
    python benchmarks/link_quality.py --end-to-end  # each pair's two files read together in one
                                                    # run, parents found by guanche
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.families import FAMILIES, ROUNDS, Pair, articles, gold_table
from benchmarks.train_linker import train, training_table
from pipeline.api import read_corpus
from pipeline.cascade.linker import DirectiveLinker
from pipeline.config import Settings
from pipeline.document.manifest import Manifest

STRONG = ("verbatim", "adapted")


def predictions(linker: DirectiveLinker, pair: Pair) -> pd.DataFrame:
    """The pair's gold with, per child article, its linked parent articles (best first) and
    their relations: the linker fitted on the parent's articles, linking the child's."""
    child, parent = articles(pair.child, pair.child_level), articles(pair.parent, pair.parent_level)
    numbers = dict(zip(parent["task_id"], parent["number"])) | dict(zip(child["task_id"], child["number"]))
    return _with_links(gold_table(pair), linker.fit(parent).link(child), numbers)


def end_to_end_predictions(model: str | None, pair: Pair) -> pd.DataFrame:
    """Like :func:`predictions`, as an analyst runs it: the pair's two files read together,
    parents found by guanche (no manifest), the cascade stage's links from the child to the
    parent (``model``: the pair model's path, None for the shipped one). Links to the parent's
    section lead text count as links to another parent directive than the gold's."""
    settings = Settings(linker={"model": model} if model else {})
    corpus, _ = read_corpus(
        [pair.child, pair.parent],
        manifest=Manifest(),
        stages=("structure", "commitments", "cascade"),
        settings=settings,
    )
    documents, tasks, links = (corpus.tables[name] for name in ("documents", "tasks", "links"))
    ids = {Path(path).name: doc_id for path, doc_id in zip(documents["source_path"], documents["doc_id"])}
    links = links[(links["child_doc_id"] == ids[pair.child.name]) & (links["parent_doc_id"] == ids[pair.parent.name])]
    return _with_links(gold_table(pair), links, dict(zip(tasks["task_id"], tasks["number"])))


def _with_links(gold: pd.DataFrame, links: pd.DataFrame, numbers: dict[str, str]) -> pd.DataFrame:
    """``gold`` with columns linked (parent article numbers, best first) and predicted (their
    relations) from a links table; ``numbers`` gives the article number of each task id."""
    links = links.assign(
        parent_article=links["parent_task_id"].map(numbers).fillna(links["parent_task_id"]),
        child_article=links["child_task_id"].map(numbers),
    )
    grouped = links.sort_values("rank").groupby("child_article")
    linked = grouped["parent_article"].agg(list)
    relations = grouped["relation"].agg(list)
    gold["linked"] = [linked.get(article, []) for article in gold["child_article"]]
    gold["predicted"] = [relations.get(article, []) for article in gold["child_article"]]
    return gold


def cosine_predictions(pair: Pair, threshold: float) -> pd.DataFrame:
    """Like :func:`predictions` for the plain TF-IDF cosine: the most similar parent article
    when its cosine reaches ``threshold``, relation 'adapted' (it names none)."""
    gold = gold_table(pair)
    best = _best_cosines(pair)
    gold["linked"] = [[article] if cosine >= threshold else [] for article, cosine in best]
    gold["predicted"] = [["adapted"] if cosine >= threshold else [] for _, cosine in best]
    return gold


def _best_cosines(pair: Pair) -> list[tuple[str, float]]:
    """Per gold child article, in order: the most similar parent article and its cosine."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    child, parent = articles(pair.child, pair.child_level), articles(pair.parent, pair.parent_level)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True)
    parent_rows = vectorizer.fit_transform(parent["text"])
    cosines = (vectorizer.transform(child["text"]) @ parent_rows.T).toarray()
    best = dict(zip(child["number"], zip(parent["number"].to_numpy()[cosines.argmax(axis=1)], cosines.max(axis=1))))
    return [best[article] for article in gold_table(pair)["child_article"]]


def figures(table: pd.DataFrame) -> dict[str, float]:
    """Top-1 P/R/F1, set F1, relation accuracy, recall@3 and local accuracy of a predictions
    table (see the module docstring)."""
    strong = table["relation"].isin(STRONG)
    local = table["relation"] == "none"
    top = table["linked"].map(lambda linked: linked[0] if linked else None)
    best = table["parents"].map(lambda parents: parents[0] if parents else None)
    correct = strong & top.notna() & (top == best)
    tp = int(correct.sum())
    fp = int((strong & top.notna() & ~correct).sum() + (local & top.notna()).sum())
    fn = int((strong & ~correct).sum())
    gold_set = {(a, p) for a, ps, s in zip(table["child_article"], table["parents"], strong) if s for p in ps}
    predicted_set = {
        (a, p)
        for a, linked, relations in zip(table["child_article"], table["linked"], table["predicted"])
        for p, r in zip(linked, relations)
        if r in STRONG
    }
    any_parent = top.notna() & np.array([t in ps for t, ps in zip(top, table["parents"])])
    first_relation = table["predicted"].map(lambda relations: relations[0] if relations else None)
    return {
        "P": tp / (tp + fp) if tp + fp else 0.0,
        "R": tp / (tp + fn) if tp + fn else 0.0,
        "F1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "set F1": _f1(predicted_set, gold_set),
        "relation": float((first_relation[any_parent] == table["relation"][any_parent]).mean()),
        "recall@3": float(np.mean([b in linked[:3] for b, linked in zip(best[strong], table["linked"][strong])])),
        "local": float((table["linked"][local].str.len() == 0).mean()) if local.any() else float("nan"),
    }


def _f1(predicted: set, gold: set) -> float:
    both = len(predicted & gold)
    return 2 * both / (len(predicted) + len(gold)) if both else 0.0


def cosine_threshold(pairs: dict[str, Pair]) -> float:
    """The single cosine threshold with the best pooled top-1 F1 over ``pairs`` (by name)."""
    best_cosines = {name: _best_cosines(pair) for name, pair in pairs.items()}
    best = (-1.0, 0.0)
    for threshold in np.round(np.arange(0.05, 0.8, 0.01), 2):
        tables = []
        for name, pair in pairs.items():
            gold = gold_table(pair)
            gold["linked"] = [[a] if c >= threshold else [] for a, c in best_cosines[name]]
            gold["predicted"] = [["adapted"] if c >= threshold else [] for _, c in best_cosines[name]]
            tables.append(gold)
        f1 = figures(pd.concat(tables, ignore_index=True))["F1"]
        if f1 > best[0] + 1e-9:
            best = (f1, float(threshold))
    return best[1]


def held_out_predictions(
    end_to_end: bool, training: dict[str, tuple[Pair, ...]], scored: dict[str, tuple[Pair, ...]]
) -> dict[str, pd.DataFrame]:
    """Per pair of the ``scored`` families: the predictions of a model trained on the
    ``training`` families other than the pair's own."""
    table = training_table(list(training))
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for family, pairs in scored.items():
            path = Path(folder) / f"{family}.json"
            path.write_text(json.dumps(train(table[table["family"] != family]).to_json()), encoding="utf-8")
            for pair in pairs:
                results[pair.name] = (
                    end_to_end_predictions(str(path), pair)
                    if end_to_end
                    else predictions(DirectiveLinker(model=str(path)), pair)
                )
    return results


def report(linked: dict[str, pd.DataFrame], plain: dict[str, pd.DataFrame], threshold: float) -> pd.DataFrame:
    """The table of figures per pair and overall, learned linker beside the plain cosine."""
    rows = []
    for name in [*linked, "overall"]:
        ours = figures(pd.concat(linked.values(), ignore_index=True) if name == "overall" else linked[name])
        theirs = figures(pd.concat(plain.values(), ignore_index=True) if name == "overall" else plain[name])
        rows.append(
            {
                "pair": name,
                **{k: round(v, 3) for k, v in ours.items()},
                f"cosine@{threshold:.2f} F1": round(theirs["F1"], 3),
                "cosine set F1": round(theirs["set F1"], 3),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipped", action="store_true", help="the shipped model instead of leave-one-family-out")
    parser.add_argument(
        "--held-out",
        type=int,
        choices=range(1, len(ROUNDS) + 1),
        metavar="ROUND",
        help="a round of held-out families (benchmarks/families.py.ROUNDS): trained on the families before it, "
        "scored on its own",
    )
    parser.add_argument(
        "--end-to-end", action="store_true", help="each pair's two files read together, parents found by guanche"
    )
    args = parser.parse_args()
    training, held_out = ROUNDS[args.held_out - 1] if args.held_out else (FAMILIES, FAMILIES)
    scored = {pair.name: pair for pairs in held_out.values() for pair in pairs}
    threshold = cosine_threshold(scored)
    if args.shipped:
        linked = {
            name: end_to_end_predictions(None, pair) if args.end_to_end else predictions(DirectiveLinker(), pair)
            for name, pair in scored.items()
        }
        title = "shipped model (trained on every family)"
    else:
        linked = held_out_predictions(args.end_to_end, training, held_out)
        title = f"held-out round {args.held_out}" if args.held_out else "leave one family out"
    plain = {name: cosine_predictions(pair, threshold) for name, pair in scored.items()}
    table = report(linked, plain, threshold)
    print(title + (", end to end (parents found by guanche)" if args.end_to_end else "") + ":")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
