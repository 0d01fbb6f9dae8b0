"""Look into narrascope STIX bundles: objects per type, what one article's report refers to, and the difference
between two bundles (a second export, or export -> ingest -> export).

    python benchmarks/stix_bundle.py bundle.json [--report ARTICLE_ID] [--against other.json]

`--report` prints the report's narratives, framed entities (role, fine roles, confidence), techniques and claim
notes with their sources and relays. `--against` prints the ids only in one bundle and, per type, the objects
that differ, and which fields differ (`created`/`modified` alone say when an article was stored).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from narrascope.formats.stix import report_id


def load(path: Path) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in json.loads(path.read_text("utf-8"))["objects"]}


def show_report(objects: dict[str, dict[str, Any]], article_id: str) -> None:
    report = objects[report_id(article_id)]
    print(f"report {report['id']}: {report['name']!r}, published {report['published']}")
    for ref in report["object_refs"]:
        rel = objects[ref]
        if rel["type"] != "relationship" or rel["source_ref"] != report["id"]:
            continue
        target = objects[rel["target_ref"]]
        print(f"  {target['type']:<15} {target.get('name')!r:<70} {rel.get('labels')} confidence {rel['confidence']}")
    for ref in report["object_refs"]:
        if ref.startswith("note--"):
            note = objects[ref]
            actors = [objects[r]["name"] for r in note["object_refs"] if not r.startswith("report--")]
            reports = sum(r.startswith("report--") for r in note["object_refs"])
            print(f"  note {note['content'].splitlines()[0][:90]!r} | sources/relays {actors} | {reports} report(s)")


def diff(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> None:
    only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    print(f"ids: {len(a)} and {len(b)}; only in the first {len(only_a)}, only in the second {len(only_b)}")
    for i in [*only_a[:10], *only_b[:10]]:
        print("  ", "-" if i in a else "+", i)
    changed: Counter[str] = Counter()
    fields: dict[str, Counter[str]] = {}
    for i in sorted(a.keys() & b.keys()):
        if a[i] != b[i]:
            kind = i.split("--")[0]
            changed[kind] += 1
            keys = {k for k in a[i].keys() | b[i].keys() if a[i].get(k) != b[i].get(k)}
            fields.setdefault(kind, Counter()).update(keys)
    same = Counter(i.split("--")[0] for i in a.keys() & b.keys() if a[i] == b[i])
    for kind in sorted(same.keys() | changed.keys()):
        print(f"  {kind:<15} identical {same[kind]:>5}, differing {changed[kind]:>5} {dict(fields.get(kind, {}))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--report", help="an article id whose report to show")
    parser.add_argument("--against", type=Path, help="a second bundle to compare with")
    args = parser.parse_args()
    objects = load(args.bundle)
    counts = Counter(o["type"] for o in objects.values())
    print(f"{len(objects)} objects: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))
    if args.report:
        show_report(objects, args.report)
    if args.against:
        diff(objects, load(args.against))


if __name__ == "__main__":
    main()
