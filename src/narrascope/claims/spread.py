"""How far a claim group spread across a set of articles: distinct outlets and distinct stories, not repeats.

A story is an article with its near-duplicate copies (`ingest.near_duplicates`), so a claim carried by three
copies of one syndicated article counts once. An article of unknown outlet is counted as a story of unknown
outlet, never as an outlet (nothing says whether two of them are one outlet). The same counts as the store's
(`store/provenance.py`), for `narrascope claims` over files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from narrascope.analysis import Analysis
from narrascope.claims.grouping import ClaimGroup
from narrascope.ingest.near_duplicates import find_copies


@dataclass(frozen=True)
class Spread:
    outlets: int
    stories: int
    articles: int
    appearances: int
    unknown_outlet_stories: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def describe(self) -> str:
        parts = [_count(self.outlets, "outlet", "outlets")] if self.outlets or not self.unknown_outlet_stories else []
        if self.unknown_outlet_stories:
            parts.append(f"{_count(self.unknown_outlet_stories, 'story', 'stories')} of unknown outlet")
        counts = (_count(self.stories, "story", "stories"), _count(self.articles, "article", "articles"))
        return f"{' + '.join(parts)}; {', '.join(counts)}, {_count(self.appearances, 'appearance', 'appearances')}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def stories_of(analyses: Iterable[Analysis]) -> dict[str, str]:
    """Each article id mapped to the first id of its story (near-duplicate copies share one)."""
    return find_copies((a.id, a.article.raw_text) for a in analyses)


def spread(group: ClaimGroup, stories: Mapping[str, str]) -> Spread:
    members = group.members
    return Spread(
        outlets=len({m.outlet for m in members if m.outlet}),
        stories=len({stories.get(m.article_id, m.article_id) for m in members}),
        articles=len({m.article_id for m in members}),
        appearances=len(members),
        unknown_outlet_stories=len({stories.get(m.article_id, m.article_id) for m in members if not m.outlet}),
    )


def rank_by_spread(groups: Sequence[ClaimGroup], stories: Mapping[str, str]) -> list[tuple[ClaimGroup, Spread]]:
    """Groups with their spread, widest first: outlets, then stories, then articles, then appearances."""
    found = [(g, spread(g, stories)) for g in groups]
    order = {id(g): n for n, g in enumerate(groups)}
    return sorted(
        found, key=lambda p: (-p[1].outlets, -p[1].stories, -p[1].articles, -p[1].appearances, order[id(p[0])])
    )
