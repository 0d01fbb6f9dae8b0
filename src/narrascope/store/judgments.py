"""What the store counts: which judgments are asserted, which capabilities ran, which outlet an article has.

One rule, set at ingest from the analysis and read by every query. A judgment is *asserted* when its calibrated
score passed the threshold the analysis ran with (`--min-score`): a narrative or subnarrative whose score, calibrated
for the article's language, reached that language's threshold (`asserted` in the JSON; JSON before schema 1.4:
every label the decoder picked, as it showed them), an entity role
other than `uncertain`/`mentioned`, a technique span with `asserted`, a claim stance other than `unclear`. The
store keeps the rest with `asserted = 0` and its score; `asserted_sql` is the one SQL condition every list
filter, chart count, listing and export uses, so `include_withheld` means the same thing everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from narrascope.analysis import ASSERTED_ROLES, LANGUAGE, Analysis, Claim, EntityRole, NarrativeHit, TechniqueSpan
from narrascope.article import Article

UNCLEAR_STANCE = "unclear"
CAPABILITIES = ("narratives", "entities", "techniques", "claims")
# warnings the components wrote, before `not_available`, when an article's language was outside what they cover
_NOT_COVERED = (
    ("entities", re.compile(r"entity detection needs \w+ text \(found ([\w-]+)\)")),
    ("techniques", re.compile(r"technique model is [\w-]+-only \(found ([\w-]+)\)")),
)


def narrative_asserted(hit: NarrativeHit) -> bool:
    return hit.asserted


def role_asserted(entity: EntityRole) -> bool:
    return entity.main_role in ASSERTED_ROLES


def technique_asserted(span: TechniqueSpan) -> bool:
    return span.asserted


def stance_asserted(claim: Claim) -> bool:
    return claim.stance != UNCLEAR_STANCE


def asserted_sql(alias: str, *, include_withheld: bool) -> str:
    """The SQL condition on table alias `alias` for the judgments a view counts."""
    if not alias.isidentifier():
        raise ValueError(f"not an SQL alias: {alias!r}")
    return "1" if include_withheld else f"{alias}.asserted = 1"


def not_covered(document: Mapping[str, Any]) -> dict[str, str]:
    """Capabilities that did not run on an article's language, e.g. {"entities": "bg"}, from an analysis's JSON:
    its `not_available` records (schema 1.3), or for analyses stored before them, the warnings they wrote."""
    found: dict[str, str] = {}
    for item in document.get("not_available") or []:
        if item.get("reason") == LANGUAGE:
            found[str(item["capability"])] = str(item.get("language") or "")
    for warning in document.get("warnings") or []:
        for capability, pattern in _NOT_COVERED:
            match = pattern.search(warning)
            if match:
                found.setdefault(capability, match.group(1))
    return found


def not_covered_column(analysis: Analysis) -> str:
    """The `articles.not_covered` value: capability names, space-separated and padded (`LIKE '% entities %'`)."""
    document = {"not_available": [vars(n) for n in analysis.not_available], "warnings": analysis.warnings}
    names = sorted(not_covered(document))
    return f" {' '.join(names)} " if names else ""


def covered_sql(capability: str) -> str:
    """The SQL condition on `articles a` for articles that `capability` ran on."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    return f"instr(COALESCE(a.not_covered, ''), ' {capability} ') = 0"


def outlet(article: Article) -> str | None:
    """The outlet: the `source` field (or the page's site name, which the HTML reader puts there), else the
    URL's domain without `www.`; None when there is neither."""
    if article.source and article.source.strip():
        return article.source.strip()
    if not article.url:
        return None
    try:
        host = urlsplit(article.url.strip()).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host[4:] if host.startswith("www.") else host
