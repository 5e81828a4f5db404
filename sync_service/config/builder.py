"""The one builder of frozen settings dataclasses from YAML mappings: every key and type is checked.

A field's `metadata` may give "min" and "max" (numbers); a field without a default must be present.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from sync_service.config.errors import ConfigError

T = TypeVar("T")


def build(cls: type[T], data: object, source: str, prefix: str = "", seen: set[str] | None = None) -> T:
    """An instance of dataclass `cls` from `data`; `seen` collects the dotted keys the data set."""
    if not isinstance(data, dict):
        raise ConfigError(source, prefix or "(top level)", data, "a mapping")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            raise ConfigError(source, dotted, key, f"one of {', '.join(sorted(fields))}")
        kwargs[key] = _coerce(hints[key], value, source, dotted, fields[key].metadata, seen)
        if seen is not None and not dataclasses.is_dataclass(hints[key]):
            seen.add(dotted)
    for name, f in fields.items():
        if name not in kwargs and f.default is dataclasses.MISSING \
                and f.default_factory is dataclasses.MISSING:
            dotted = f"{prefix}.{name}" if prefix else name
            raise ConfigError(source, dotted, None, expected(hints[name], f.metadata))
    return cls(**kwargs)


def expected(hint: Any, metadata: Mapping[str, Any]) -> str:
    """What a value of this type must be, in words."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint) or origin in (Mapping, dict):
        return "a mapping"
    if origin is Literal:
        return "one of " + ", ".join(map(str, args))
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return expected(inner[0], metadata) + " or nothing (null)"
    if hint is bool:
        return "true or false"
    if hint is int:
        return f"a whole number, {metadata.get('min', 0)} or more"
    if hint is float:
        low, high = metadata.get("min", 0), metadata.get("max")
        return f"a number from {low} to {high}" if high is not None else f"a number, {low} or more"
    if hint is str:
        return "a non-empty text"
    if origin is tuple:
        return "a list"
    raise TypeError(f"unsupported setting type {hint!r}")


def _coerce(hint: Any, value: object, source: str, key: str, metadata: Mapping[str, Any],
            seen: set[str] | None) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return build(typing.cast(type[Any], hint), value, source, key, seen)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, source, key, metadata, seen)
    if not _fits(hint, origin, args, value, metadata):
        raise ConfigError(source, key, value, expected(hint, metadata))
    if hint is float:
        return float(typing.cast(float, value))
    if hint is str:
        return typing.cast(str, value)
    if origin is tuple:
        return tuple(_coerce(args[0], v, source, f"{key}[{i}]", {}, None)
                     for i, v in enumerate(typing.cast(list[Any], value)))
    if origin in (Mapping, dict):
        return {str(k): _coerce(args[1], v, source, f"{key}.{k}", {}, None)
                for k, v in typing.cast(dict[Any, Any], value).items()}
    return value


def _fits(hint: Any, origin: Any, args: tuple[Any, ...], value: object,
          metadata: Mapping[str, Any]) -> bool:
    if origin is Literal:
        return value in args
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float):
        number = isinstance(value, int) if hint is int else isinstance(value, int | float)
        if isinstance(value, bool) or not number:
            return False
        low, high = metadata.get("min", 0), metadata.get("max")
        return bool(value >= low and (high is None or value <= high))
    if hint is str:
        return isinstance(value, str) and bool(value.strip())
    if origin is tuple:
        return isinstance(value, list)
    if origin in (Mapping, dict):
        return isinstance(value, dict)
    raise TypeError(f"unsupported setting type {hint!r}")
