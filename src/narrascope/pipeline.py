"""The pipeline: an ordered list of registered components, checked before any article is read.

This module imports the built-in capabilities (so they register themselves); nothing below imports it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.components import MIN_WORDS, Component, abstention, registered_factories
from narrascope.defaults import DEFAULT_COMPONENTS as DEFAULT_COMPONENTS  # re-exported: its old home
from narrascope.errors import PipelineError

# What an Article holds before any component ran.
INITIAL_ATTRIBUTES = frozenset({"article.raw_text", "article.id", "article.meta"})
# `--backend llm`: the components with an LLM backend, and the component that replaces each.
LLM_BACKENDS = {"narratives": "narratives-llm", "entities": "entities-llm", "explanations": "explanations-llm"}


def registered_components() -> list[str]:
    _load_builtin_components()
    return sorted(registered_factories())


def _load_builtin_components() -> None:
    # Explicit, not a side effect of `import narrascope`: the modules register themselves here.
    from narrascope.claims import component as _claims  # noqa: F401
    from narrascope.entities import component as _entities  # noqa: F401
    from narrascope.entities import llm as _entities_llm  # noqa: F401
    from narrascope.explanations import component as _explanations  # noqa: F401
    from narrascope.explanations import llm as _explanations_llm  # noqa: F401
    from narrascope.ingest import components as _ingest  # noqa: F401
    from narrascope.narratives import component as _narratives  # noqa: F401
    from narrascope.narratives import llm as _narratives_llm  # noqa: F401
    from narrascope.techniques import component as _techniques  # noqa: F401


class Pipeline:
    """An ordered list of components, checked once when built.

    Components that judge (`BaseComponent.judges`) do not run on articles of fewer than `min_words` words or
    in a language they do not cover (`components.abstention`). The SemEval task commands (`predict`,
    `evaluate`) pass `min_words=0`: the task's scorer wants a label for every document."""

    def __init__(self, components: Iterable[Component], *, min_words: int = MIN_WORDS) -> None:
        self.components = list(components)
        self.min_words = min_words
        self._check_order()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def _check_order(self) -> None:
        available = set(INITIAL_ATTRIBUTES)
        seen: set[str] = set()
        for position, component in enumerate(self.components, start=1):
            if component.name in seen:
                raise PipelineError(f"component '{component.name}' appears twice in the pipeline")
            seen.add(component.name)
            missing = [r for r in component.requires if r not in available]
            if missing:
                providers = sorted(
                    {c.name for c in self.components if set(c.assigns) & set(missing)} - {component.name}
                )
                fix = (
                    f"put {', '.join(providers)} before it"
                    if providers
                    else "add a component that assigns it earlier in the pipeline"
                )
                raise PipelineError(
                    f"component '{component.name}' (position {position}) requires {', '.join(missing)}, "
                    f"which no earlier component assigns: {fix}"
                )
            available.update(component.assigns)

    def __call__(self, article: Article | Analysis) -> Analysis:
        analysis = article if isinstance(article, Analysis) else Analysis(article)
        for component in self.components:
            if abstention(component, analysis, self.min_words) is None:
                analysis = component(analysis)
            analysis.components.append(component.name)
        return analysis

    def warm_up(self) -> None:
        """Each component loads what it would load lazily (`BaseComponent.warm_up`): before forking workers."""
        for component in self.components:
            warm_up = getattr(component, "warm_up", None)
            if callable(warm_up):
                warm_up()

    def pipe(self, articles: Iterable[Article | Analysis], *, batch_size: int = 32) -> Iterator[Analysis]:
        stream: Iterator[Analysis] = (a if isinstance(a, Analysis) else Analysis(a) for a in articles)
        for component in self.components:
            stream = _mark(_judged(component, stream, batch_size, self.min_words), component.name)
        yield from stream


def _judged(component: Component, stream: Iterator[Analysis], batch_size: int, min_words: int) -> Iterator[Analysis]:
    """`component.pipe` over the articles it may judge (`abstention`); the others pass through, in order."""
    while chunk := list(islice(stream, batch_size)):
        runs = [abstention(component, analysis, min_words) is None for analysis in chunk]
        done = component.pipe((a for a, run in zip(chunk, runs, strict=True) if run), batch_size=batch_size)
        for analysis, run in zip(chunk, runs, strict=True):
            yield next(done) if run else analysis


def _mark(stream: Iterator[Analysis], name: str) -> Iterator[Analysis]:
    for analysis in stream:
        analysis.components.append(name)
        yield analysis


def with_backend(names: Iterable[str], backend: str) -> list[str]:
    """Component names with each capability that has an LLM backend swapped for it when `backend` is llm."""
    if backend not in ("offline", "llm"):
        raise PipelineError(f"unknown backend {backend!r}; available: offline, llm")
    return [LLM_BACKENDS.get(n, n) if backend == "llm" else n for n in names]


def load_pipeline(components: Iterable[str] | None = None, **options: Any) -> Pipeline:
    """A pipeline of registered components by name, in the order given (the default ones if none).

    `options` go to every factory that accepts them (e.g. `rules_path` for cleaning); `min_words` (default
    `MIN_WORDS`) to the `Pipeline`.
    """
    min_words = int(options.pop("min_words", MIN_WORDS))
    _load_builtin_components()
    registry = registered_factories()
    names = list(components) if components is not None else list(DEFAULT_COMPONENTS)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise PipelineError(
            f"unknown component {', '.join(repr(n) for n in unknown)}; available: {', '.join(sorted(registry))}"
        )
    built = []
    for name in names:
        factory = registry[name]
        accepted = getattr(factory, "options", ())
        component = factory(**{k: v for k, v in options.items() if k in accepted})
        if not isinstance(component, Component):
            raise PipelineError(f"factory of component '{name}' returned {component!r}, not a Component")
        built.append(component)
    return Pipeline(built, min_words=min_words)
