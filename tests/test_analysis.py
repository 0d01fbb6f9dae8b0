from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from narrascope import analyze
from narrascope.analysis import SCHEMA_VERSION, Analysis
from narrascope.errors import FormatError

from .conftest import ARTICLES


def test_analysis_json_round_trip_is_lossless() -> None:
    analysis = analyze(ARTICLES / "svr_claim.txt")
    data = json.loads(json.dumps(analysis.to_dict()))
    again = Analysis.from_dict(data)
    assert again.to_dict() == analysis.to_dict()
    assert again.article.offset_map == analysis.article.offset_map


def test_analysis_json_matches_the_shipped_schema() -> None:
    schema = json.loads(resources.files("narrascope.data").joinpath("analysis.schema.json").read_text())
    document = {
        "schema_version": SCHEMA_VERSION,
        "narrascope_version": "x",
        "errors": [],
        "documents": [analyze(ARTICLES / "svr_claim.txt").to_dict()],
    }
    jsonschema.validate(document, schema)


def test_analysis_json_from_another_major_version_is_refused() -> None:
    data = analyze("T\n\nBody.").to_dict()
    data["schema_version"] = "2.0"
    with pytest.raises(FormatError, match="schema version 2.0"):
        Analysis.from_dict(data)
