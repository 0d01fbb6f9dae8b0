"""Static files, each from a fixed place in an installed package: a request only picks a name from a table.

Plotly's JS comes from the `plotly` package, Swagger UI's from `swagger-ui-bundle`; nothing from a CDN.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

MEDIA = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


def _own(name: str) -> Callable[[], bytes]:
    return lambda: resources.files("narrascope.server").joinpath("static", name).read_bytes()


def _plotly() -> bytes:
    return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_bytes()


def _swagger(name: str) -> Callable[[], bytes]:
    def read() -> bytes:
        import swagger_ui_bundle

        return Path(swagger_ui_bundle.swagger_ui_path, name).read_bytes()

    return read


ASSETS: dict[str, Callable[[], bytes]] = {
    "core.js": _own("core.js"),
    "article.js": _own("article.js"),
    "corpus.js": _own("corpus.js"),
    "entities.js": _own("entities.js"),
    "claims.js": _own("claims.js"),
    "analyze.js": _own("analyze.js"),
    "review.js": _own("review.js"),
    "trends.js": _own("trends.js"),
    "stories.js": _own("stories.js"),
    "app.js": _own("app.js"),
    "app.css": _own("app.css"),
    "docs.js": _own("docs.js"),
    "plotly.min.js": _plotly,
    "swagger-ui-bundle.js": _swagger("swagger-ui-bundle.js"),
    "swagger-ui.css": _swagger("swagger-ui.css"),
}
PAGES = (
    "corpus",
    "article",
    "entities",
    "entity",
    "claims",
    "claim",
    "analyze",
    "review",
    "trends",
    "alerts",
    "stories",
)
# Assets from other packages (Plotly, Swagger UI): the same bytes for the life of an install
VENDOR_ASSETS = frozenset({"plotly.min.js", "swagger-ui-bundle.js", "swagger-ui.css"})
# The pages that draw charts: only they load Plotly (4.8 MB; once, then from the browser's cache)
CHART_PAGES = ("corpus", "entity", "claim")
PLOTLY_TAG = '<script src="/static/plotly.min.js" defer></script>\n'


def asset(name: str) -> tuple[bytes, str] | None:
    """The bytes and media type of a known asset, or None (a name not in the table is never looked up, nor
    remembered: only the table's names are cached, so requests for made-up names cannot grow memory)."""
    return _load(name) if name in ASSETS else None


@cache
def _load(name: str) -> tuple[bytes, str]:
    return ASSETS[name](), MEDIA[Path(name).suffix]


@cache
def page(name: str) -> str:
    """The HTML shell of one UI page (all data comes from the API, written with textContent)."""
    template = resources.files("narrascope.server").joinpath("templates", "page.html").read_text("utf-8")
    name = name if name in PAGES else "corpus"
    return template.replace("{{plotly}}", PLOTLY_TAG if name in CHART_PAGES else "").replace("{{page}}", name)


@cache
def docs_page() -> str:
    return resources.files("narrascope.server").joinpath("templates", "docs.html").read_text("utf-8")
