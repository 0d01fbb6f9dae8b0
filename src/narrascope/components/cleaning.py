"""Cleaning component: boilerplate lines out, headline, cited sources, byline and stamp in."""

from __future__ import annotations

from pathlib import Path

from narrascope.analysis import Analysis
from narrascope.ingest.cleaning import clean, default_rules, load_rules
from narrascope.ingest.dates import parse_date
from narrascope.pipeline import BaseComponent, register


@register("cleaning")
class Cleaner(BaseComponent):
    name = "cleaning"
    requires = ("article.raw_text",)
    assigns = (
        "article.text",
        "article.offsets",
        "article.title",
        "article.cited_sources",
        "article.published",
    )
    options = ("rules_path",)

    def __init__(self, *, rules_path: str | Path | None = None) -> None:
        self.rules = load_rules(rules_path) if rules_path else default_rules()

    def __call__(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        result = clean(article.raw_text, rules=self.rules)
        article.text, article.offsets = result.text, result.offsets
        if not article.title:
            article.title = result.title
        for source in result.cited_sources:
            if source not in article.cited_sources:
                article.cited_sources.append(source)
        if result.byline and "byline" not in article.meta:
            article.meta["byline"] = result.byline
        if result.published_stamp:
            article.meta["published_stamp"] = result.published_stamp
            if not article.published:
                article.published = parse_date(result.published_stamp)
        article.meta["removed_lines"] = [{"start": r.start, "end": r.end, "rule": r.rule} for r in result.removed]
        return analysis
