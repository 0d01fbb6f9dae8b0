"""narrascope: which propaganda narratives a news article pushes, and the evidence for them.

Public API: `analyze`, `load_pipeline`, `Pipeline`, `Article`, `Analysis`.
"""

from __future__ import annotations

from narrascope.analysis import Analysis
from narrascope.article import Article, Span
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.runner import Outcome, analyze, analyze_many
from narrascope.version import __version__

__all__ = [
    "Analysis",
    "Article",
    "Outcome",
    "Pipeline",
    "Span",
    "__version__",
    "analyze",
    "analyze_many",
    "load_pipeline",
]
