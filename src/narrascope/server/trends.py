"""API routes of watching: what is new and growing (`/api/trends`), alerts (`/api/alerts`), feeds (`/api/feeds`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from narrascope.server.params import Day, Limit, Offset, View, Withheld
from narrascope.store.alerts import list_alerts
from narrascope.store.db import Store
from narrascope.store.sources import list_feeds
from narrascope.store.trends import KINDS, trends


def watch_router(store: Callable[[], Store]) -> APIRouter:
    """The routes, over the calling thread's store connection (`store()`); mounted under /api by create_app."""
    router = APIRouter()

    @router.get("/trends", summary="New and growing narratives, subnarratives, claim groups and outlets")
    def new_and_growing(
        period: Literal["day", "week"] = "day",
        until: Day = None,
        kind: Annotated[list[Literal["narrative", "subnarrative", "claim", "outlet"]] | None, Query()] = None,
        limit: Limit = 50,
        include_withheld: Withheld = False,
        view: View = "corrected",
    ) -> dict[str, Any]:
        return trends(
            store(), period=period, until=until, kinds=tuple(kind or KINDS), limit=limit,
            include_withheld=include_withheld, view=view,
        )  # fmt: skip

    @router.get("/alerts", summary="Alerts raised by `watch --rules`, newest first")
    def alerts(
        rule: Annotated[str | None, Query(max_length=200)] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        return list_alerts(store(), limit=limit, offset=offset, rule=rule)

    @router.get("/feeds", summary="The watched sources and their state (last fetch, validators, failures)")
    def feeds() -> dict[str, Any]:
        return {"items": list_feeds(store())}

    return router
