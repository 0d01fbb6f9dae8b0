"""The role-model acceptance checks on real articles: who is cast as what, and what is withheld.

    python benchmarks/acceptance.py ../shared/seeds/004_457026a0e46297ac.txt tests/data/neutral/*.txt

Prints, for each article, every entity with its shown role, candidate role, pair score and framed score, and the
number of technique spans shown and withheld. Not a test (tests/test_judgments.py checks the fixtures).
"""

from __future__ import annotations

import sys

from narrascope import analyze
from narrascope.pipeline import load_pipeline


def main() -> None:
    pipeline = load_pipeline()
    for path in sys.argv[1:]:
        analysis = analyze(path, pipeline=pipeline)
        print(f"\n{path}: {len(analysis.shown_entities)} of {len(analysis.entities)} entities with a role; "
              f"{len(analysis.shown_techniques)} of {len(analysis.techniques)} technique spans shown; "
              f"stances {sorted({c.stance for c in analysis.claims})}")  # fmt: skip
        for e in analysis.entities[:12]:
            print(f"  {e.entity:<28} {e.main_role:<12} candidate {e.candidate_role:<12} score {e.score:.3f} "
                  f"framed {e.framed_score:.3f} mentions {len(e.mentions)}")  # fmt: skip


if __name__ == "__main__":
    main()
