"""Query parameters several API modules share: the article filters, and bounded text, dates and pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import AfterValidator

from narrascope.store.queries import ArticleFilter


def calendar_day(value: str | None) -> str | None:
    """A real calendar day YYYY-MM-DD in ASCII digits (2024-02-30, 0000-01-01 and full-width digits are not)."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a calendar day (YYYY-MM-DD)") from None
    if day.year < 1000:
        raise ValueError("a year from 1000 to 9999 is expected")
    return value


Day = Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), AfterValidator(calendar_day)]
Text = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Withheld = Annotated[
    bool, Query(description="Count judgments below the score threshold too (default: asserted ones only).")
]

View = Annotated[
    Literal["corrected", "model"],
    Query(description="corrected (default): analysts' corrections applied; model: the model's own judgments."),
]


def filters(
    narrative: Text = None, subnarrative: Text = None, entity: Text = None, role: Text = None,
    technique: Text = None, source: Text = None, language: Text = None, date_from: Day = None,
    date_to: Day = None, q: Text = None, include_withheld: Withheld = False, view: View = "corrected",
) -> ArticleFilter:  # fmt: skip
    return ArticleFilter(
        narrative,
        subnarrative,
        entity,
        role,
        technique,
        source,
        language,
        date_from,
        date_to,
        q,
        include_withheld,
        view,
    )


Filters = Annotated[ArticleFilter, Depends(filters)]
