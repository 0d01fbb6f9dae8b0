from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import jsonschema
import pytest

from narrascope import analyze
from narrascope.analysis import SCHEMA_VERSION, Analysis
from narrascope.dataclass_json import from_json, to_json
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


@dataclass(frozen=True)
class _Inner:
    label: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Outer:
    score: float
    inner: _Inner | None
    items: list[_Inner]
    kind: type
    flag: bool = True


def test_dataclass_json_writes_fields_in_order_sequences_as_lists_and_other_values_as_they_are() -> None:
    value = _Outer(0.5, None, [_Inner("a", ((1, 2),)), _Inner("b", ())], _Inner)
    assert to_json(value) == {
        "score": 0.5,
        "inner": None,
        "items": [{"label": "a", "spans": [[1, 2]]}, {"label": "b", "spans": []}],
        "kind": _Inner,  # a dataclass type is a value, not an instance to write out
        "flag": True,
    }
    assert list(to_json(value)) == ["score", "inner", "items", "kind", "flag"]
    again = from_json(_Outer, to_json(_Outer(1.0, _Inner("c", ((3, 4),)), [], int)))
    assert again.inner == _Inner("c", ((3, 4),))
