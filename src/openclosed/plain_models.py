"""Plain records with pydantic's data layout, for a compare that validates nothing (modelbase.py).

A model class built on `BaseModel` here has what the engine reads of a pydantic model: its fields
in pydantic's order (`model_fields`, `__pydantic_fields__`, with each field's default, default
factory, annotation and numeric bounds), instances that keep their fields in `__dict__` and the
fields given in `__pydantic_fields_set__`, and `model_construct`, `model_copy`, `==`, `repr`,
`str`, iteration, copying and attribute assignment as pydantic does them. What validates or
describes the schema (a model's constructor, `model_validate`, `model_dump`, `model_json_schema`,
an assignment to a model that validates assignments) raises `NeedsValidation`: the run is then
redone with pydantic. Validator decorators leave the methods as they are; nothing calls them,
since nothing is validated. tests/test_plain_models.py checks every model's fields against
pydantic's and compares' output in both modes.
"""

from __future__ import annotations

import copy
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any, ClassVar


class NeedsValidation(RuntimeError):
    """Raised where a plain-records run would need pydantic: the caller starts the run again."""


class ValidationError(ValueError):
    """Stands in for pydantic's in `except` clauses; plain records never raise it."""


ValidationInfo = Any
_MISSING: Any = type("PydanticUndefinedType", (), {"__repr__": lambda self: "PydanticUndefined"})()
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, tuple, frozenset)


class _Bound:
    """One numeric bound of a field, read as pydantic's `annotated_types` metadata is (`.gt` …)."""

    __slots__ = ("ge", "gt", "le", "lt")

    def __init__(self, op: str, value: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, value if name == op else None)


class FieldInfo:
    """A field's default, default factory, description, annotation and bounds."""

    __slots__ = ("_annotation", "_module", "default", "default_factory", "description", "metadata")

    def __init__(self, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None, **kw: Any) -> None:
        self.default = default
        self.default_factory = default_factory
        self.description = kw.get("description")
        self.metadata = [_Bound(op, kw[op]) for op in ("gt", "ge", "lt", "le") if kw.get(op) is not None]
        self._annotation: Any = None
        self._module = ""

    @property
    def annotation(self) -> Any:
        """The field's type; a quoted forward reference is resolved on first use, as pydantic
        resolves it when the model is completed."""
        if isinstance(self._annotation, str):
            self._annotation = eval(self._annotation, vars(sys.modules[self._module]))
        return self._annotation

    def is_required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None

    def get_default(self, call_default_factory: bool = False, validated_data: Any = None) -> Any:
        if self.default_factory is not None:
            return self.default_factory() if call_default_factory else _MISSING
        value = self.default
        if value is _MISSING or type(value) in _IMMUTABLE:
            return value
        if not value and type(value) in (list, dict, set):
            return value.copy()
        return copy.deepcopy(value)


def Field(default: Any = _MISSING, **kw: Any) -> Any:
    return FieldInfo(default, **kw)


def ConfigDict(**kw: Any) -> dict[str, Any]:
    return dict(kw)


def field_validator(*_fields: str, **_kw: Any) -> Callable[[Any], Any]:
    return lambda method: method


def model_validator(**_kw: Any) -> Callable[[Any], Any]:
    return lambda method: method


_set = object.__setattr__


class BaseModel:
    __slots__ = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")
    model_config: ClassVar[dict[str, Any]] = {}
    __pydantic_fields__: ClassVar[dict[str, FieldInfo]] = {}
    model_fields: ClassVar[dict[str, FieldInfo]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        # Pydantic's order: the bases' fields first (a redefined one keeps its place), then the
        # class's own, as annotated.
        fields: dict[str, FieldInfo] = {}
        for base in reversed(cls.__mro__[1:]):
            fields.update(base.__dict__.get("__pydantic_fields__", {}))
        for name, annotation in inspect.get_annotations(cls).items():
            if name.startswith("_") or name == "model_config":
                continue
            given = cls.__dict__.get(name, _MISSING)
            info = given if isinstance(given, FieldInfo) else FieldInfo(given)
            info._annotation, info._module = annotation, cls.__module__
            fields[name] = info
            if given is not _MISSING:
                delattr(cls, name)  # the value lives on the instance, as with pydantic
        cls.__pydantic_fields__ = cls.model_fields = fields

    def __init__(self, **data: Any) -> None:
        raise NeedsValidation(f"{type(self).__name__}(...) validates its data")

    @classmethod
    def model_validate(cls, obj: Any, **kw: Any) -> Any:
        raise NeedsValidation(f"{cls.__name__}.model_validate")

    @classmethod
    def model_json_schema(cls, *args: Any, **kw: Any) -> Any:
        raise NeedsValidation(f"{cls.__name__}.model_json_schema")

    def model_dump(self, **kw: Any) -> Any:
        raise NeedsValidation(f"{type(self).__name__}.model_dump")

    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Any:
        obj = cls.__new__(cls)
        fields_values: dict[str, Any] = {}
        given = set()
        for name, field in cls.__pydantic_fields__.items():
            if name in values:
                fields_values[name] = values.pop(name)
                given.add(name)
            elif not field.is_required():
                fields_values[name] = field.get_default(call_default_factory=True)
        _set(obj, "__dict__", fields_values)
        _set(obj, "__pydantic_fields_set__", given if _fields_set is None else _fields_set)
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj

    @property
    def model_fields_set(self) -> set[str]:
        return self.__pydantic_fields_set__

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        copied = self.__deepcopy__() if deep else self.__copy__()
        if update:
            copied.__dict__.update(update)
            copied.__pydantic_fields_set__.update(update.keys())
        return copied

    def __copy__(self) -> Any:
        cls = type(self)
        m = cls.__new__(cls)
        _set(m, "__dict__", copy.copy(self.__dict__))
        _set(m, "__pydantic_extra__", copy.copy(self.__pydantic_extra__))
        _set(m, "__pydantic_fields_set__", copy.copy(self.__pydantic_fields_set__))
        _set(m, "__pydantic_private__", None)
        return m

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Any:
        cls = type(self)
        m = cls.__new__(cls)
        _set(m, "__dict__", copy.deepcopy(self.__dict__, memo=memo))
        _set(m, "__pydantic_extra__", copy.deepcopy(self.__pydantic_extra__, memo=memo))
        _set(m, "__pydantic_fields_set__", copy.copy(self.__pydantic_fields_set__))
        _set(m, "__pydantic_private__", None)
        return m

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):  # pydantic keeps an undeclared private name in __dict__ too
            self.__dict__[name] = value
            return
        if name not in type(self).__pydantic_fields__:
            raise ValueError(f'"{type(self).__name__}" object has no field "{name}"')
        if type(self).model_config.get("validate_assignment"):
            raise NeedsValidation(f"{type(self).__name__}.{name} = ... validates the value")
        self.__dict__[name] = value
        self.__pydantic_fields_set__.add(name)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        if type(self) is not type(other) or (self.__pydantic_extra__ or {}) != (other.__pydantic_extra__ or {}):
            return False
        if self.__dict__ == other.__dict__:
            return True
        names = type(self).__pydantic_fields__.keys()
        if self.__dict__.keys() <= names and other.__dict__.keys() <= names:
            return False
        return all(self.__dict__.get(n, _MISSING) == other.__dict__.get(n, _MISSING) for n in names)

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic's unfrozen models

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        yield from self.__dict__.items()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._shown(', ')})"

    def __str__(self) -> str:
        return self._shown(" ")

    def _shown(self, sep: str) -> str:
        return sep.join(f"{k}={v!r}" for k, v in self.__dict__.items() if k in type(self).__pydantic_fields__)
