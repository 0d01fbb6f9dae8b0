"""Corrections and the review queue over HTTP: `corrections_router(state)`, included by `create_app`.

Writes are JSON POSTs (a cross-site form cannot send `Content-Type: application/json` without a CORS
preflight, which this server never answers) carrying the token header when the server has one; no cookie
is ever read. A correction that names an unknown label, an entity the article lacks or offsets outside its
raw text is refused with 422 and a message, and nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from narrascope.server.security import Refused
from narrascope.store.corrections import (
    CorrectionError,
    CorrectionIn,
    Vocabulary,
    add_correction,
    get_correction,
    list_corrections,
    undo_correction,
)
from narrascope.store.db import Store
from narrascope.store.queries import ArticleFilter
from narrascope.store.review import review_queue

USER_HEADER = "x-narrascope-user"


class _State(Protocol):
    def store(self) -> Store: ...


class CorrectionBody(BaseModel):
    """One correction; which fields a layer needs is in docs/corrections.md."""

    model_config = ConfigDict(extra="forbid")
    layer: Literal["narrative", "entity", "technique"]
    action: Literal["accept", "reject", "add", "change"]
    label: str | None = Field(default=None, max_length=500)
    entity: str | None = Field(default=None, max_length=500)
    start: int | None = Field(default=None, ge=0, le=100_000_000)
    end: int | None = Field(default=None, ge=0, le=100_000_000)
    user: str | None = Field(
        default=None, max_length=100, description="Who corrects (else the X-Narrascope-User header)."
    )


def json_only(request: Request) -> None:
    """A write is a JSON body: a form post (what a foreign page can send without asking) is refused."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise Refused(415, "unsupported_media_type", "send the correction as Content-Type: application/json")


def corrections_router(state: _State, vocabulary: Vocabulary, write_lock: Any) -> APIRouter:
    router = APIRouter(prefix="/api")

    @router.post(
        "/articles/{article_id:path}/corrections", status_code=201, dependencies=[Depends(json_only)],
        summary="Correct one judgment of a stored article (accept, reject, add, change)",
    )  # fmt: skip
    def add(article_id: str, body: CorrectionBody, request: Request) -> dict[str, Any]:
        user = body.user or request.headers.get(USER_HEADER, "")[:100] or "analyst"
        given = CorrectionIn(body.layer, body.action, body.label, body.entity, body.start, body.end)
        store = state.store()
        if store.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
            raise Refused(404, "not_found", f"no article with id {article_id!r}")
        try:
            with write_lock:
                stored = add_correction(store, given, article_id=article_id, user=user, vocabulary=vocabulary)
        except CorrectionError as exc:
            raise Refused(422, "invalid_correction", str(exc)) from None
        return stored.to_dict()

    @router.get("/corrections", summary="Corrections, oldest first (of one article when `article` is given)")
    def listed(
        article: Annotated[str | None, Query(max_length=500)] = None, include_undone: bool = False
    ) -> dict[str, Any]:
        found = list_corrections(state.store(), article_id=article, undone=include_undone)
        return {"total": len(found), "items": [c.to_dict() for c in found]}

    @router.delete("/corrections/{number}", summary="Undo one correction (kept in the table, marked undone)")
    def undo(number: Annotated[int, Path(ge=1, le=2**62)]) -> dict[str, Any]:
        if get_correction(state.store(), number) is None:
            raise Refused(404, "not_found", f"no correction {number}")
        with write_lock:
            undone = undo_correction(state.store(), number)
        assert undone is not None
        return undone.to_dict()

    @router.get("/review/labels", summary="The labels a correction may use (taxonomy, roles, techniques)")
    def labels() -> dict[str, Any]:
        return {
            "narratives": list(vocabulary.taxonomy.narratives),
            "subnarratives": list(vocabulary.taxonomy.subnarratives),
            "roles": {
                main: [f for f, m in vocabulary.fine_to_main.items() if m == main] for main in vocabulary.main_roles
            },
            "techniques": list(vocabulary.techniques),
        }

    @router.get("/review/queue", summary="Articles to review, most uncertain first, and the review's progress")
    def queue(
        source: Annotated[str | None, Query(max_length=500)] = None,
        narrative: Annotated[str | None, Query(max_length=500)] = None,
        language: Annotated[str | None, Query(max_length=20)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> dict[str, Any]:
        flt = ArticleFilter(narrative=narrative, source=source, language=language)
        return review_queue(state.store(), flt, limit=limit, offset=offset)

    return router
