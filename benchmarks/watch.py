"""Articles per second fetched and analysed by one `watch` round from 8 local hosts, and peak memory.

Starts 8 test web servers (tests/watch_server.py) on 8 ports of 127.0.0.1, each an outlet whose RSS feed
lists N distinct article pages (built from tests/data/web/articles.json with varied sentences), then runs
one round with the default pipeline (per-host delay 0, 2 requests at once per host) into a fresh store.
Prints fetch-only throughput (the pipeline with no components) and fetch+analyse throughput.

    python benchmarks/watch.py [--per-host 12] [--components cleaning,...]
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.watch_server import ARTICLES, serving

from narrascope.pipeline import DEFAULT_COMPONENTS, Pipeline, load_pipeline
from narrascope.sources.fetch import FetchOptions
from narrascope.sources.round import run_round
from narrascope.store.db import Store

HOSTS = 8


def articles_for(host: int, count: int) -> list[dict[str, str]]:
    made = []
    for n in range(count):
        base = ARTICLES[(host + n) % len(ARTICLES)]
        sentences = base["text"].split(". ")
        rotated = sentences[n % len(sentences) :] + sentences[: n % len(sentences)]
        text = ". ".join(rotated) + f" The report was number {n} from desk {host}."
        made.append({**base, "slug": f"h{host}-{n}", "outlet": f"Outlet {host}", "text": text,
                     "title": f"{base['title']} ({host}.{n})", "published": f"2026-12-{1 + n % 3:02d}"})  # fmt: skip
    return made


def one_round(sources: list[str], pipeline: Pipeline, label: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        options = FetchOptions(timeout=30, delay=0.0, per_host=2, allow_private=True)
        started = time.perf_counter()
        summary = run_round(sources, store, pipeline, options=options, max_items=10_000)
        seconds = time.perf_counter() - started
        stored = store.count("articles")
        store.close()
    print(f"{label}: {stored} article(s) from {len(sources)} host(s) in {seconds:.1f} s = "
          f"{stored / seconds:.1f} articles/s ({summary.requests} requests, {len(summary.failed)} failed)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-host", type=int, default=12, help="articles per host")
    parser.add_argument("--components", default=",".join(DEFAULT_COMPONENTS))
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        webs = [stack.enter_context(serving(articles=articles_for(h, args.per_host))) for h in range(HOSTS)]
        sources = [f"{web.base}/all.xml" for web in webs]
        one_round(sources, Pipeline([]), "fetch + extract only")
        pipeline = load_pipeline(args.components.split(","))
        one_round(sources[:1], pipeline, "warm-up (models loaded)")
        one_round(sources, pipeline, "fetch + extract + analyse")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
