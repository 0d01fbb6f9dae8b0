"""The store at corpus scale: ingest throughput, size on disk, API and UI latency on an N-article store.

    python benchmarks/store_scale.py --n 100000 --analyses /work/stores/corpus-main.db
    python benchmarks/store_scale.py --n 10000 --keep /tmp/store-10k.db      # a quicker look, store kept

Builds a store of N articles from the analyses of the 460 unlabeled SemEval articles (read from a store given
with `--analyses`, or analysed here with `--components`, the full default pipeline by default). Two thirds of
the articles are distinct: a source article whose every third word is replaced by another word of the same
length and language (offsets stay valid, 5-shingles all differ, so they are separate stories) published by one
of 200 outlets of its language; one third are syndicated copies of a recent earlier article (another outlet,
0-3 days later, a licence line appended): stories of many copies. Each article's analysis is its source
article's (narratives, entities, techniques, claims re-used under the new id), so the store is written by
`Store.put_batch` in batches of 32 as `ingest` writes it, without running the models 100,000 times. Claims
join the group of the seed claim they re-use (`SeedGroups`) instead of running the grouping model in every
batch (`--group-claims` runs it: the run then measures that model, `benchmarks/claim_grouping_cost.py`).

Prints the write throughput per 10,000 articles, the store's size on disk, p50/p99 latency of every API route
the UI reads (served by `narrascope serve` on 127.0.0.1, one client) and each UI page's first render in
headless Chromium (until the page marks itself ready; `make browser`), with the load average beside each. Last,
the same new articles are written into a new store and into this one, in turn (`--alternate` rounds): the
slowdown that the store's size causes, measured in the same minutes (this 2-core machine's speed drifts by up
to 1.8x between the first and the last 10,000).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from narrascope.analysis import Analysis
from narrascope.store import counts, review_rank
from narrascope.store import db as store_db
from narrascope.store.db import HASH_KEY, Store

DEFAULT_DATA = Path("/work/shared/data/semeval2025-task10/unlabeled")
OUTLETS = 200
COPY_SHARE = 1 / 3
BATCH = 32
API_TARGET_MS = 300  # every route the UI reads, at p99
PAGE_TARGET_MS = 1000  # every UI page's first render
_WORD = re.compile(r"\w+")


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def seed_analyses(source: Path | None, data: Path, components: str | None) -> list[dict[str, Any]]:
    """The analyses the store's articles are made of: read from a store, or analysed here."""
    if source is not None:
        conn = sqlite3.connect(f"file:{urllib.parse.quote(str(source))}?mode=ro", uri=True)  # any schema version
        found = [json.loads(r[0]) for r in conn.execute("SELECT analysis FROM articles ORDER BY id")]
        conn.close()
        return found
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "seeds.jsonl"
        command = [sys.executable, "-m", "narrascope.cli.main", "analyze", str(data), "--format", "jsonl"]
        subprocess.run([*command, "--out", str(out), *(["--components", components] if components else [])],
                       check=True)  # fmt: skip
        seen: dict[str, dict[str, Any]] = {}
        for line in out.open(encoding="utf-8"):
            document = json.loads(line)
            seen.setdefault(document["id"], document)
        return list(seen.values())


def vocabulary(seeds: list[dict[str, Any]]) -> dict[tuple[str, int], list[str]]:
    found: dict[tuple[str, int], set[str]] = {}
    for seed in seeds:
        for word in _WORD.findall(seed["raw_text"]):
            found.setdefault((seed.get("language") or "", len(word)), set()).add(word)
    return {key: sorted(words) for key, words in found.items()}


def reword(text: str, language: str, words: dict[tuple[str, int], list[str]], rng: random.Random) -> str:
    """Every third word replaced by a random word of the same length and language: same offsets, new shingles."""
    phase = rng.randrange(3)
    parts, last = [], 0
    for k, match in enumerate(_WORD.finditer(text)):
        if k % 3 == phase:
            choices = words.get((language, len(match.group())))
            if choices:
                parts += [text[last : match.start()], rng.choice(choices)]
                last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def articles(seeds: list[dict[str, Any]], indices: Iterable[int], n: int, rng: random.Random) -> Iterator[Analysis]:
    """The analyses of articles `indices` of N: distinct rewordings of the seeds and, a third of them, copies of
    recent ones (each shares its seed's judgments; only the article, its text and metadata are new)."""
    words = vocabulary(seeds)
    parsed = [Analysis.from_dict(seed) for seed in seeds]
    start = date(2024, 1, 1)
    originals: list[tuple[Analysis, str, date]] = []  # (seed analysis, text, day)
    for i in indices:
        day = start + timedelta(days=i * 365 // n)
        if originals and rng.random() < COPY_SHARE:
            seed, text, first_day = originals[-1 - min(int(rng.expovariate(1 / 300)), len(originals) - 1)]
            language = seed.article.language or ""
            outlet = f"{language}-outlet-{rng.randrange(OUTLETS)}.example"
            text = f"{text}\n\nRepublished by {outlet} under licence."
            day = max(first_day, day) + timedelta(days=rng.randrange(4))
        else:
            seed = parsed[rng.randrange(len(parsed))]
            language = seed.article.language or ""
            outlet = f"{language}-outlet-{rng.randrange(OUTLETS)}.example"
            text = reword(seed.article.raw_text, language, words, rng)
            originals.append((seed, text, day))
        article_id = f"scale-{i:07d}"
        meta = {k: v for k, v in seed.article.meta.items() if k != HASH_KEY}
        title = (text.split("\n", 1)[0].strip() or None) if seed.article.title else None
        article = dataclasses.replace(
            seed.article, raw_text=text, id=article_id, title=title, source=outlet,
            url=f"https://{outlet}/{article_id}", published=day.isoformat(), meta=meta,
        )  # fmt: skip
        yield dataclasses.replace(seed, article=article)


class SeedGroups:
    """Claim grouping by the seeds' claim texts: a claim joins the group of every claim with its text (the seeds'
    claims re-used under new ids), so the store's groups are populated without running the grouping model on
    every batch (that model's cost does not depend on the store's size, and is measured in its own benchmark)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[int, str], int] = {}  # (connection, text): each store has its own groups

    def __call__(self, conn: sqlite3.Connection, claim_ids: list[int], *_: object) -> None:
        if not claim_ids:
            return
        marks = ",".join("?" * len(claim_ids))
        for claim_id, text, source in conn.execute(
            f"SELECT id, text, source FROM claims WHERE id IN ({marks})", claim_ids
        ).fetchall():
            group = self.groups.get((id(conn), text))
            if group is None:
                cursor = conn.execute("INSERT INTO claim_groups (canonical, source) VALUES (?, ?)", (text, source))
                group = self.groups[id(conn), text] = int(cursor.lastrowid or 0)
            conn.execute("UPDATE claims SET group_id = ? WHERE id = ?", (group, claim_id))


def without_grouping_model() -> None:
    """Claims grouped by the seeds' claim texts (`SeedGroups`) instead of by the model."""
    store_db.assign_groups = SeedGroups()  # type: ignore[assignment]
    store_db.claim_embeddings = lambda *args: None  # type: ignore[assignment]  # no encoder, no plan
    store_db.plan_groups = lambda *args: None  # type: ignore[assignment]


def build(db: Path, seeds: list[dict[str, Any]], n: int, timed: int, group_claims: bool) -> None:
    """The first and the last `timed` articles written by `put_batch` (timed per 10,000), the ones between
    copied in SQL from the first ones (`fill`)."""
    if not group_claims:
        without_grouping_model()
    store = Store(db, bulk=True)
    timed = min(timed, n // 2) if timed else n
    step = min(10_000, timed) if n >= 20_000 else max(1, n // 5)
    print(f"ingest of {n:,} articles (put_batch, batches of {BATCH}; claim grouping: "
          f"{'the model' if group_claims else 'by the seeds claim texts'}):")  # fmt: skip
    generated = articles(seeds, [*range(timed), *range(n - timed, n)] if timed < n else range(n), n, random.Random(34))
    write(store, generated, 0, timed, step)
    if timed < n:
        started = time.perf_counter()
        for k0 in range(timed, n - timed, timed):
            fill(store, timed, k0, min(timed, n - timed - k0), n)
        print(f"  articles {timed + 1:>7,}-{n - timed:<7,}  copied in SQL from the first {timed:,} (re-dated, new ids,"
              f" new stories) in {time.perf_counter() - started:.0f} s  ({load()})", flush=True)  # fmt: skip
        write(store, generated, n - timed, n, step)
    counts = {t: store.count(t) for t in ("articles", "stories", "narratives", "entities", "claims", "claim_groups")}
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    print(
        f"store: {size / 1e9:.2f} GB on disk ({size / max(n, 1) / 1e3:.1f} KB per article); "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
    )


def write(store: Store, generated: Iterator[Analysis], first: int, end: int, step: int) -> None:
    """`put_batch` of articles first..end-1, printing articles/s per `step`."""
    batch: list[Analysis] = []
    spent, done, stretch_start = 0.0, first, first
    for analysis in generated:
        batch.append(analysis)
        if len(batch) == BATCH or done + len(batch) == end:
            started = time.perf_counter()
            store.put_batch(batch)
            spent += time.perf_counter() - started
            done += len(batch)
            batch = []
            if done - stretch_start >= step or done == end:
                print(f"  articles {stretch_start + 1:>7,}-{done:<7,}  {(done - stretch_start) / spent:7.1f} articles/s"
                      f"  ({load()})", flush=True)  # fmt: skip
                spent, stretch_start = 0.0, done
            if done == end:
                return


def alternated_ingest(db: Path, seeds: list[dict[str, Any]], n: int, rounds: int, block: int) -> None:
    """The same new articles written `block` at a time into a new store and into the one at `db`, in turn (ABBA),
    `rounds` times: the new store grows as the first articles of a store do, the other as its last ones, in the
    same minutes. The first and last 10,000 of the build are written minutes apart, and this machine's speed
    drifts by up to 1.8x from minute to minute."""
    generated = articles(seeds, range(n, n + rounds * block), n + rounds * block, random.Random(35))
    print(f"ingest of the same new articles, {block:,} at a time into a new store and into this one, in turn:")
    spent = {"new": 0.0, "this": 0.0}
    run = int(time.time())  # new ids in each run: a store measured again gets new articles, not present ones
    with tempfile.TemporaryDirectory(prefix="narrascope-store-scale-new-") as tmp:
        stores = {"new": Store(Path(tmp) / "new.db", bulk=True),
                  "this": Store(db, bulk=True)}  # fmt: skip
        for k in range(rounds):
            batch = [next(generated) for _ in range(block)]
            rate = {}
            for name in ("new", "this") if k % 2 == 0 else ("this", "new"):
                renamed = [
                    dataclasses.replace(a, article=dataclasses.replace(a.article, id=f"{name}-{run}-{a.article.id}"))
                    for a in batch
                ]
                started = time.perf_counter()
                for i in range(0, block, BATCH):
                    stores[name].put_batch(renamed[i : i + BATCH])
                took = time.perf_counter() - started
                spent[name] += took
                rate[name] = block / took
            ratio = rate["this"] / rate["new"]
            print(f"  articles {k * block + 1:>6,}-{(k + 1) * block:<6,} new store {rate['new']:6.1f} articles/s,"
                  f" this store {rate['this']:6.1f}  (x{ratio:.2f}; {load()})", flush=True)  # fmt: skip
        for store in stores.values():
            store.close()
    print(f"  all {rounds * block:,}: this store at x{spent['new'] / spent['this']:.2f} the new store's rate")


def fill(store: Store, timed: int, k0: int, count: int, n: int) -> None:
    """Articles k0..k0+count-1 as copies of the first `count` rows (new ids, days shifted by k0's place in the
    year, a new story for each story's copy of its first article, the same claim groups), in one transaction."""
    conn = store.conn
    new_id = f"'scale-' || printf('%07d', {k0} + a.rowid - 1)"
    shift = f"printf('+%d days', {k0 * 365 // n})"
    cols = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    values = {"id": new_id, "day": f"date(a.day, {shift})", "published": f"date(a.day, {shift})", "story_id": "m.new"}
    picked = ", ".join(values.get(c, f"a.{c}") for c in cols)
    with store.transaction():
        conn.execute("CREATE TEMP TABLE story_map (old INTEGER PRIMARY KEY, new INTEGER)")
        firsts = conn.execute(
            f"SELECT s.id, {new_id} FROM stories s JOIN articles a ON a.id = s.first_article WHERE a.rowid <= ?",
            (count,),
        ).fetchall()
        for old, first in firsts:
            story = conn.execute("INSERT INTO stories (first_article) VALUES (?)", (first,)).lastrowid
            conn.execute("INSERT INTO story_map VALUES (?, ?)", (old, story))
        conn.execute(
            f"INSERT INTO articles ({', '.join(cols)}) SELECT {picked} FROM articles a"
            " JOIN story_map m ON m.old = a.story_id WHERE a.rowid <= ? ORDER BY a.rowid",
            (count,),
        )
        for table in ("narratives", "entities", "techniques", "claims", "story_signatures", "story_bands"):
            tcols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
            picked_t = ", ".join(new_id if c == "article_id" else f"t.{c}" for c in tcols)
            conn.execute(
                f"INSERT INTO {table} ({', '.join(tcols)}) SELECT {picked_t} FROM {table} t"
                " JOIN articles a ON a.id = t.article_id WHERE a.rowid <= ?",
                (count,),
            )
        conn.execute("DROP TABLE story_map")
        if k0 + count >= n - timed:
            counts.rebuild(conn)
            review_rank.fill(conn)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(db: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "narrascope.cli.main", "serve", "--db", str(db), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + "/api/feeds", timeout=5).read()
                break
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.loads(response.read())


def samples(db: Path) -> dict[str, str]:
    """Values that exist in the store, for the filters: the most frequent narrative, entity, outlet..."""
    store = Store(db)  # migrated first, when an older narrascope built it
    one = lambda sql: store.conn.execute(sql).fetchone()[0]  # noqa: E731
    found = {  # the most frequent of each: the heaviest page a user opens
        "narrative": one(
            "SELECT label FROM label_days WHERE kind = 'narrative' AND label != 'Other' AND include_withheld = 0"
            " GROUP BY label ORDER BY sum(articles) DESC LIMIT 1"
        ),
        "subnarrative": one(
            "SELECT label FROM label_days WHERE kind = 'subnarrative' AND include_withheld = 0"
            " GROUP BY label ORDER BY sum(articles) DESC LIMIT 1"
        ),
        "entity": one(
            "SELECT actor_id FROM entities WHERE asserted = 1 GROUP BY actor_id"
            " ORDER BY count(DISTINCT article_id) DESC LIMIT 1"
        ),
        "technique": one(
            "SELECT label FROM label_days WHERE kind = 'technique' AND include_withheld = 0"
            " GROUP BY label ORDER BY sum(articles) DESC LIMIT 1"
        ),
        "source": one("SELECT source FROM label_outlets GROUP BY source ORDER BY sum(articles) DESC LIMIT 1"),
        "article": one("SELECT id FROM articles ORDER BY rowid DESC LIMIT 1"),
        "group": one("SELECT group_id FROM claim_group_spread ORDER BY outlets DESC, stories DESC LIMIT 1"),
        "until": one("SELECT max(day) FROM articles"),
    }
    store.close()
    return {k: str(v) for k, v in found.items()}


def routes(s: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    listing = "/api/articles"
    return [
        ("articles", listing, {"limit": 25}),
        ("articles, page 200", listing, {"limit": 25, "offset": 5000}),
        ("articles ?narrative", listing, {"limit": 25, "narrative": s["narrative"]}),
        ("articles ?subnarrative", listing, {"limit": 25, "subnarrative": s["subnarrative"]}),
        ("articles ?technique", listing, {"limit": 25, "technique": s["technique"]}),
        ("articles ?entity&role", listing, {"limit": 25, "entity": s["entity"], "role": "Antagonist"}),
        ("articles ?source", listing, {"limit": 25, "source": s["source"]}),
        ("articles ?language", listing, {"limit": 25, "language": "en"}),
        ("articles ?date_from&date_to", listing, {"limit": 25, "date_from": "2024-03-01", "date_to": "2024-03-31"}),
        ("articles ?q (search)", listing, {"limit": 25, "q": "Ukraine"}),
        ("articles ?include_withheld", listing, {"limit": 25, "include_withheld": "true"}),
        ("stats narratives by month", "/api/stats/narratives", {"by": "month"}),
        ("stats narratives by source", "/api/stats/narratives", {"by": "source"}),
        ("stats subnarratives by source", "/api/stats/narratives", {"by": "source", "level": "subnarrative"}),
        ("stats techniques by source", "/api/stats/techniques", {"by": "source"}),
        ("stats narratives ?narrative", "/api/stats/narratives", {"by": "month", "narrative": s["narrative"]}),
        ("coverage", "/api/coverage", {}),
        ("trends (day)", "/api/trends", {"limit": 25, "until": s["until"]}),
        ("trends (week)", "/api/trends", {"limit": 25, "until": s["until"], "period": "week"}),
        ("claims", "/api/claims", {"limit": 100}),
        ("claims ?q", "/api/claims", {"limit": 100, "q": "Ukraine"}),
        ("claim group", f"/api/claims/{s['group']}", {}),
        ("entities", "/api/entities", {"limit": 200}),
        ("entity", "/api/entity", {"name": s["entity"]}),
        ("article", "/api/article", {"id": s["article"]}),
        ("stories", "/api/stories", {"limit": 50}),
        ("review queue", "/api/review/queue", {"limit": 100}),
        ("review queue, 500", "/api/review/queue", {"limit": 500}),
        ("alerts", "/api/alerts", {"limit": 200}),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def api_latency(base: str, s: dict[str, str], repeat: int) -> None:
    print(f"API latency, {repeat} requests per route after one warm-up (ms; target p99 <= {API_TARGET_MS} ms):")
    print(f"  {'route':<34} {'p50':>8} {'p99':>8}")
    over = []
    for name, path, params in routes(s):
        url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        fetch(url)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fetch(url)
            times.append((time.perf_counter() - started) * 1000)
        p99 = percentile(times, 0.99)
        over += [name] if p99 > API_TARGET_MS else []
        print(
            f"  {name:<34} {percentile(times, 0.5):8.1f} {p99:8.1f}{'  over' if p99 > API_TARGET_MS else ''}",
            flush=True,
        )
    print(f"  ({load()}; over the target: {', '.join(over) or 'none'})")


def page_renders(base: str, s: dict[str, str], repeat: int) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("UI pages: playwright is not installed (make browser); skipped")
        return
    if not os.path.exists(chromium):
        print("UI pages: Debian chromium is not installed (make browser); skipped")
        return
    q = urllib.parse.quote
    pages = [("corpus", "/"), ("article", f"/article?id={q(s['article'])}"), ("entities", "/entities"),
             ("entity", f"/entity?name={q(s['entity'])}"), ("claims", "/claims"), ("claim", f"/claim?id={s['group']}"),
             ("review", "/review"), ("trends", f"/trends?until={s['until']}"), ("alerts", "/alerts")]  # fmt: skip
    print(f"UI pages, first render (navigation until the page marks itself ready), {repeat} loads each (ms; target"
          f" {PAGE_TARGET_MS} ms):")  # fmt: skip
    over = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"], timeout=60_000)
        for name, path in pages:
            times = []
            for k in range(repeat + 1):
                context = browser.new_context()
                page = context.new_page()
                started = time.perf_counter()
                page.goto(base + path)
                page.wait_for_selector("body[data-ready]", state="attached", timeout=120_000)
                if k:  # the first load warms the server's caches and the browser's
                    times.append((time.perf_counter() - started) * 1000)
                context.close()
            mid = percentile(times, 0.5)
            over += [name] if mid > PAGE_TARGET_MS else []
            print(f"  {name:<10} p50 {mid:7.0f}  max {max(times):7.0f}{'  over' if mid > PAGE_TARGET_MS else ''}",
                  flush=True)  # fmt: skip
        browser.close()
    print(f"  ({load()}; over the target: {', '.join(over) or 'none'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles in the store (default 100,000)")
    parser.add_argument("--analyses", type=Path, help="a store whose analyses the articles re-use")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the unlabeled SemEval folder")
    parser.add_argument("--components", help="pipeline components for the seed analyses (without --analyses)")
    parser.add_argument("--keep", type=Path, help="build the store here and keep it (default: a temporary file)")
    parser.add_argument("--reuse", action="store_true", help="measure the store at --keep without building it")
    parser.add_argument(
        "--timed",
        type=int,
        default=10_000,
        help="articles written by put_batch first and last (the rest copied in SQL); 0: all",
    )
    parser.add_argument("--group-claims", action="store_true", help="group claims with the model (slow)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per API route (default 20)")
    parser.add_argument("--pages", type=int, default=3, help="loads per UI page (default 3; 0: none)")
    parser.add_argument(
        "--alternate",
        type=int,
        default=10,
        help="blocks of 1,000 new articles written into a new store and into this one, in turn (default 10; 0: none)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrascope-store-scale-") as tmp:
        db = args.keep or Path(tmp) / "store.db"
        if not args.reuse:
            for stale in db.parent.glob(db.name + "*"):
                stale.unlink()
            seeds = seed_analyses(args.analyses, args.data, args.components)
            print(f"{len(seeds)} seed analyses; {load()} on {os.cpu_count()} cores")
            build(db, seeds, args.n, args.timed, args.group_claims)
        s = samples(db)
        with served(db) as base:
            api_latency(base, s, args.repeat)
            if args.pages:
                page_renders(base, s, args.pages)
        if args.alternate:  # last: it adds rounds x block articles to the store
            if args.reuse:
                seeds = seed_analyses(args.analyses, args.data, args.components)
            if not args.group_claims:
                without_grouping_model()
            alternated_ingest(db, seeds, args.n, args.alternate, min(1_000, max(BATCH, args.n // 10)))


if __name__ == "__main__":
    main()
