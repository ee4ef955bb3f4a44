"""Form parsing with pydantic schemas and messages in the user's language.

`parse_form(Schema, form)` returns the model or a dict of field errors; the
route re-renders the form with what the user typed and those errors, so
nothing typed is lost.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.i18n import _

M = TypeVar("M", bound=BaseModel)


def error_message(error: Mapping[str, Any]) -> str:
    """A pydantic error as a sentence for the user (ValueErrors carry their own)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "string_too_short":
        return _("Enter at least %(n)s characters.", n=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Enter at most %(n)s characters.", n=ctx.get("max_length"))
    if kind in ("greater_than_equal", "greater_than"):
        return _("Enter a value of at least %(n)s.", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a value of at most %(n)s.", n=ctx.get("le", ctx.get("lt")))
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return _("Enter a number.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of the options.")
    if kind in ("date_parsing", "date_from_datetime_parsing", "datetime_parsing"):
        return _("Enter a valid date.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Choose yes or no.")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return _("This value is not valid.")


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, set, tuple):
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation) if arg is not type(None))


def form_values(schema: type[BaseModel], form: Any) -> dict[str, Any]:
    """What the user typed, shaped for `schema` (blank optional fields dropped)."""
    values: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        key = field.alias or name
        if _is_list(field.annotation):
            items = (
                [v for v in form.getlist(key) if v != ""]
                if hasattr(form, "getlist")
                else form.get(key, [])
            )
            if items or field.is_required():
                values[key] = items
            continue
        value = form.get(key)
        if value is None or (value == "" and not field.is_required()):
            continue
        values[key] = value.strip() if isinstance(value, str) else value
    return values


def parse_form(schema: type[M], form: Any) -> tuple[M | None, dict[str, str]]:
    try:
        return schema.model_validate(form_values(schema, form)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "__all__"
            errors.setdefault(field, error_message(error))
        return None, errors
