"""Rankers of coarse narratives compared on what bounds any assertion rule, by 5-fold cross-validation.

    python benchmarks/narrative_rankers.py ../shared/data/semeval2025-task10/train
    python benchmarks/narrative_rankers.py ../shared/data/semeval2025-task10/train --only ridge,stack

An assertion rule can only cut a ranking: it shows the (article, narrative) pairs above a threshold. So each
ranker scores every coarse narrative of every held-out article (all labels, not only the task decoding's picks),
and two figures per language are printed:
- "best P at R .40": the highest precision any threshold reaches at recall 0.40 or more, the threshold chosen
  on the held-out pairs themselves (an upper bound of what any rule can do with this ranking);
- "honest P / R": one threshold per language chosen, inside each training fold, on the ranker's out-of-fold
  scores of an inner 3-fold split (the lowest at which that language's pairs were right >= 0.75 of the time,
  over >= 10 pairs), then applied to the held-out fold — what a rule fitted like the shipped one would show.
The target of the narratives page is precision 0.75 at recall 0.40 in every language. All rankers: 27 minutes
(17 of CPU) on a shared 2-core machine at load average 5-11, the logistic regression on TF-IDF a third of it;
`--only` picks some.

Folds are the ones of `narratives_shown.py` (stratified by language, seed 0); the TF-IDF vocabulary is fitted on
each training fold. Recall counts every gold narrative of the language's articles (`Other` left out). Prints
numbers; not a test.
"""

from __future__ import annotations

import argparse
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from narrascope.datasets.examples import load_narrative_examples
from narrascope.learn.linear import TextFeaturizer
from narrascope.learn.word_vectors import embed
from narrascope.narratives.evaluate import model_text
from narrascope.narratives.model import PROFILES, domains_of
from narrascope.narratives.thresholds import LabelSpace

TARGET_PRECISION, TARGET_RECALL = 0.75, 0.40


@dataclass
class Data:
    """Every document's targets and language, the cheap dense views, and the label space."""

    Y: np.ndarray  # documents x (domains + narratives + subnarratives), 0/1
    languages: np.ndarray
    onehot: np.ndarray  # documents x languages
    vectors: np.ndarray  # static multilingual word vectors pooled over the article, and over its title
    names: np.ndarray  # narratives x dims: the static vector of each narrative's name and its subnarratives' names
    label_domain: np.ndarray  # each narrative's domain column
    nd: int
    nn: int
    e5: np.ndarray | None = (
        None  # multilingual e5 over the article's first chunks (`--e5`), L2-normalised; None without
    )


@dataclass
class Part:
    """A set of documents as one fold sees them: row indices and TF-IDF rows (the fold's vocabulary)."""

    rows: np.ndarray
    X: sp.csr_matrix


Ranker = Callable[[Data, Part, Part], np.ndarray]  # (data, train, test) -> test documents x narratives


def kernel_ridge(data: Data, train: Part, test: Part, *, alpha: float = 0.3, balanced: bool = True,
                 same_language: float = 0.0) -> np.ndarray:  # fmt: skip
    """The shipped scorer (`learn.linear.fit_dual_ridge`) in kernel form; `same_language` > 0 adds a copy of the
    features per language (the kernel of two articles of one language counts 1 + that)."""
    Ktr = (train.X @ train.X.T).toarray() + 1.0
    Kte = (test.X @ train.X.T).toarray() + 1.0
    if same_language:
        lt, ls = data.languages[train.rows], data.languages[test.rows]
        Ktr = Ktr + same_language * (Ktr - 1.0) * (lt[:, None] == lt[None, :])
        Kte = Kte + same_language * (Kte - 1.0) * (ls[:, None] == lt[None, :])
    Y = data.Y[train.rows][:, : data.nd + data.nn]
    n, A = len(train.rows), np.zeros(Y.shape)
    for j in range(Y.shape[1]):
        weights, positive = np.ones(n), Y[:, j] > 0
        if balanced and 0 < positive.sum() < n:
            weights[positive] = n / (2.0 * positive.sum())
            weights[~positive] = n / (2.0 * (~positive).sum())
        A[:, j] = np.linalg.solve(Ktr + alpha * np.diag(1.0 / weights), np.where(Y[:, j] > 0, 1.0, -1.0))
    scores: np.ndarray = Kte @ A
    return scores


def e5_ridge(data: Data, train: Part, test: Part, *, weight: float = 1.0) -> np.ndarray:
    """The shipped ridge with e5's article vectors added to its kernel (`weight` x their cosine)."""
    assert data.e5 is not None
    E = data.e5
    extra = Part(train.rows, sp.hstack([train.X, sp.csr_matrix(np.sqrt(weight) * E[train.rows])], format="csr"))
    other = Part(test.rows, sp.hstack([test.X, sp.csr_matrix(np.sqrt(weight) * E[test.rows])], format="csr"))
    return narratives_of(kernel_ridge(data, extra, other), data)


def e5_vectors(data: Data, part: Part) -> np.ndarray:
    assert data.e5 is not None
    return np.hstack([data.e5[part.rows], data.onehot[part.rows]])


def e5_chunks(text: str, size: int = 600, most: int = 4) -> list[str]:
    """The article's first `most` pieces of about `size` characters, cut after a sentence or a line."""
    out, current = [], ""
    for piece in re.split(r"(?<=[.!?\n])\s+", text):
        if current and len(current) + len(piece) > size:
            out.append(current)
            current = ""
            if len(out) == most:
                break
        current = (current + " " + piece).strip()[: size * 2]
    if current and len(out) < most:
        out.append(current)
    return out or [text[:size]]


def e5_articles(texts: list[str], cache: str | None) -> np.ndarray:
    """Each article's e5 vector: the mean of its first chunks' passage vectors, L2-normalised (about 0.5 s an
    article on one core); read from / written to `cache` (.npy) when given."""
    if cache and Path(cache).is_file():
        kept: np.ndarray = np.load(cache)
        return kept
    from narrascope.learn.encoder import DIMENSIONS, sentence_encoder

    encoder, vectors = sentence_encoder(), np.zeros((len(texts), DIMENSIONS), np.float32)
    for i, text in enumerate(texts):
        v = encoder.encode(e5_chunks(text)).mean(axis=0)
        vectors[i] = v / (np.linalg.norm(v) + 1e-9)
    if cache:
        np.save(cache, vectors)
    return vectors


def narratives_of(full: np.ndarray, data: Data) -> np.ndarray:
    return full[:, data.nd : data.nd + data.nn]


def logistic(features: Callable[[Data, Part], sp.csr_matrix | np.ndarray], C: float) -> Ranker:
    def rank(data: Data, train: Part, test: Part) -> np.ndarray:
        Xa, Xb = features(data, train), features(data, test)
        Y = narratives_of(data.Y[train.rows], data)
        out = np.full((len(test.rows), data.nn), -10.0)
        for j in range(data.nn):
            if Y[:, j].sum() >= 2:
                model = LogisticRegression(C=C, max_iter=3000, solver="liblinear").fit(Xa, Y[:, j] > 0)
                out[:, j] = model.decision_function(Xb)
        return out

    return rank


def tfidf(data: Data, part: Part) -> sp.csr_matrix:
    return part.X


def static_vectors(data: Data, part: Part) -> np.ndarray:
    return np.hstack([data.vectors[part.rows], data.onehot[part.rows]])


def knn(data: Data, train: Part, test: Part, k: int = 10, power: float = 4.0) -> np.ndarray:
    """The labels of the k most similar training articles (TF-IDF cosine), weighted by similarity^power."""
    similarity = (test.X @ train.X.T).toarray() / 2.0  # two L2-normalised blocks
    nearest = np.argsort(-similarity, axis=1)[:, :k]
    weight = np.take_along_axis(similarity, nearest, axis=1) ** power
    Y = narratives_of(data.Y[train.rows], data)
    votes: np.ndarray = np.einsum("ik,ikj->ij", weight, Y[nearest]) / (weight.sum(axis=1, keepdims=True) + 1e-9)
    return votes


def pair_features(data: Data, part: Part, ridge_full: np.ndarray, near: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """One row per (article, narrative): the ridge score, its rank and gap to the article's best, the label's
    domain's softmax share and whether it won, the kNN vote, the language's base rate of the label, the article's
    similarity to the label's name, the label and the language as one-hot columns."""
    nd, nn = data.nd, data.nn
    domains, scores = ridge_full[:, :nd], ridge_full[:, nd : nd + nn]
    domain_of_label = data.label_domain
    share = np.exp(3 * domains)
    share /= share.sum(axis=1, keepdims=True)
    won = (domains.argmax(axis=1)[:, None] == domain_of_label[None, :]).astype(float)
    rank = np.argsort(np.argsort(-scores, axis=1), axis=1).astype(float)
    name = data.vectors[part.rows, : data.names.shape[1]] @ data.names.T
    columns = [scores, rank, scores - scores.max(axis=1, keepdims=True), share[:, domain_of_label], won, near,
               prior, name]  # fmt: skip
    n = len(part.rows)
    dense = np.stack(columns, axis=-1)
    label = np.broadcast_to(np.eye(nn)[None], (n, nn, nn))
    language = np.broadcast_to(data.onehot[part.rows][:, None, :], (n, nn, data.onehot.shape[1]))
    return np.concatenate([dense, label, language], axis=-1).reshape(n * nn, -1)


def stacked(data: Data, train: Part, test: Part) -> np.ndarray:
    """A logistic regression over `pair_features`, fitted on the out-of-fold ridge and kNN scores of an inner
    3-fold split of the training documents."""
    inner_ridge = np.zeros((len(train.rows), data.nd + data.nn))
    inner_near = np.zeros((len(train.rows), data.nn))
    for a, b in KFold(3, shuffle=True, random_state=0).split(train.rows):
        pa, pb = Part(train.rows[a], train.X[a]), Part(train.rows[b], train.X[b])
        inner_ridge[b], inner_near[b] = kernel_ridge(data, pa, pb), knn(data, pa, pb)
    languages = data.languages[train.rows]
    base = {lang: narratives_of(data.Y[train.rows][languages == lang], data).mean(axis=0) for lang in set(languages)}
    mean_rate = narratives_of(data.Y[train.rows], data).mean(axis=0)

    def prior(part: Part) -> np.ndarray:
        return np.array([base.get(lang, mean_rate) for lang in data.languages[part.rows]])

    Fa = pair_features(data, train, inner_ridge, inner_near, prior(train))
    Fb = pair_features(data, test, kernel_ridge(data, train, test), knn(data, train, test), prior(test))
    ya = narratives_of(data.Y[train.rows], data).reshape(-1) > 0
    mean, scale = Fa.mean(axis=0), Fa.std(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, max_iter=3000).fit((Fa - mean) / scale, ya)
    scores: np.ndarray = model.decision_function((Fb - mean) / scale).reshape(len(test.rows), data.nn)
    return scores


def global_rank(scores: np.ndarray) -> np.ndarray:
    """Ranks over all pairs (not per label): keeps the ordering across labels that precision depends on."""
    ranks: np.ndarray = rankdata(scores.ravel()).reshape(scores.shape) / scores.size
    return ranks


def ridge_and_stack(data: Data, train: Part, test: Part) -> np.ndarray:
    ridge = narratives_of(kernel_ridge(data, train, test), data)
    return 0.7 * global_rank(ridge) + 0.3 * global_rank(stacked(data, train, test))


RANKERS: dict[str, tuple[str, Ranker]] = {
    "ridge": ("ridge, TF-IDF transliterated, alpha 0.3, balanced (shipped)",
              lambda d, a, b: narratives_of(kernel_ridge(d, a, b), d)),
    "ridge-unbalanced": ("ridge, unbalanced", lambda d, a, b: narratives_of(kernel_ridge(d, a, b, balanced=False), d)),
    "ridge-alpha1": ("ridge, alpha 1", lambda d, a, b: narratives_of(kernel_ridge(d, a, b, alpha=1.0), d)),
    "ridge-language": ("ridge + a copy of the features per language (x0.5)",
                       lambda d, a, b: narratives_of(kernel_ridge(d, a, b, same_language=0.5), d)),
    "logistic-tfidf": ("logistic one-vs-rest per label, TF-IDF, C 10", logistic(tfidf, 10.0)),
    "logistic-vectors": ("logistic one-vs-rest, static word vectors + language, C 3", logistic(static_vectors, 3.0)),
    "knn": ("10 nearest training articles (TF-IDF cosine)", knn),
    "logistic-e5": ("logistic one-vs-rest, e5 article vectors + language, C 3 (--e5)", logistic(e5_vectors, 3.0)),
    "ridge+e5": ("ridge over TF-IDF and e5 article vectors in one kernel (--e5)", e5_ridge),
    "ridge+e5x3": ("the same, e5's cosine weighted 3", lambda d, a, b: e5_ridge(d, a, b, weight=3.0)),
    "ridge+e5x10": ("the same, e5's cosine weighted 10", lambda d, a, b: e5_ridge(d, a, b, weight=10.0)),
    "stack": ("stacked: ridge, rank, gap, domain, kNN, base rate, label name, label, language", stacked),
    "ridge+stack": ("0.7 ridge + 0.3 stacked (ranks over all pairs)", ridge_and_stack),
}  # fmt: skip


def best_precision(scores: np.ndarray, gold: np.ndarray, recall: float = TARGET_RECALL) -> float | None:
    order = np.argsort(-scores, kind="stable")
    right = np.cumsum(gold[order])
    reached = right / max(gold.sum(), 1) >= recall
    return float((right / np.arange(1, len(right) + 1))[reached].max()) if reached.any() else None


def threshold_for(scores: np.ndarray, gold: np.ndarray, precision: float = TARGET_PRECISION, least: int = 10) -> float:
    """`learn.calibration.threshold_for_precision` on raw scores (any range, not probabilities): the lowest
    score whose pairs at or above it are right `precision` of the time; infinity (show nothing) when none is."""
    order = np.argsort(-scores, kind="stable")
    running = np.cumsum(gold[order]) / np.arange(1, len(order) + 1)
    ok = [k for k in range(least - 1, len(order)) if running[k] >= precision]
    return float(scores[order][max(ok)]) if ok else float("inf")


def evaluate(name: str, ranker: Ranker, data: Data, folds: list[tuple[Part, Part]]) -> None:
    gold = narratives_of(data.Y, data) > 0
    scores, shown = np.zeros(gold.shape), np.zeros(gold.shape, bool)
    for train, test in folds:
        scores[test.rows] = ranker(data, train, test)
        inner = np.zeros((len(train.rows), data.nn))
        for a, b in KFold(3, shuffle=True, random_state=1).split(train.rows):
            inner[b] = ranker(data, Part(train.rows[a], train.X[a]), Part(train.rows[b], train.X[b]))
        for language in np.unique(data.languages):
            mine = data.languages[train.rows] == language
            cut = threshold_for(inner[mine].ravel(), gold[train.rows][mine].ravel())
            rows = test.rows[data.languages[test.rows] == language]
            shown[rows] = scores[rows] >= cut
    cells = []
    for language in np.unique(data.languages):
        mine = data.languages == language
        best = best_precision(scores[mine].ravel(), gold[mine].ravel())
        right = int((shown[mine] & gold[mine]).sum())
        p, r = right / max(int(shown[mine].sum()), 1), right / max(int(gold[mine].sum()), 1)
        cells.append(f"{'-' if best is None else f'{best:.3f}':>5} {p:.2f}/{r:.2f}")
    print(f"{name:<18} " + "  ".join(cells), flush=True)


def load(folders: list[str], e5: str | None = None) -> tuple[Data, list[tuple[Part, Part]], list[str]]:
    examples = load_narrative_examples(folders)
    texts = [model_text(e.raw_text) for e in examples]
    narratives = [e.narratives for e in examples]
    labels = LabelSpace.build(narratives, [e.subnarratives for e in examples], domains=domains_of(narratives))
    languages = np.array([e.language for e in examples])
    codes = sorted(set(languages.tolist()))
    names = []
    for n in labels.narratives:
        children = [s.split(": ", 2)[-1] for s in labels.subnarratives if labels.parent[s] == n]
        names.append(n.split(": ", 1)[-1] + ". " + ". ".join(c for c in children if c != "Other"))
    titles = [t.lstrip().split("\n", 1)[0] for t in texts]
    data = Data(
        labels.targets(narratives, [e.subnarratives for e in examples]),
        languages,
        np.array([[lang == c for c in codes] for lang in languages], np.float64),
        np.hstack([embed(texts), 0.5 * embed(titles)]),
        embed(names),
        np.array([labels.domains.index(n.split(": ", 1)[0]) for n in labels.narratives]),
        len(labels.domains),
        len(labels.narratives),
        e5_articles(texts, None if e5 == "compute" else e5) if e5 else None,
    )
    folds = []
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for train, test in splitter.split(np.zeros(len(texts)), languages):
        featurizer = TextFeaturizer(PROFILES["accurate"].features)
        Xa = featurizer.fit_transform([texts[i] for i in train])
        folds.append((Part(train, Xa), Part(test, featurizer.transform([texts[i] for i in test]))))
    return data, folds, codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    parser.add_argument("--only", help=f"comma-separated rankers (of {', '.join(RANKERS)})")
    parser.add_argument(
        "--e5",
        metavar="NPY",
        help="e5 article vectors for the e5 rankers: a .npy read if it exists, "
        "else computed (about 0.5 s an article) and written there; 'compute' computes without keeping",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    chosen = args.only.split(",") if args.only else [k for k in RANKERS if args.e5 or "e5" not in k]
    data, folds, codes = load(args.data, args.e5)
    print("best P at R .40 (threshold chosen on the held-out pairs), honest P/R (threshold chosen inside the fold)")
    print(f"{'ranker':<18} " + "  ".join(f"{c.upper():>5} {'P/R':>9}" for c in codes))
    for key in chosen:
        evaluate(key, RANKERS[key][1], data, folds)
    print()
    for key in chosen:
        print(f"{key:<18} {RANKERS[key][0]}")


if __name__ == "__main__":
    main()
