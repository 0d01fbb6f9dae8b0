"""Merging and splitting actors over HTTP: `actors_router(state, write_lock)`, included by `create_app`.

An analyst merges two actors the analysis kept apart ("Lavrov" into "Sergey Lavrov"), or splits one entity
name out of an actor it was wrongly put under; both are corrections kept across re-ingests (`store/actors.py`),
undone by DELETE. Writes are JSON POSTs, as the other corrections (`server/corrections.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from narrascope.server.corrections import USER_HEADER, json_only
from narrascope.server.security import Refused
from narrascope.store.actors import (
    ActorCorrectionError,
    add_actor_correction,
    list_actor_corrections,
    undo_actor_correction,
)
from narrascope.store.db import Store


class _State(Protocol):
    def store(self) -> Store: ...


class ActorCorrectionBody(BaseModel):
    """Merge `actor` into `into`, or split the entity name `entity` out of `actor` (actor ids as listed)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["merge", "split"]
    actor: str = Field(max_length=500)
    into: str | None = Field(default=None, max_length=500)
    entity: str | None = Field(default=None, max_length=500)
    user: str | None = Field(
        default=None, max_length=100, description="Who corrects (else the X-Narrascope-User header)."
    )


def actors_router(state: _State, write_lock: Any) -> APIRouter:
    router = APIRouter(prefix="/api")

    @router.post(
        "/actors/corrections", status_code=201, dependencies=[Depends(json_only)],
        summary="Merge one actor into another, or split an entity name out of an actor (kept across re-ingests)",
    )  # fmt: skip
    def add(body: ActorCorrectionBody, request: Request) -> dict[str, Any]:
        user = body.user or request.headers.get(USER_HEADER, "")[:100] or "analyst"
        try:
            with write_lock:
                stored = add_actor_correction(
                    state.store().conn, body.action, body.actor, into=body.into, entity=body.entity, user=user
                )
        except ActorCorrectionError as exc:
            raise Refused(422, "invalid_correction", str(exc)) from None
        return stored.to_dict()

    @router.get("/actors/corrections", summary="Merges and splits of actors, oldest first")
    def listed(include_undone: bool = False) -> dict[str, Any]:
        found = list_actor_corrections(state.store().conn, undone=include_undone)
        return {"total": len(found), "items": [c.to_dict() for c in found]}

    @router.delete("/actors/corrections/{number}", summary="Undo one merge or split (kept, marked undone)")
    def undo(number: Annotated[int, Path(ge=1, le=2**62)]) -> dict[str, Any]:
        with write_lock:
            undone = undo_actor_correction(state.store().conn, number)
        if undone is None:
            raise Refused(404, "not_found", f"no actor correction {number}")
        return undone.to_dict()

    return router
