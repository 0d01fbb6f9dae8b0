"""Group purity: the share of the widest claim groups' members that say the same thing as their canonical claim.

    python benchmarks/claim_group_purity.py

`benchmarks/data/claim_group_purity.json`: the 30 widest groups of the unlabeled corpus plus the seeds as the
store grouped them, each member judged by reading (`same_as_canonical`). Prints the share over all members,
over the members other than the canonical wording itself, per group, and the widest group's members.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data" / "claim_group_purity.json"


def main() -> None:
    groups = json.loads(DATA.read_text("utf-8"))["groups"]
    members = [m for g in groups for m in g["members"]]
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
