"""`GET /api/stories`: articles stored more than once (syndicated copies, re-posts), largest story first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from narrascope.store.db import Store
from narrascope.store.stories import stories_with_copies, story_count, story_members


def stories_router(store: Callable[[], Store]) -> APIRouter:
    """The stories routes over the store that `store()` gives (one connection per thread)."""
    router = APIRouter()

    @router.get("/stories", summary="Stories with copies: each with its article ids, most copies first, paged")
    def stories(
        limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0
    ) -> dict[str, Any]:
        conn = store().conn
        found = stories_with_copies(conn, limit=limit, offset=offset)
        members = story_members(conn, [story["id"] for story in found])
        items = [story | {"members": members[story["id"]]} for story in found]  # each copy's title, outlet, date
        return {"limit": limit, "offset": offset, "total": story_count(conn), "items": items}

    return router
