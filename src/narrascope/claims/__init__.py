"""Claims: who says what (extractor), relayed by whom, and where else the same claim appears (grouping)."""

from __future__ import annotations

from narrascope.claims.attribution import ExtractedClaim
from narrascope.claims.extractor import ClaimExtractor
from narrascope.claims.grouping import ClaimGroup, ClaimRecord, group_claims, records_from_analyses

__all__ = [
    "ClaimExtractor",
    "ClaimGroup",
    "ClaimRecord",
    "ExtractedClaim",
    "group_claims",
    "records_from_analyses",
]
