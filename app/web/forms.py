"""Forms: reading them, parsing them, and the one path for a refused form.

`Form` is the submitted form as a dependency, so page handlers stay plain
`def` functions (run in the thread pool, never on the event loop).

`parse_form(Schema, form)` returns the model or a dict of field errors.

`submit_form(session, form, Schema, verb, done=..., again=...)` is THE way a
page handler runs a form: parse, call one verb, and on a refusal (bad input or
a `DomainError` from the verb) undo everything the request wrote
(`app.db.refuse`: the unit of work then commits nothing) and show the same
form again with what the user typed and the errors, so nothing typed is lost.
Authentication, permission and not-found errors are not form errors: they go
on to the error page (and roll back too). Work that must survive a refusal is
committed beforehand with `app.db.keep(session, why=...)`, saying why.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.db import refuse
from app.errors import DomainError
from app.i18n import _, ngettext
from app.web.flash import flash

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D")
R = TypeVar("R")


async def form_data(request: Request) -> FormData:
    """The submitted form, read once, so the page handlers can stay plain functions."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]
"""The submitted form (urlencoded or multipart without streamed files)."""


def error_message(error: Mapping[str, Any]) -> str:
    """A pydantic error as a sentence for the user (ValueErrors carry their own)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "string_too_short":
        return ngettext(
            "Enter at least %(n)s character.",
            "Enter at least %(n)s characters.",
            ctx["min_length"],
            n=ctx["min_length"],
        )
    if kind == "string_too_long":
        return ngettext(
            "Enter at most %(n)s character.",
            "Enter at most %(n)s characters.",
            ctx["max_length"],
            n=ctx["max_length"],
        )
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


# -- the one refused-form path -------------------------------------------------
NOT_FORM_ERRORS = frozenset({401, 403, 404})
"""Refusals that are not about what was typed: they go on to the error page."""


@dataclass
class Refusal:
    """Why a form was refused, for showing it again.

    `errors` maps field names to messages (`"__all__"` holds a message that
    belongs to no field); `message` is the refusal's sentence ("" for bad
    input); `status` the HTTP status to answer with (400 for bad input,
    otherwise the `DomainError`'s own, 422 shown as 400); `extra` the error's
    extra fields (e.g. `similar` initiatives).
    """

    errors: dict[str, str]
    message: str = ""
    status: int = 400
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def field_errors(self) -> dict[str, str]:
        """Only the errors that name a field (for pages that show `message` themselves)."""
        return {k: v for k, v in self.errors.items() if k != "__all__"}

    def on(self, field: str) -> dict[str, str]:
        """The errors, with a message that names no field shown at `field` instead."""
        if set(self.errors) == {"__all__"}:
            return {field: self.errors["__all__"]}
        return self.errors

    @classmethod
    def of(cls, exc: DomainError) -> Refusal:
        return cls(
            errors=dict(exc.errors) or {"__all__": exc.message},
            message=exc.message,
            status=400 if exc.status == 422 else exc.status,
            extra=dict(exc.extra),
        )


def submit_form(
    session: Session,
    form: Any,
    parse: type[D] | Callable[[Any], tuple[D | None, dict[str, str]]] | None,
    verb: Callable[[D], R],
    *,
    done: Callable[[R], Response],
    again: Callable[[Refusal], Response],
    catch: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
) -> Response:
    """Parse `form`, call `verb(data)`, answer `done(result)`; on refusal roll back and `again(refusal)`.

    `parse` is a pydantic model class (parsed with `parse_form`), a function
    `form -> (data or None, errors)`, or None to pass the form itself. A
    refusal is bad input or a `catch` error raised by the verb (any
    `DomainError` by default) other than 401/403/404; either way the request
    commits nothing (`app.db.refuse`). Any other error propagates (and the
    unit of work rolls back).
    """
    data: Any
    errors: dict[str, str]
    if parse is None:
        data, errors = form, {}
    elif isinstance(parse, type) and issubclass(parse, BaseModel):
        data, errors = parse_form(parse, form)
    else:
        data, errors = typing.cast(Callable[[Any], tuple[Any, dict[str, str]]], parse)(form)
    if data is None or errors:
        refuse(session)
        return again(Refusal(errors=errors or {"__all__": _("This value is not valid.")}))
    try:
        result = verb(data)
    except catch as exc:
        if exc.status in NOT_FORM_ERRORS:
            raise
        refuse(session)
        return again(Refusal.of(exc))
    return done(result)


def back_to(request: Request, back: str, success: str) -> dict[str, Any]:
    """`submit_form`'s `done` and `again` for a small form on a page that is not the form's own
    (a button, one field): back to `back` with `success`, or with the refusal's message."""

    def done(_result: object) -> RedirectResponse:
        flash(request, success, "success")
        return RedirectResponse(back, status_code=303)

    def again(refusal: Refusal) -> RedirectResponse:
        message = refusal.message or next(iter(refusal.field_errors.values()), "")
        flash(request, message or _("This value is not valid."), "error")
        return RedirectResponse(back, status_code=303)

    return {"done": done, "again": again}
