"""Speakers, or unknown: is a claim's named source the right speaker, and is its text a complete proposition?

    python benchmarks/attribution.py            # the held-out half, today's extraction beside the speaker rules
    python benchmarks/attribution.py --tune     # the tune half (the one the rules were written on)
    python benchmarks/attribution.py --corpus DIR [--n 40]   # claims shown and with a named source, on articles

`--corpus DIR`: DIR holds one folder per language (EN, PT, RU, BG, HI: the SemEval unlabeled layout, files in
`<LANG>/subtask-2-documents/` or directly in `<LANG>/`); the first `--n` articles of each (in a fixed shuffle) go
through cleaning, sentences and claims, and the share of shown claims with a named source is printed: what
"when unsure, unknown" costs on real text.

`benchmarks/data/attribution.jsonl` (labelled by reading, before the rules were written): 410 claims of the
unlabeled SemEval corpus as the extractor showed them before the rules (82 a language), each with its sentence,
the source shown, whether that shown source is an acceptable speaker name (`extracted_source_ok`), the right
speaker (or "unknown"), and whether the claim text is a complete proposition. Split by article. The tune half
later gained 237 claims of 68 other articles (ids `xx-tNNN`: EN, PT and BG unlabeled articles, RU train
articles, as the extractor showed them before the speaker rules), labelled the same way before the second round
of rules was written on them; the held-out half is unchanged.

"before" scores the shown sources and texts as they were; "after" passes them, each with its sentence, through
`claims.speakers` (the same functions the claims component applies): a source the rules change is right when it
names the labelled speaker (word stems compared, so inflected forms match); a source the rules leave as it was
keeps its label.
Source precision: right named sources / named sources. Fragment rate: incomplete texts / claims shown.
Kept: complete claims still shown / complete claims (what dropping fragments costs).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from narrascope.claims.speakers import is_proposition, speaker

DATA = Path(__file__).parent / "data" / "attribution.jsonl"
LANGUAGES = ("en", "pt", "ru", "bg", "hi")
_WORD = re.compile(r"[\w\u0900-\u097f]+")


def _stems(text: str) -> set[str]:
    return {w[:5].lower() for w in _WORD.findall(text) if len(w) >= 2}


def names(source: str, gold: str) -> bool:
    """Whether `source` names the labelled speaker `gold`: all the stems of one are among the other's."""
    if gold == "unknown":
        return False
    a, b = _stems(source), _stems(gold)
    return bool(a) and bool(b) and (a <= b or b <= a)


def score(rows: list[dict], after: bool) -> dict[str, float]:
    shown = named = right = fragments = kept = complete = 0
    for r in rows:
        source, text = r["extracted_source"], r["claim"]
        complete += r["complete"]
        if after:
            if not is_proposition(r["language"], text):
                continue
            source = speaker(r["language"], source, r["sentence"]) if source else None
        shown += 1
        kept += r["complete"]
        fragments += not r["complete"]
        if source is None:
            continue
        named += 1
        right += bool(r["extracted_source_ok"]) if source == r["extracted_source"] else names(source, r["source"])
    return {
        "n": len(rows),
        "precision": right / named if named else 1.0,
        "named": named / shown if shown else 0.0,
        "fragments": fragments / shown if shown else 0.0,
        "kept": kept / complete if complete else 1.0,
    }


def corpus(root: Path, n: int) -> None:
    import random

    from narrascope.article import Article
    from narrascope.pipeline import load_pipeline

    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    total = named_total = 0
    for lang in LANGUAGES:
        folder = root / lang.upper()
        files = sorted((folder / "subtask-2-documents").glob("*.txt")) or sorted(folder.glob("*.txt"))
        random.Random(1).shuffle(files)
        claims = named = 0
        for path in files[:n]:
            analysis = pipeline(Article(id=path.name, raw_text=path.read_text("utf-8"), language=lang))
            claims += len(analysis.claims)
            named += sum(c.source is not None for c in analysis.claims)
        total, named_total = total + claims, named_total + named
        share = named / max(claims, 1)
        print(f"{lang:<4} {min(n, len(files)):>4} articles {claims:>5} claims {named:>5} named ({share:.1%})")
    print(f"all  {total:>5} claims {named_total:>5} named ({named_total / max(total, 1):.1%})")


def main() -> None:
    if "--corpus" in sys.argv:
        at = sys.argv.index("--corpus")
        n = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else 40
        corpus(Path(sys.argv[at + 1]), n)
        return
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    half = "tune" if "--tune" in sys.argv else "heldout"
    rows = [r for r in rows if r["split"] == half]
    print(f"{half} half: {len(rows)} claims")
    columns = f"{'source P':>8} {'named':>6} {'fragm.':>7}"
    head = f"{'':6}{'n':>4}   {columns}   {columns} {'kept':>5}"
    print(f"{'':10}   {'before (as extracted)':^24}   {'after (speaker rules)':^31}")
    print(head)
    for lang in (*LANGUAGES, "all"):
        sub = [r for r in rows if lang == "all" or r["language"] == lang]
        b, a = score(sub, after=False), score(sub, after=True)
        print(
            f"{lang:<6}{len(sub):>4}   {b['precision']:>8.2f} {b['named']:>6.2f} {b['fragments']:>7.1%}"
            f"   {a['precision']:>8.2f} {a['named']:>6.2f} {a['fragments']:>7.1%} {a['kept']:>5.2f}"
        )


if __name__ == "__main__":
    main()
