"""Do the API's filters count what `analyze` asserts? The acceptance check of asserted-only counting.

    narrascope ingest ../shared/data/semeval2025-task10/unlabeled --db /tmp/c.db
    narrascope analyze ../shared/data/semeval2025-task10/unlabeled --format jsonl > /tmp/u.jsonl
    python benchmarks/surface_counts.py --db /tmp/c.db --jsonl /tmp/u.jsonl

Serves the store on a free 127.0.0.1 port (the real app under uvicorn) and, for the 5 most frequent technique
labels, narratives and (entity, role) pairs of the JSONL, compares the article totals of
`/api/articles?technique=X` (and `narrative=X`) with the number of articles holding an asserted judgment of
that label in the JSONL, and the same with `include_withheld=true` against articles holding any judgment.
The per-label totals of `/api/stats/techniques` and `/api/stats/narratives` (for a role: the entity page's
articles in that role) are checked the same way. A withheld role counts under the entity's candidate role.
Prints one row per label and exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from typing import Any

import uvicorn

from narrascope.server.api import create_app

KINDS = ("technique", "narrative", "role")
ROLES = ("Protagonist", "Antagonist", "Innocent")
STATS = {"technique": "/api/stats/techniques", "narrative": "/api/stats/narratives"}


def judgments(doc: dict[str, Any]) -> dict[str, list[tuple[str, bool]]]:
    """Each kind's (label, asserted) judgments of one analysis; a role's label is `entity|role`, a withheld
    role counted under its candidate role."""
    return {
        "technique": [(t["technique"], t.get("asserted", True)) for t in doc["techniques"]],
        "narrative": [(n["label"], n.get("asserted", True)) for n in doc["narratives"] if n["level"] == "narrative"],
        "role": [(f"{e['entity']}|{e.get('candidate_role') or e['main_role']}", e["main_role"] in ROLES)
                 for e in doc["entities"]],
    }  # fmt: skip


def counts(jsonl: str) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """Per kind: articles with an asserted judgment of each label, articles with any judgment of it."""
    found: dict[str, tuple[Counter[str], Counter[str]]] = {k: (Counter(), Counter()) for k in KINDS}
    with open(jsonl, encoding="utf-8") as handle:
        for line in handle:
            for kind, items in judgments(json.loads(line)).items():
                asserted, anyway = found[kind]
                asserted.update({label for label, flag in items if flag})
                anyway.update({label for label, _ in items})
    return found


def serve(db: str) -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def get(base: str, path: str, **query: Any) -> Any:
    with urllib.request.urlopen(f"{base}{path}?{urllib.parse.urlencode(query)}", timeout=60) as response:
        return json.load(response)


FLAGS = ("false", "true")


def chart_count(base: str, kind: str, label: str, query: dict[str, str], flag: str) -> int:
    """The label's article count in the chart API (for a role: the entity page's articles in that role)."""
    if kind in STATS:
        totals = get(base, STATS[kind], by="source", include_withheld=flag)["totals"]
        return int({r["label"]: r["articles"] for r in totals}.get(label, 0))
    found = get(base, f"/api/entities/{urllib.parse.quote(query['entity'])}", include_withheld=flag)
    return len({a["id"] for a in found["articles"] if (a["candidate_role"] or a["role"]) == query["role"]})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--jsonl", required=True, help="`narrascope analyze --format jsonl` of the same files")
    parser.add_argument("--labels", type=int, default=5, help="labels per kind (most frequent)")
    args = parser.parse_args()
    expected = counts(args.jsonl)
    server, base = serve(args.db)
    mismatches = 0
    try:
        print(
            f"{'kind':<10} {'label':<58} {'jsonl':>6} {'api':>5} {'stats':>5}  {'jsonl*':>6} {'api*':>5} {'stats*':>6}"
        )
        print("(* = include_withheld=true: any judgment; otherwise asserted judgments; all counts are articles)")
        for kind in KINDS:
            asserted, anyway = expected[kind]
            ranked = [label for label, _ in anyway.most_common() if kind != "role" or label.split("|")[1] in ROLES]
            for label in ranked[: args.labels]:
                query = (
                    dict(zip(("entity", "role"), label.split("|"), strict=True)) if kind == "role" else {kind: label}
                )
                api = [get(base, "/api/articles", limit=1, include_withheld=f, **query)["total"] for f in FLAGS]
                chart = [chart_count(base, kind, label, query, flag) for flag in FLAGS]
                row = (asserted[label], api[0], chart[0], anyway[label], api[1], chart[1])
                ok = row[0] == row[1] == row[2] and row[3] == row[4] == row[5]
                mismatches += not ok
                cells = f"{row[0]:>6} {row[1]:>5} {row[2]:>5}  {row[3]:>6} {row[4]:>5} {row[5]:>6}"
                print(f"{kind:<10} {label[:58]:<58} {cells}{'' if ok else '  MISMATCH'}")
        print(f"articles in the store: {get(base, '/api/articles', limit=1)['total']}; mismatches: {mismatches}")
    finally:
        server.should_exit = True
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
