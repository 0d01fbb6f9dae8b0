"""JSON out of model text: tolerant extraction, and a small schema check (types and required keys).

Enumerations are not enforced here: a label outside the taxonomy is the capability's to drop and count.
"""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


def extract_json(text: str) -> Any:
    """The first JSON object in `text` (bare, fenced or inside prose), or None."""
    text = text.strip()
    candidates = [text, *(m.group(1).strip() for m in _FENCE.finditer(text))]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def schema_problem(value: Any, schema: dict[str, Any], where: str = "answer") -> str | None:
    """The first way `value` breaks `schema` (type, required keys, recursively), or None."""
    expected = schema.get("type")
    if isinstance(expected, str) and expected in _TYPES:
        wanted = _TYPES[expected]
        if not isinstance(value, wanted) or (expected in ("integer", "number") and isinstance(value, bool)):
            return f"{where} should be {expected}, found {type(value).__name__}"
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                return f"{where} lacks the key {key!r}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problem = schema_problem(value[key], sub, f"{where}.{key}")
                if problem:
                    return problem
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problem = schema_problem(item, schema["items"], f"{where}[{index}]")
            if problem:
                return problem
    return None


def parse_answer(text: str, schema: dict[str, Any]) -> tuple[Any, str | None]:
    """(the JSON object, None) or (None, what is wrong with the text)."""
    value = extract_json(text)
    if value is None:
        return None, "the answer holds no JSON object"
    problem = schema_problem(value, schema)
    return (None, problem) if problem else (value, None)
