"""Lossless JSON for the frozen dataclasses of an analysis: tuples, optionals and nesting included."""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


_PLAIN = frozenset({str, int, float, bool, type(None)})


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, in order; None for any other type."""
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


def to_json(value: Any) -> Any:
    """Plain JSON data (dicts, lists, str, numbers, None) for a dataclass instance.

    Called for every value of every analysis written: the type of a value is looked up once per type (the
    fields of a dataclass type are cached), not asked of `dataclasses` at every value."""
    kind: Any = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return [to_json(v) for v in value]
    names = _field_names(kind)
    if names is not None:
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(kind: Any, data: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if data is None else _decode(options[0], data)
    if origin is tuple:
        return tuple(_decode(typing.get_args(kind)[0], item) for item in data)
    if origin is list:
        return [_decode(typing.get_args(kind)[0], item) for item in data]
    if dataclasses.is_dataclass(kind):
        return from_json(kind, data)  # type: ignore[arg-type]
    if kind is float and isinstance(data, int):
        return float(data)
    return data


def from_json(cls: type[T], data: dict[str, Any]) -> T:
    """The dataclass `cls` rebuilt from `to_json` output; missing optional fields take their defaults."""
    hints = _hints(cls)  # type: ignore[arg-type]
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    values = {f.name: _decode(hints[f.name], data[f.name]) for f in fields if f.name in data}
    return cls(**values)
