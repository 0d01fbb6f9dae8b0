"""Speed of the analysis pipeline on a folder of articles: load time, articles per second, peak memory.

    python benchmarks/speed.py ../shared/data/semeval2025-task10/unlabeled/EN/subtask-2-documents
    python benchmarks/speed.py DOCS --components cleaning,language,sentences,narratives

Prints numbers; it is not a timed test. Each component's own time per article is measured by running the
pipeline one component at a time over the whole batch.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from narrascope.analysis import Analysis
from narrascope.ingest.readers import read_paths
from narrascope.pipeline import DEFAULT_COMPONENTS, load_pipeline


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docs", type=Path, help="folder of articles (or a SemEval documents folder)")
    parser.add_argument("--components", default=",".join(DEFAULT_COMPONENTS))
    parser.add_argument("--narrative-model", default=None, help="narrative model folder (default: the shipped one)")
    parser.add_argument("--limit", type=int, default=0, help="use at most this many articles (0: all)")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the batch (after one warm-up article)")
    args = parser.parse_args()

    articles = [r.article for r in read_paths([str(args.docs)]) if r.article is not None]
    if args.limit:
        articles = articles[: args.limit]
    chars = statistics.mean(len(a.raw_text) for a in articles)
    print(f"articles: {len(articles)} (mean {chars:.0f} characters)   rss before load: {peak_rss_mb():.0f} MB")

    names = [n.strip() for n in args.components.split(",") if n.strip()]
    options = {"narrative_model": args.narrative_model} if args.narrative_model else {}
    started = time.perf_counter()
    pipeline = load_pipeline(names, **options)
    pipeline(articles[0])  # warm-up: lazy model parts load on first use
    load_seconds = time.perf_counter() - started
    print(f"load (incl. one warm-up article): {load_seconds:.2f} s   rss: {peak_rss_mb():.0f} MB")

    per_component = dict.fromkeys(pipeline.names, 0.0)
    total = 0.0
    for _ in range(args.repeat):
        batch = [Analysis(a) for a in articles]
        for component in pipeline.components:
            t0 = time.perf_counter()
            batch = list(component.pipe(batch))
            elapsed = time.perf_counter() - t0
            per_component[component.name] += elapsed
            total += elapsed
    n = len(articles) * args.repeat
    print(f"pipeline: {n / total:.1f} articles/s   ({1000 * total / n:.1f} ms per article)")
    for name, seconds in per_component.items():
        rate = n / seconds if seconds else float("inf")
        print(f"  {name:<12} {1000 * seconds / n:8.2f} ms per article   {rate:9.1f} articles/s")
    print(f"peak rss: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
