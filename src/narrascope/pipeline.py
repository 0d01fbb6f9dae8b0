"""Components and the pipeline that runs them.

Like spaCy's, each component declares what it `requires` and what it `assigns` (names such as
`article.text` or `sentences`), so a pipeline in a bad order is rejected before any article is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.errors import PipelineError

# What an Article holds before any component ran.
INITIAL_ATTRIBUTES = frozenset({"article.raw_text", "article.id", "article.meta"})
P = TypeVar("P")  # what a model component's predict gives per article


@runtime_checkable
class Component(Protocol):
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, analysis: Analysis) -> Analysis: ...

    def pipe(self, analyses: Iterable[Analysis], *, batch_size: int = 32) -> Iterator[Analysis]: ...


class BaseComponent:
    """Default `pipe` for components that work one article at a time."""

    name: str = ""
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()

    def __call__(self, analysis: Analysis) -> Analysis:
        raise NotImplementedError

    def pipe(self, analyses: Iterable[Analysis], *, batch_size: int = 32) -> Iterator[Analysis]:
        for analysis in analyses:
            yield self(analysis)


class BatchComponent(BaseComponent, Generic[P]):
    """A model component: `predict` scores a batch without writing anything, `set_annotations` writes the
    results, as in spaCy; `__call__` and `pipe` are built from the two."""

    def predict(self, analyses: Sequence[Analysis]) -> list[P]:
        raise NotImplementedError

    def set_annotations(self, analyses: Sequence[Analysis], predictions: Sequence[P]) -> None:
        raise NotImplementedError

    def __call__(self, analysis: Analysis) -> Analysis:
        self.set_annotations([analysis], self.predict([analysis]))
        return analysis

    def pipe(self, analyses: Iterable[Analysis], *, batch_size: int = 32) -> Iterator[Analysis]:
        iterator = iter(analyses)
        while batch := list(islice(iterator, batch_size)):
            self.set_annotations(batch, self.predict(batch))
            yield from batch


ComponentFactory = Callable[..., Any]  # a class or function that returns a Component
_REGISTRY: dict[str, ComponentFactory] = {}
F = TypeVar("F", bound=ComponentFactory)
DEFAULT_COMPONENTS = ("cleaning", "language", "sentences", "narratives", "entities", "techniques", "claims")


def register(name: str) -> Callable[[F], F]:
    """Register a component factory under `name` for `load_pipeline` and `--components`."""

    def decorator(factory: F) -> F:
        _REGISTRY[name] = factory
        return factory

    return decorator


def registered_components() -> list[str]:
    _load_builtin_components()
    return sorted(_REGISTRY)


def _load_builtin_components() -> None:
    # Explicit, not a side effect of `import narrascope`: the modules register themselves here.
    from narrascope.components import claims, cleaning, entities, language, narratives, sentences, techniques  # noqa: F401


class Pipeline:
    """An ordered list of components, checked once when built."""

    def __init__(self, components: Iterable[Component]) -> None:
        self.components = list(components)
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
            analysis = component(analysis)
            analysis.components.append(component.name)
        return analysis

    def pipe(self, articles: Iterable[Article | Analysis], *, batch_size: int = 32) -> Iterator[Analysis]:
        stream: Iterable[Analysis] = (a if isinstance(a, Analysis) else Analysis(a) for a in articles)
        for component in self.components:
            stream = _mark(component.pipe(stream, batch_size=batch_size), component.name)
        yield from stream


def _mark(stream: Iterator[Analysis], name: str) -> Iterator[Analysis]:
    for analysis in stream:
        analysis.components.append(name)
        yield analysis


def load_pipeline(components: Iterable[str] | None = None, **options: Any) -> Pipeline:
    """A pipeline of registered components by name, in the order given (the default ones if none).

    `options` go to every factory that accepts them (e.g. `rules_path` for cleaning).
    """
    _load_builtin_components()
    names = list(components) if components is not None else list(DEFAULT_COMPONENTS)
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown:
        raise PipelineError(
            f"unknown component {', '.join(repr(n) for n in unknown)}; available: {', '.join(sorted(_REGISTRY))}"
        )
    built = []
    for name in names:
        factory = _REGISTRY[name]
        accepted = getattr(factory, "options", ())
        component = factory(**{k: v for k, v in options.items() if k in accepted})
        if not isinstance(component, Component):
            raise PipelineError(f"factory of component '{name}' returned {component!r}, not a Component")
        built.append(component)
    return Pipeline(built)
