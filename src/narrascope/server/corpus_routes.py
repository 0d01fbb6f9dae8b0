"""Corpus-wide API routes (issue 19): label counts by outlet or time, coverage, and the filtered export.

Every count is of articles, not labels, and of asserted judgments unless `include_withheld=true`, in the
corrected view (analysts' corrections applied) unless `view=model`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from narrascope.server.params import Filters
from narrascope.store.db import Store
from narrascope.store.export import MEDIA_TYPES, export_chunks, iter_view
from narrascope.store.queries import coverage, label_stats

Bucket = Literal["source", "day", "week", "month"]


def corpus_router(store: Callable[[], Store]) -> APIRouter:
    """The routes, over the store `store()` gives (one connection per thread)."""
    router = APIRouter()

    @router.get("/stats/techniques", summary="Articles per persuasion technique, by source, day, week or month")
    def technique_stats(flt: Filters, by: Bucket = "source") -> dict[str, Any]:
        return label_stats(store(), "technique", by, flt)

    @router.get("/coverage", summary="How many of the filtered articles each capability ran on")
    def corpus_coverage(flt: Filters) -> dict[str, int]:
        return coverage(store(), flt)

    @router.get("/export", summary="The filtered articles as CSV rows or JSON lines, streamed")
    def export(flt: Filters, format: Literal["csv", "jsonl"] = "csv") -> StreamingResponse:
        where, args = flt.where()
        current = store()

        def chunks() -> Iterator[bytes]:
            for chunk in export_chunks(format, iter_view(current, view=flt.view, where=where, args=args)):
                yield chunk.encode("utf-8")

        disposition = f'attachment; filename="narrascope-articles.{format}"'
        return StreamingResponse(chunks(), media_type=MEDIA_TYPES[format], headers={"Content-Disposition": disposition})

    return router
