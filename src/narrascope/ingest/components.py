"""The ingest components: cleaning (boilerplate out; headline, cited sources, byline and stamp in), language
identification and sentence segmentation. The work itself lives in the modules beside this one."""

from __future__ import annotations

from pathlib import Path

from narrascope.analysis import Analysis, Sentence
from narrascope.components import BaseComponent, register
from narrascope.ingest.cleaning import clean, default_rules, load_rules
from narrascope.ingest.dates import parse_date
from narrascope.ingest.language import detect_language
from narrascope.ingest.sentences import split_sentences

# Bounds on what one article may cost: far above any news article (the longest SemEval one has ~20,000 characters,
# a few hundred sentences), low enough that every component stays within seconds and hundreds of MB on one article.
MAX_ANALYSED_CHARS = 50_000
MAX_SENTENCES = 5_000
# One sentence in each script of the training languages (Latin, Cyrillic, Devanagari)
WARM_UP_TEXTS = ("The government said on Monday.", "Правительство заявило в понедельник.", "सरकार ने सोमवार को कहा।")


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
        text = article.clean_text
        if len(text) > MAX_ANALYSED_CHARS:
            line_end = text.rfind("\n", MAX_ANALYSED_CHARS // 2, MAX_ANALYSED_CHARS) + 1
            cut = line_end or MAX_ANALYSED_CHARS
            analysis.warnings.append(
                f"{article.id}: the clean text has {len(text):,} characters; only the first {cut:,} are "
                f"analysed (the limit is {MAX_ANALYSED_CHARS:,}, far beyond a news article)"
            )
            article.text, article.offsets = text[:cut], article.offset_map.prefix(cut)
        return analysis


@register("language")
class LanguageIdentifier(BaseComponent):
    name = "language"
    requires = ("article.text",)
    assigns = ("article.language",)

    def __call__(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        code, confidence = detect_language(article.clean_text)
        if article.language and article.language != code:
            article.meta["detected_language"] = code  # the declared language wins, the detected one is kept
        else:
            article.language = code
        article.meta["language_confidence"] = confidence
        return analysis

    def warm_up(self) -> None:
        for sample in WARM_UP_TEXTS:  # lingua loads each script's language models on first use
            detect_language(sample)


@register("sentences")
class SentenceSegmenter(BaseComponent):
    name = "sentences"
    requires = ("article.text", "article.offsets")
    assigns = ("sentences",)

    def __call__(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        clean = article.clean_text
        sentences: list[Sentence] = []
        for start, end in split_sentences(clean):
            if len(sentences) == MAX_SENTENCES:
                analysis.warnings.append(
                    f"{article.id}: more than {MAX_SENTENCES:,} sentences; only the first {MAX_SENTENCES:,} are kept"
                )
                break
            span = article.raw_span(start, end)
            sentences.append(Sentence(span.start, span.end, article.raw_text[span.start : span.end]))
        analysis.sentences = sentences
        return analysis
