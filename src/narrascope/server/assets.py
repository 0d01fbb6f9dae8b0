"""Static files, each from a fixed place in an installed package: a request only picks a name from a table.

Plotly's JS is its basic bundle (bar, scatter, pie: every chart the pages draw; 1.2 MB instead of the full
4.8 MB, which took over a second to parse on a first visit), plotly.js-basic-dist-min 4.1.1 from npm, MIT
(`static/plotly-basic.LICENSE.txt`), shipped in the package; Swagger UI's from `swagger-ui-bundle`; nothing
from a CDN.
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
    "plotly-basic.min.js": _own("plotly-basic.min.js"),
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
VENDOR_ASSETS = frozenset({"plotly-basic.min.js", "swagger-ui-bundle.js", "swagger-ui.css"})


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
    return template.replace("{{page}}", name if name in PAGES else "corpus")


@cache
def docs_page() -> str:
    return resources.files("narrascope.server").joinpath("templates", "docs.html").read_text("utf-8")
