"""What the store counts: which judgments are asserted, which capabilities ran, which outlet an article has.

One rule, set at ingest from the analysis and read by every query. A judgment is *asserted* when its calibrated
score passed the threshold the analysis ran with (`--min-score`): a narrative or subnarrative whose score, calibrated
for the article's language, reached that language's threshold (`asserted` in the JSON; JSON before schema 1.4:
every label the decoder picked, as it showed them), an entity role
other than `uncertain`/`mentioned`, a technique span with `asserted`, a claim stance other than `unclear`. The
store keeps the rest with `asserted = 0` and its score; `asserted_sql` is the one SQL condition every list
filter, chart count, listing and export uses, so `include_withheld` means the same thing everywhere.

Over that rule lies the analysts' one: the *corrected view* (the default of every surface) is the model's
judgments with the corrections in force applied, as `store/corrected.py` writes them into the same rows
(`rejected`, `analyst`, `model = 0` for a judgment an analyst added, `analyst_role` for a changed role). A
rejected judgment is gone from it, an added one present, an accepted withheld one asserted. The *model view*
(`view="model"`) reads the model's rows as ingest stored them, for comparison.
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


CORRECTED, MODEL = "corrected", "model"
VIEWS = (CORRECTED, MODEL)
ANALYST_ASSERTS = "('accept', 'change', 'add')"  # actions that make a judgment asserted in the corrected view
# an entity's role as the model gave it: the asserted role, or a withheld one's best candidate
MODEL_ROLE = "CASE WHEN {a}.asserted = 1 THEN {a}.main_role ELSE COALESCE({a}.candidate_role, {a}.main_role) END"


def _alias(alias: str) -> str:
    if not alias.isidentifier():
        raise ValueError(f"not an SQL alias: {alias!r}")
    return alias


def _view(view: str) -> str:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, found {view!r}")
    return view


def asserted_sql(alias: str, *, include_withheld: bool, view: str = CORRECTED) -> str:
    """The SQL condition on alias `alias` of `narratives`, `entities` or `techniques` for the judgments a view
    counts: in the corrected view nothing rejected, and a withheld judgment once an analyst accepted it."""
    a = _alias(alias)
    if _view(view) == MODEL:
        return f"{a}.model = 1" if include_withheld else f"({a}.model = 1 AND {a}.asserted = 1)"
    if include_withheld:
        return f"{a}.rejected = 0"
    return f"({a}.rejected = 0 AND ({a}.asserted = 1 OR {a}.analyst IN {ANALYST_ASSERTS}))"


def stance_sql(alias: str, *, include_withheld: bool = False) -> str:
    """The condition on alias `alias` of `claims` (no analyst corrects claims: one view)."""
    return "1" if include_withheld else f"{_alias(alias)}.asserted = 1"


def role_sql(alias: str, *, view: str = CORRECTED) -> str:
    """An entity row's role in a view: the analyst's role where one was given, else the model's."""
    model = MODEL_ROLE.format(a=_alias(alias))
    return model if _view(view) == MODEL else f"COALESCE({alias}.analyst_role, {model})"


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


def covered(not_covered_value: str | None, capability: str) -> bool:
    """`covered_sql` on one `articles.not_covered` value: whether `capability` ran on the article."""
    return f" {capability} " not in (not_covered_value or "")


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
