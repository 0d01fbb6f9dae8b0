"""Group purity: the share of the widest claim groups' members that say the same thing as their canonical claim.

    python benchmarks/claim_group_purity.py
    python benchmarks/claim_group_purity.py --from-store corpus.db   # dump a store's 30 widest groups to judge
    python benchmarks/claim_group_purity.py --file benchmarks/data/claim_group_purity_all.json   # every shared group

`benchmarks/data/claim_group_purity.json`: the 30 widest groups of the unlabeled corpus plus the seeds as the
store grouped them, each member judged by reading (`same_as_canonical`). Prints the share over all members,
over the members other than the canonical wording itself, per group, and the widest group's members.

`--from-store DB` rewrites the file from a store (`narrascope ingest ... --db DB`): its 30 widest groups by
distinct articles (then claims), each member carrying the judgment the file already holds for the same canonical
and member wording (a member worded as its canonical is the same claim); the others are written `null` and
printed, to be judged by reading before the file is scored.

`--from-store DB --all` dumps every group that spans two articles or more instead (the 30 widest are the 15 or so
groups of three articles and then two-article groups in the order the store made them, so which two-article groups
make the 30 depends on that order); `benchmarks/data/claim_group_purity_all.json` holds that dump, judged.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

DATA = Path(__file__).parent / "data" / "claim_group_purity.json"
WIDEST = 30


def from_store(db: Path, judged: Path, out: Path, every: bool = False) -> None:
    old = json.loads(judged.read_text("utf-8")) if judged.exists() else {"about": "", "groups": []}
    known = {(g["canonical"], m["text"]): m["same_as_canonical"] for g in old["groups"] for m in g["members"]}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    widest = conn.execute(
        "SELECT g.id, g.canonical, count(DISTINCT c.article_id) AS articles, count(*) AS claims FROM claim_groups g"
        " JOIN claims c ON c.group_id = g.id GROUP BY g.id HAVING articles >= ?"
        " ORDER BY articles DESC, claims DESC, g.id LIMIT ?",
        (2, -1) if every else (1, WIDEST),
    ).fetchall()
    groups = []
    for rank, row in enumerate(widest, 1):
        members = []
        for m in conn.execute(
            "SELECT c.article_id, a.language, c.source, c.text FROM claims c JOIN articles a ON a.id = c.article_id"
            " WHERE c.group_id = ? ORDER BY c.article_id, c.start",
            (row["id"],),
        ):
            same = True if m["text"] == row["canonical"] else known.get((row["canonical"], m["text"]))
            members.append({**dict(m), "same_as_canonical": same})
        groups.append({"rank": rank, "canonical": row["canonical"], "members": members})
    out.write_text(json.dumps({"about": old["about"], "groups": groups}, ensure_ascii=False, indent=1) + "\n", "utf-8")
    todo = [(g, m) for g in groups for m in g["members"] if m["same_as_canonical"] is None]
    print(f"{out}: {len(groups)} groups, {sum(len(g['members']) for g in groups)} members, {len(todo)} to judge")
    for g, m in todo:
        print(f"#{g['rank']} canonical: {g['canonical']}\n    member [{m['source'] or 'unknown'}]: {m['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-store", type=Path, metavar="DB", help="dump a store's widest groups into the file")
    parser.add_argument("--file", type=Path, default=DATA, help="the judged file (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="with --from-store: write here instead of --file")
    parser.add_argument("--all", action="store_true", help="with --from-store: every group of two articles or more")
    args = parser.parse_args()
    if args.from_store is not None:
        from_store(args.from_store, args.file, args.out or args.file, args.all)
        return
    groups = json.loads(args.file.read_text("utf-8"))["groups"]
    members = [m for g in groups for m in g["members"]]
    unjudged = sum(m["same_as_canonical"] is None for m in members)
    if unjudged:
        raise SystemExit(f"{args.file}: {unjudged} members not judged yet (same_as_canonical is null)")
    others = [m for g in groups for m in g["members"] if m["text"] != g["canonical"]]
    same = sum(m["same_as_canonical"] for m in members)
    same_others = sum(m["same_as_canonical"] for m in others)
    print(f"{len(groups)} groups, {len(members)} members: {same / len(members):.1%} the same claim as the canonical")
    print(f"members other than the canonical wording: {same_others}/{len(others)} = {same_others / len(others):.1%}")
    pure = sum(all(m["same_as_canonical"] for m in g["members"]) for g in groups)
    print(f"groups whose members are all the same claim: {pure}/{len(groups)}")
    for g in groups:
        judged = [m["same_as_canonical"] for m in g["members"]]
        print(f"  #{g['rank']:>2} {sum(judged)}/{len(judged)}  {g['canonical'][:90]}")
    widest = groups[0]
    print(f"\nthe widest group (#{widest['rank']}): {widest['canonical']}")
    for m in widest["members"]:
        same = "same" if m["same_as_canonical"] else "DIFFERENT"
        print(f"  {same:<9} {m['article_id']:<28} {m['source'] or 'unknown'}: {m['text']}")


if __name__ == "__main__":
    main()
