"""Corpus-wide API routes: label counts by outlet or time, coverage, and the filtered export.

Every count is of articles, not labels, and of asserted judgments unless `include_withheld=true`, in the
corrected view (analysts' corrections applied) unless `view=model`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from narrascope.server.params import Filters
from narrascope.store.corrections import Vocabulary
from narrascope.store.db import Store
from narrascope.store.export import MEDIA_TYPES, export_chunks, iter_view
from narrascope.store.queries import coverage, label_stats
from narrascope.store.stix_export import MEDIA_TYPE as STIX_MEDIA_TYPE
from narrascope.store.stix_export import StixExport

Bucket = Literal["source", "day", "week", "month"]


def corpus_router(store: Callable[[], Store], vocabulary: Vocabulary | None = None) -> APIRouter:
    """The routes, over the store `store()` gives (one connection per thread); `vocabulary` is the taxonomy the
    analysts' corrections use."""
    router = APIRouter()

    @router.get("/stats/techniques", summary="Articles per persuasion technique, by source, day, week or month")
    def technique_stats(flt: Filters, by: Bucket = "source") -> dict[str, Any]:
        return label_stats(store(), "technique", by, flt)

    @router.get("/coverage", summary="How many of the filtered articles each capability ran on")
    def corpus_coverage(flt: Filters) -> dict[str, int]:
        return coverage(store(), flt)

    @router.get("/export", summary="The filtered articles as CSV rows, JSON lines or a STIX 2.1 bundle, streamed")
    def export(
        flt: Filters, format: Literal["csv", "jsonl", "stix"] = "csv", reviewed_only: bool = False
    ) -> StreamingResponse:
        where, args = flt.where()
        current = store()
        if format == "stix":  # asserted judgments and the analysts' corrections, whatever include_withheld says
            bundle = StixExport(current, replace(flt, include_withheld=False), reviewed_only=reviewed_only,
                                vocabulary=vocabulary)  # fmt: skip
            return StreamingResponse(
                (chunk.encode("utf-8") for chunk in bundle.chunks()), media_type=STIX_MEDIA_TYPE,
                headers={"Content-Disposition": 'attachment; filename="narrascope-bundle.json"'},
            )  # fmt: skip

        def chunks() -> Iterator[bytes]:
            for chunk in export_chunks(format, iter_view(current, view=flt.view, where=where, args=args)):
                yield chunk.encode("utf-8")

        disposition = f'attachment; filename="narrascope-articles.{format}"'
        return StreamingResponse(chunks(), media_type=MEDIA_TYPES[format], headers={"Content-Disposition": disposition})

    return router
