"""What a capability builds on: the Component protocol, the two base classes, and the registry.

Like spaCy's, each component declares what it `requires` and what it `assigns` (names such as
`article.text` or `sentences`), so a pipeline in a bad order is rejected before any article is read.
Capabilities import this module to register themselves; `pipeline.py` imports the capabilities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from narrascope.analysis import LANGUAGE, TOO_SHORT, Analysis, NotAvailable

P = TypeVar("P")  # what a model component's predict gives per article
# The least clean text (words, title included) a capability judges: the SemEval-2025 training articles have
# at least 45; on the first N words of held-out articles the narrative model reaches its full-text precision and
# its rate of narratives asserted on `Other` articles only from about this length (benchmarks/min_text.py).
MIN_WORDS = 50
# No language component, or too little text to tell: not refused.
UNKNOWN_LANGUAGES = (None, "und")


@runtime_checkable
class Component(Protocol):
    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, analysis: Analysis) -> Analysis: ...

    def pipe(self, analyses: Iterable[Analysis], *, batch_size: int = 32) -> Iterator[Analysis]: ...


class BaseComponent:
    """Default `pipe` for components that work one article at a time.

    A component that makes judgments from the text sets `judges`: the pipeline does not run it on an article
    with less than `MIN_WORDS` words, nor on one in a language outside `languages` (None: any language), and
    records why (`abstention`)."""

    name: str = ""
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    judges: bool = False
    capability: str = ""  # what `not_available` calls it (default: `name`; an LLM backend names its capability)
    languages: frozenset[str] | None = None
    language_hint: str = ""  # what to do instead on a language outside `languages`
    judges_short_text: bool = False  # True: judges below `MIN_WORDS` too (a judgment read from one sentence)

    def __call__(self, analysis: Analysis) -> Analysis:
        raise NotImplementedError

    def pipe(self, analyses: Iterable[Analysis], *, batch_size: int = 32) -> Iterator[Analysis]:
        for analysis in analyses:
            yield self(analysis)

    def warm_up(self) -> None:
        """Load now what the component would load on its first article (a model it reads lazily), so that
        worker processes forked afterwards share it instead of each loading its own copy."""


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


def abstention(component: Component, analysis: Analysis, min_words: int = MIN_WORDS) -> NotAvailable | None:
    """Why `component` must not judge this article (recorded on it, with one warning), or None when it may.

    The language is checked only on articles of at least `min_words` words: identifying it on less is a guess."""
    if not getattr(component, "judges", False):
        return None
    article = analysis.article
    capability = getattr(component, "capability", "") or component.name
    words = len(article.clean_text.split())
    languages: frozenset[str] | None = getattr(component, "languages", None)
    if words < min_words and not getattr(component, "judges_short_text", False):
        found = NotAvailable(capability, TOO_SHORT)
        if not any(n.reason == TOO_SHORT for n in analysis.not_available):
            analysis.warnings.append(
                f"{article.id}: too little text to judge ({words} word{'s' if words != 1 else ''}; at least "
                f"{min_words} needed): no narratives, entity roles or technique spans"
            )
    elif (
        words >= min_words
        and languages is not None
        and article.language not in languages
        and article.language not in UNKNOWN_LANGUAGES
    ):
        found = NotAvailable(capability, LANGUAGE, article.language)
        covered = "it covers " + ", ".join(sorted(languages))
        hint = getattr(component, "language_hint", "")
        analysis.warnings.append(f"{article.id}: {found.describe()} ({covered}{'; ' + hint if hint else ''})")
    else:
        return None
    analysis.not_available.append(found)
    return found


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
