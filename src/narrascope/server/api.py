"""The REST API and web UI: `create_app(db)` gives a FastAPI app over one corpus store.

Errors are JSON `{code, message}` with a 4xx status (a bad query parameter is 422), request bodies are
bounded, every response carries a strict Content-Security-Policy, and with a token every /api route needs
`Authorization: Bearer TOKEN`. Library errors carry the messages; this module only maps them to statuses.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.errors import NarrascopeError
from narrascope.pipeline import Pipeline
from narrascope.server.actor_routes import actors_router
from narrascope.server.analyses import AnalysisQueue, ClientGone
from narrascope.server.assets import VENDOR_ASSETS, asset, docs_page, page
from narrascope.server.corpus_routes import corpus_router
from narrascope.server.corrections import corrections_router
from narrascope.server.params import Filters, Limit, Offset, Text, View, Withheld
from narrascope.server.security import Guard, Refused, allowed_hosts
from narrascope.server.stories import stories_router
from narrascope.server.trends import watch_router
from narrascope.store.corrections import Vocabulary, list_corrections
from narrascope.store.db import Store, read_only_media, stamp_hash
from narrascope.store.entity_queries import entity_framing, list_entities
from narrascope.store.gold import apply_corrections
from narrascope.store.judgments import not_covered
from narrascope.store.provenance import claim_group, list_claim_groups
from narrascope.store.queries import get_article, list_articles, narrative_stats

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


ApiError = Refused
LOG = logging.getLogger("narrascope.server")


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


class State:
    """The store (one connection per thread; WAL lets readers run beside a writer) and the analysis queue.

    A store on read-only media (or a read-only file) is served read-only: reads work, storing is refused."""

    def __init__(self, db: str, pipeline: Pipeline | None = None, spec: Any = None) -> None:
        self.db = db
        self.readonly = os.path.exists(db) and read_only_media(db)
        Store(db, readonly=self.readonly).close()  # creates or migrates the file once, before serving
        self._local = threading.local()
        self._write = threading.Lock()
        # a picklable spec: the pipeline is rebuilt in a worker process; a pipeline alone (an LLM client in it):
        # one thread of this process; neither: the default pipeline, in a worker process
        self.analyses = AnalysisQueue(pipeline=None if spec is not None else pipeline, spec=spec)

    def store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.db, readonly=self.readonly)
        return store

    def put(self, analysis: Analysis) -> dict[str, Any]:
        with self._write:
            result = self.store().put_batch([analysis])
        status = "added" if result.added else "updated" if result.updated else "present"
        return {"id": analysis.id, "status": status}


def create_app(
    db: str,
    *,
    token: str | None = None,
    max_body: int = MAX_BODY,
    pipeline: Pipeline | None = None,
    spec: Any = None,
    host: str = "127.0.0.1",
    allowed: tuple[str, ...] = (),
    vocabulary: Vocabulary | None = None,
) -> FastAPI:
    """The API and UI over the store at `db` (created when missing); `pipeline` analyses what is posted (the
    default pipeline, loaded on first use in a worker process, when None; with `spec`, the worker process builds
    it from that `engine.local.PipelineSpec`); `vocabulary` checks corrections' labels (SemEval's when None).
    Requests whose Host header names neither `host` (nor, for loopback, 127.0.0.1 / localhost / [::1]) nor one
    of `allowed` are refused."""
    state = State(db, pipeline, spec)
    vocabulary = vocabulary or Vocabulary()
    app = FastAPI(title="narrascope", docs_url=None, redoc_url=None, version="1")
    app.openapi_version = "3.0.3"  # the Swagger UI that swagger-ui-bundle ships (4.x) reads OpenAPI 3.0
    api = APIRouter(prefix="/api")  # the token is checked by `Guard`, before any body is read

    @api.post("/analyze", summary="Analyse one article; nothing is stored")
    async def analyze(body: ArticleIn, request: Request) -> dict[str, Any]:
        document = dict((await state.analyses.analyze(request, body.article())).to_dict())
        document["not_covered"] = not_covered(document)  # as GET /api/articles/ID gives it
        return document

    @api.post("/articles", status_code=201, summary="Analyse one article and store it")
    async def add_article(body: ArticleIn, request: Request) -> dict[str, Any]:
        if state.readonly:
            raise ApiError(
                403, "read_only", f"the store {db} is read-only (read-only media or file); nothing is stored"
            )
        article = body.article()
        stamp_hash(article)
        analysis = await state.analyses.analyze(request, article)
        return await run_in_threadpool(state.put, analysis)

    @api.get("/articles", summary="Articles matching the filters, newest first, paged")
    def articles(flt: Filters, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        return list_articles(state.store(), flt, limit=limit, offset=offset)

    @api.get("/articles/{article_id:path}", summary="One stored analysis (offsets into raw_text)")
    def article(article_id: str, view: View = "corrected") -> dict[str, Any]:
        found = get_article(state.store(), article_id)
        if found is None:
            raise ApiError(404, "not_found", f"no article with id {article_id!r}")
        if view == "model":
            return found
        return apply_corrections(found, list_corrections(state.store(), article_id=article_id), vocabulary)

    @api.get("/article", summary="One stored analysis by ?id= (any id, `.` and `..` too, which URL paths drop)")
    def article_by_query(id: Annotated[str, Query(max_length=4000)], view: View = "corrected") -> dict[str, Any]:
        return article(id, view)

    @api.get("/stats/narratives", summary="Articles per (sub)narrative, by source, day, week or month")
    def stats(
        flt: Filters,
        by: Literal["source", "day", "week", "month"] = "month",
        level: Literal["narrative", "subnarrative"] = "narrative",
    ) -> dict[str, Any]:
        return narrative_stats(state.store(), by, flt, level=level)

    @api.get("/entities", summary="Entities with the roles the corpus casts them in (articles per role)")
    def entities(
        q: Text = None, limit: Limit = 100, offset: Offset = 0, include_withheld: Withheld = False,
        view: View = "corrected",
    ) -> dict[str, Any]:  # fmt: skip
        found = list_entities(state.store(), q=q, limit=limit, offset=offset, include_withheld=include_withheld,
                              view=view)  # fmt: skip
        return found

    @api.get("/entities/{name:path}", summary="How each outlet frames one entity")
    def entity(name: str, include_withheld: Withheld = False, view: View = "corrected") -> dict[str, Any]:
        found = entity_framing(state.store(), name, include_withheld=include_withheld, view=view)
        if found is None:
            raise ApiError(404, "not_found", f"no entity named {name!r}")
        return found

    @api.get("/entity", summary="How each outlet frames one entity, by ?name= (any name)")
    def entity_by_query(
        name: Annotated[str, Query(max_length=4000)], include_withheld: Withheld = False, view: View = "corrected"
    ) -> dict[str, Any]:
        return entity(name, include_withheld, view)

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
    api.include_router(corpus_router(state.store, vocabulary))
    api.include_router(watch_router(state.store))
    app.include_router(api)
    app.include_router(corrections_router(state, vocabulary, state._write))  # the token: `Guard`, on all of /api
    app.include_router(actors_router(state, state._write))
    _ui_routes(app)
    _error_handlers(app)
    _security_headers(app)
    hosts = allowed_hosts(host, allowed)
    queue = state.analyses
    app.add_middleware(
        Guard, hosts=hosts, token=token, max_body=max_body, admit=queue.admit, finish=queue.finish
    )  # fmt: skip
    app.router.on_shutdown.append(state.analyses.close)
    return app


def _ui_routes(app: FastAPI) -> None:
    def shell(name: str) -> Callable[[], HTMLResponse]:
        return lambda: HTMLResponse(page(name))  # no parameters: nothing from the request reaches the page

    for route, name in (("/", "corpus"), ("/article", "article"), ("/entities", "entities"), ("/entity", "entity"),
                        ("/claims", "claims"), ("/claim", "claim"), ("/analyze", "analyze"),
                        ("/review", "review"), ("/trends", "trends"), ("/alerts", "alerts"),
                        ("/stories", "stories")):  # fmt: skip
        app.add_api_route(route, shell(name), include_in_schema=False)
    app.add_api_route("/docs", lambda: HTMLResponse(docs_page()), include_in_schema=False)
    app.add_api_route("/favicon.ico", lambda: Response(status_code=204), include_in_schema=False)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        found = asset(name)
        if found is None:
            raise ApiError(404, "not_found", "no such asset")
        vendor = name in VENDOR_ASSETS  # the same bytes for the life of the install: cached for a week
        cache = "public, max-age=604800, immutable" if vendor else "max-age=3600"
        return Response(found[0], media_type=found[1], headers={"Cache-Control": cache})


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

    @app.exception_handler(ClientGone)
    async def gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=499)  # nobody reads it: the client of a dropped analysis left

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        LOG.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _error(500, *internal_cause(exc))

    @app.exception_handler(NarrascopeError)
    async def user_error(request: Request, exc: NarrascopeError) -> JSONResponse:
        return _error(400, "bad_input", str(exc))


def internal_cause(exc: BaseException) -> tuple[str, str]:
    """The code and one-line cause of an unexpected failure, for the client (the traceback goes to the log)."""
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    if isinstance(exc, sqlite3.Error):
        return "store_failed", f"the corpus store failed: {first or type(exc).__name__}"
    if isinstance(exc, OSError):
        return "os_error", f"the server could not complete the request: {exc.strerror or first}"
    return "internal", f"unexpected {type(exc).__name__}" + (f": {first}" if first else "")


def _security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response
