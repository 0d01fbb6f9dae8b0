"""What a capability builds on: the Component protocol, the two base classes, and the registry.

Like spaCy's, each component declares what it `requires` and what it `assigns` (names such as
`article.text` or `sentences`), so a pipeline in a bad order is rejected before any article is read.
Capabilities import this module to register themselves; `pipeline.py` imports the capabilities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from narrascope.analysis import Analysis

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


def register(name: str) -> Callable[[F], F]:
    """Register a component factory under `name` for `load_pipeline` and `--components`."""

    def decorator(factory: F) -> F:
        _REGISTRY[name] = factory
        return factory

    return decorator


def registered_factories() -> dict[str, ComponentFactory]:
    """The registry as it stands (call `pipeline.registered_components` to have the built-in ones loaded)."""
    return dict(_REGISTRY)
