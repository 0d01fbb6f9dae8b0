"""The REST API and web UI: `create_app(db)` gives a FastAPI app over one corpus store.

Errors are JSON `{code, message}` with a 4xx status (a bad query parameter is 422), request bodies are
bounded, every response carries a strict Content-Security-Policy, and with a token every /api route needs
`Authorization: Bearer TOKEN`. Library errors carry the messages; this module only maps them to statuses.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from narrascope.article import Article
from narrascope.errors import NarrascopeError
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.server.assets import asset, docs_page, page
from narrascope.server.corpus_routes import corpus_router
from narrascope.server.corrections import corrections_router
from narrascope.server.params import Filters, Limit, Offset, Text, Withheld
from narrascope.server.stories import stories_router
from narrascope.server.trends import watch_router
from narrascope.store.corrections import Vocabulary, list_corrections
from narrascope.store.db import Store, stamp_hash
from narrascope.store.gold import apply_corrections
from narrascope.store.judgments import not_covered
from narrascope.store.provenance import claim_group, list_claim_groups
from narrascope.store.queries import (
    entity_framing,
    get_article,
    list_articles,
    list_entities,
    narrative_stats,
)

MAX_BODY = 5 * 1024 * 1024
MAX_TEXT = 1_000_000
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class ArticleIn(BaseModel):
    """An article to analyse: the text (SemEval layout: title on the first line, unless `title` is given)."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    source: str | None = Field(default=None, max_length=500)
    published: str | None = Field(default=None, max_length=100)
    id: str | None = Field(default=None, max_length=500, description="Given id; the content hash when absent.")

    def article(self) -> Article:
        return Article(
            raw_text=self.text, id=self.id or "", title=self.title, url=self.url, source=self.source,
            published=self.published,
        )  # fmt: skip


class ApiError(HTTPException):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message)
        self.code = code


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


class LimitBody:
    """Refuses a request body over `limit` bytes with 413, whether or not it declares its length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = _error(413, "body_too_large", f"request body over {self.limit} bytes")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await too_big(scope, receive, send)
            return
        chunks: list[bytes] = []  # a body of unknown length is read up to the limit before the app sees it
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.limit:
                await too_big(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed, send)


class State:
    """The store (one connection per thread; WAL lets readers run beside a writer) and a lazily loaded pipeline."""

    def __init__(self, db: str, pipeline: Pipeline | None = None) -> None:
        self.db = db
        Store(db).close()  # creates or migrates the file once, before serving
        self._local = threading.local()
        self._write = threading.Lock()
        self._pipeline: Pipeline | None = pipeline  # the one `serve` built from its options, or the default one
        self._pipeline_lock = threading.Lock()

    def store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.db)
        return store

    def analyze(self, article: Article) -> Any:
        with self._pipeline_lock:
            if self._pipeline is None:
                self._pipeline = load_pipeline()
            return self._pipeline(article)


def create_app(
    db: str, *, token: str | None = None, max_body: int = MAX_BODY, pipeline: Pipeline | None = None,
    vocabulary: Vocabulary | None = None,
) -> FastAPI:  # fmt: skip
    """The API and UI over the store at `db` (created when missing); `pipeline` analyses what is posted (the
    default pipeline, loaded on first use, when None); `vocabulary` checks corrections' labels (SemEval's when
    None)."""
    state = State(db, pipeline)
    vocabulary = vocabulary or Vocabulary()
    app = FastAPI(title="narrascope", docs_url=None, redoc_url=None, version="1")
    app.openapi_version = "3.0.3"  # the Swagger UI that swagger-ui-bundle ships (4.x) reads OpenAPI 3.0

    def check_token(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise ApiError(401, "unauthorized", "this API needs the header Authorization: Bearer TOKEN")

    api = APIRouter(prefix="/api", dependencies=[Depends(check_token)])

    @api.post("/analyze", summary="Analyse one article; nothing is stored")
    def analyze(body: ArticleIn) -> dict[str, Any]:
        document = dict(state.analyze(body.article()).to_dict())
        document["not_covered"] = not_covered(document)  # as GET /api/articles/ID gives it
        return document

    @api.post("/articles", status_code=201, summary="Analyse one article and store it")
    def add_article(body: ArticleIn) -> dict[str, Any]:
        article = body.article()
        stamp_hash(article)
        analysis = state.analyze(article)
        with state._write:
            result = state.store().put_batch([analysis])
        status = "added" if result.added else "updated" if result.updated else "present"
        return {"id": analysis.id, "status": status}

    @api.get("/articles", summary="Articles matching the filters, newest first, paged")
    def articles(flt: Filters, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        return list_articles(state.store(), flt, limit=limit, offset=offset)

    @api.get("/articles/{article_id:path}", summary="One stored analysis (offsets into raw_text)")
    def article(article_id: str) -> dict[str, Any]:
        found = get_article(state.store(), article_id)
        if found is None:
            raise ApiError(404, "not_found", f"no article with id {article_id!r}")
        return apply_corrections(found, list_corrections(state.store(), article_id=article_id), vocabulary)

    @api.get("/stats/narratives", summary="Articles per (sub)narrative, by source, day, week or month")
    def stats(
        flt: Filters,
        by: Literal["source", "day", "week", "month"] = "month",
        level: Literal["narrative", "subnarrative"] = "narrative",
    ) -> dict[str, Any]:
        return narrative_stats(state.store(), by, flt, level=level)

    @api.get("/entities", summary="Entities with the roles the corpus casts them in (articles per role)")
    def entities(
        q: Text = None, limit: Limit = 100, offset: Offset = 0, include_withheld: Withheld = False
    ) -> dict[str, Any]:
        return list_entities(state.store(), q=q, limit=limit, offset=offset, include_withheld=include_withheld)

    @api.get("/entities/{name:path}", summary="How each outlet frames one entity")
    def entity(name: str, include_withheld: Withheld = False) -> dict[str, Any]:
        found = entity_framing(state.store(), name, include_withheld=include_withheld)
        if found is None:
            raise ApiError(404, "not_found", f"no entity named {name!r}")
        return found

    @api.get("/claims", summary="Claim groups, widest spread first: distinct outlets, then stories, then articles")
    def claims(
        q: Text = None, min_size: Annotated[int, Query(ge=1, le=100000)] = 1, limit: Limit = 50, offset: Offset = 0
    ) -> dict[str, Any]:
        return list_claim_groups(state.store(), q=q, min_size=min_size, limit=limit, offset=offset)

    @api.get(
        "/claims/{group}", summary="A claim group's provenance: first appearance per outlet, stances, chains, wordings"
    )
    def claim(group: Annotated[int, Path(ge=0, le=2**62)]) -> dict[str, Any]:
        found = claim_group(state.store(), group)
        if found is None:
            raise ApiError(404, "not_found", f"no claim group {group}")
        return found

    api.include_router(stories_router(state.store))
    api.include_router(corpus_router(state.store))
    api.include_router(watch_router(state.store))
    app.include_router(api)
    app.include_router(corrections_router(state, vocabulary, state._write), dependencies=[Depends(check_token)])
    _ui_routes(app)
    _error_handlers(app)
    _security_headers(app)
    app.add_middleware(LimitBody, limit=max_body)
    return app


def _ui_routes(app: FastAPI) -> None:
    def shell(name: str) -> Callable[[], HTMLResponse]:
        return lambda: HTMLResponse(page(name))  # no parameters: nothing from the request reaches the page

    for route, name in (("/", "corpus"), ("/article", "article"), ("/entities", "entities"), ("/entity", "entity"),
                        ("/claims", "claims"), ("/claim", "claim"), ("/analyze", "analyze"),
                        ("/review", "review"), ("/trends", "trends"), ("/alerts", "alerts")):  # fmt: skip
        app.add_api_route(route, shell(name), include_in_schema=False)
    app.add_api_route("/docs", lambda: HTMLResponse(docs_page()), include_in_schema=False)
    app.add_api_route("/favicon.ico", lambda: Response(status_code=204), include_in_schema=False)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        found = asset(name)
        if found is None:
            raise ApiError(404, "not_found", "no such asset")
        return Response(found[0], media_type=found[1], headers={"Cache-Control": "max-age=3600"})


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
            parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        return _error(422, "invalid_request", "; ".join(parts))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = getattr(exc, "code", None) or {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        response = _error(exc.status_code, code, str(exc.detail))
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, "internal", f"unexpected {type(exc).__name__}")

    @app.exception_handler(NarrascopeError)
    async def user_error(request: Request, exc: NarrascopeError) -> JSONResponse:
        return _error(400, "bad_input", str(exc))


def _security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response
