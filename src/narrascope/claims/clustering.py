"""Groups that cannot chain: a claim joins a group only when it matches the group as a whole.

Pairwise matching (`claims.matching`, `claims.grouping`) says which two claims are one claim. Joining every
matching pair (connected components) lets a group drift: A matches B, B matches C, ... and the group ends far
from its first claim. Here groups are built leader first, in a fixed order that does not depend on the order the
claims arrived in (earliest publication, then article id, then offset): a claim joins the group whose first
claim (its leader) it matches AND at least `MIN_SHARE` of whose members it matches; otherwise it starts a group.
Every member therefore matches the leader, and most of the others, so a group's members say the same thing as
each other. Among groups it could join, a claim takes the one it matches best (the largest share, then the
earliest). The canonical wording shown for a group is the member that matches most of the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MIN_SHARE = 0.6  # the share of a group's members a joining claim must match (besides its leader)

Key = tuple[str, str, int, str]


def leader_clusters(
    keys: Sequence[Key],
    links: Mapping[tuple[int, int], float],
    *,
    articles: Sequence[frozenset[str]] | None = None,
    near_copy: float = 2.0,
    min_share: float = MIN_SHARE,
) -> list[list[int]]:
    """Clusters of the units `0..len(keys)-1` (each a list, its leader first, in key order).

    `links` holds the matching pairs (i, j) with their score. With `articles`, a unit does not join a group that
    already holds a claim of one of its articles (an article does not say one thing twice in other words) unless
    it matches a member of that article at `near_copy` or above.
    """
    neighbours: dict[int, dict[int, float]] = {}
    for (i, j), score in links.items():
        if i != j:
            neighbours.setdefault(i, {})[j] = max(score, neighbours.get(i, {}).get(j, score))
            neighbours.setdefault(j, {})[i] = max(score, neighbours.get(j, {}).get(i, score))
    cluster_of: dict[int, int] = {}
    clusters: list[list[int]] = []
    held: list[set[str]] = []
    for unit in sorted(range(len(keys)), key=keys.__getitem__):
        near = neighbours.get(unit, {})
        best: tuple[float, int] | None = None
        for c in sorted({cluster_of[v] for v in near if v in cluster_of}):
            members = clusters[c]
            if members[0] not in near:
                continue  # not the group's first claim: never joined through a neighbour
            share = sum(v in near for v in members) / len(members)
            if share < min_share:
                continue
            repeated = articles is not None and bool(held[c] & articles[unit])
            if repeated and max(near.get(v, 0.0) for v in members) < near_copy:
                continue
            if best is None or share > best[0]:
                best = (share, c)
        if best is None:
            cluster_of[unit] = len(clusters)
            clusters.append([unit])
            held.append(set(articles[unit]) if articles is not None else set())
        else:
            cluster_of[unit] = best[1]
            clusters[best[1]].append(unit)
            if articles is not None:
                held[best[1]] |= articles[unit]
    return clusters


def most_linked(members: Sequence[int], links: Mapping[tuple[int, int], float], tiebreak: Mapping[int, float]) -> int:
    """The member that matches most of the others (then the higher `tiebreak`, then the first)."""
    inside = set(members)
    count = dict.fromkeys(members, 0)
    for i, j in links:
        if i in inside and j in inside and i != j:
            count[i] += 1
            count[j] += 1
    return max(members, key=lambda m: (count[m], tiebreak[m], -members.index(m)))
