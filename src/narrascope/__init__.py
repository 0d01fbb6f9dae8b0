"""narrascope: which propaganda narratives a news article pushes, and the evidence for them.

Public API: `analyze`, `analyze_many`, `load_pipeline`, `Pipeline`, `Article`, `Analysis`, `Outcome`.
The names are imported on first use (module `__getattr__`), so `import narrascope` and `narrascope --version`
stay fast; model libraries load only when a pipeline is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from narrascope.version import __version__

if TYPE_CHECKING:
    from narrascope.analysis import Analysis
    from narrascope.article import Article, Span
    from narrascope.pipeline import Pipeline, load_pipeline
    from narrascope.runner import Outcome, analyze, analyze_many

_PUBLIC = {
    "Analysis": "narrascope.analysis",
    "Article": "narrascope.article",
    "Span": "narrascope.article",
    "Pipeline": "narrascope.pipeline",
    "load_pipeline": "narrascope.pipeline",
    "Outcome": "narrascope.runner",
    "analyze": "narrascope.runner",
    "analyze_many": "narrascope.runner",
}

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


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'narrascope' has no attribute {name!r}")
